"""Applying an upstream feed's integration events exactly once, in order.

A feed is one stream of one service (shared.messaging): its events (``intake``) or,
for audit only, its access log (``intake.access``); each has its own positions chain.

Each integration event carries its position in the upstream's log and the position
of the upstream's previous published event. The follower keeps the last applied
position as a tracking record written in the same transaction as the events its
policies caused, so:

- a message whose signature does not hold with the upstream's keys (a forgery, or
  one changed on the way) is dead-lettered and never applied;
- a position at or below it is a redelivery: dropped, no second effect;
- a previous-position above it means messages went missing: the missing range is
  pulled from the upstream's own log (over RPC) and applied first;
- a previous-position the upstream's own log does not reach is impossible: the
  message is dead-lettered (a genuine one is always in that log);
- otherwise the event is applied and the position advances atomically with it.

Events of types the service has no policy for still advance the position, even of
a type this build does not know (a fact it does not act on). A version this build
does not know of a fact it acts on (it has a policy for some version of
``be.jww.<service>.<fact>``) is another matter: skipping it would lose that fact for
good, so the follower stops that upstream there (UnknownVersion: nothing at or after
it is applied, the position stays before it) until it is upgraded (WAVE2 18). A
version it knows and deliberately has no policy for (the old one, beside the new,
while a producer publishes both) is ignored as any other type. Events
that arrive together are applied in one transaction: a follower that fell behind
catches up at the speed of batches, not of single commits.

Two rules for policies keep this exactly-once even in the instant when a standby
instance takes over a queue while the old one is still committing: an aggregate a
policy creates gets an id derived from the upstream fact (a client's UUID, or
``uuid5`` of the event id), and an aggregate it changes is loaded through
``ServiceApplication.aggregate_in(processing, id)``. Applying the same event twice
then collides in the store (same id, same version) and is undone.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Callable, Collection, Mapping

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Tracking
from marshmallow import ValidationError

import json

from shared import context, keys, messaging, metrics, signing
from shared.context import RequestContext
from shared.contracts import CATALOGUE, DecodeError, decode
from shared.contracts.base import _flatten
from shared.contracts.envelope import EnvelopeSchema
from shared.store import ServiceApplication

log = logging.getLogger(__name__)

Policy = Callable[[dict, ProcessingEvent], None]
Pull = Callable[[int, int | None], list[dict]]  # (after, until) -> raw envelopes, oldest first
DeadLetter = Callable[[bytes | dict, str], None]


class GapUnresolved(Exception):
    """The upstream's log did not (yet) yield what a message says came before it."""


class UnknownVersion(Exception):
    """A genuine event of a fact this follower acts on, in a version its build does not
    know: the upstream stops there until the follower is upgraded."""

    def __init__(self, type_: str, position: int):
        super().__init__(f"{type_} at position {position} is a version this follower does not know")
        self.type, self.position = type_, position


_VERSIONED = re.compile(r"^(?P<fact>.+)\.v\d+$")


def fact_of(type_: str) -> str:
    """``be.jww.intake.consent-given`` of ``be.jww.intake.consent-given.v2``."""
    match = _VERSIONED.match(type_)
    return match["fact"] if match else type_


_envelope = EnvelopeSchema()


class _Batch:
    """Upstream events taken but not yet committed, and the position they reach."""

    def __init__(self, position: int):
        self.position = position
        self.processing = ProcessingEvent()
        self.taken: list[tuple[dict, str]] = []  # (event, outcome)


class Follower:
    def __init__(
        self,
        app: ServiceApplication,
        service: str,
        upstream: str,
        policies: Mapping[str, Policy],
        pull: Pull,
        dead_letter: DeadLetter,
        known: Collection[str] | None = None,
    ):
        self.app = app
        self.service = service
        self.upstream = upstream  # the feed: its tracking record, metrics and logs are named after it
        self.publisher, self.stream = messaging.followed(service, upstream)
        self.policies = policies
        # The types this build reads (its catalogue), and the facts it acts on in some version.
        self.known = frozenset(CATALOGUE if known is None else known) | frozenset(policies)
        self.acted_on = frozenset(fact_of(type_) for type_ in policies)
        self.pull = pull
        self.dead_letter = dead_letter
        self.position = app.position_of(upstream)
        self.keys = keys.public_keys(keys.events_key_name(self.publisher))  # what its relay signs with
        self._count = {
            outcome: metrics.CONSUMED.labels(service, upstream, outcome)
            for outcome in ("applied", "ignored", "duplicate", "pulled")
        }
        self._position = metrics.CONSUMER_POSITION.labels(service, upstream)
        self._delay = metrics.CONSUMER_DELAY.labels(service, upstream)
        self._position.set(self.position)
        self._stopped = metrics.FOLLOWER_STOPPED.labels(service, upstream, "unknown_version")
        self._stopped.set(0)
        self.stopped_at: int | None = None  # the position of the unknown version it stopped at

    # -- entry points --------------------------------------------------------------

    def receive(self, body: bytes) -> str:
        return self.receive_many([body])[0]

    def receive_many(self, bodies: list[bytes]) -> list[str]:
        """Handle delivered messages, in order, committing their effects together.
        A message that cannot be decoded is dead-lettered. Raises when the batch
        must be retried later (nothing of it is then acknowledged), and
        UnknownVersion, once what came before it is stored, when the upstream stops."""
        # Another instance may have applied events while this one stood by.
        self.position = self.app.position_of(self.upstream)
        self._resume_if_passed()
        batch = _Batch(self.position)
        outcomes = []
        for body in bodies:
            try:
                event = self._decode(body)
                if event is None:
                    outcomes.append("dead-lettered")
                    continue
                outcomes.append(self._take(event, batch))
            except UnknownVersion as unknown:
                self._commit(batch)  # what came before it is applied; nothing from it on
                self._stop(unknown)
                raise
            except GapUnresolved as gap:
                # The upstream's own log holds every event it published: a message
                # that claims more is not one of them (and a lost genuine one would
                # be pulled with the next gap anyway).
                self._dead_letter(body, DecodeError("position beyond the upstream's head",
                                                    {"jwwprevposition": [str(gap)]}))
                outcomes.append("dead-lettered")
        self._commit(batch)
        return outcomes

    def fill_gap(self, until: int | None) -> None:
        """Pull and apply the upstream's events after our position (up to ``until``)."""
        metrics.GAPS.labels(self.service, self.upstream).inc()
        # The stored position, not the one in memory: a commit whose connection died
        # may have been stored all the same (PostgreSQL's connection killed at COMMIT),
        # and a page reaching further than it would apply its events a second time:
        # an aggregate that only grows (audit's timeline) meets no version to collide on.
        self.position = self.app.position_of(self.upstream)
        while until is None or self.position < until:
            page = self.pull(self.position, until)
            if not page:
                break
            batch = _Batch(self.position)
            for raw in page:
                try:
                    self._take(self._verified(raw), batch)
                except UnknownVersion as unknown:
                    self._commit(batch)
                    self._stop(unknown)
                    raise
                except DecodeError as error:
                    # The upstream's own log says this is what happened there, yet we
                    # cannot read it: set it aside and move past it, or the stream stops.
                    self._dead_letter(raw, error)
                    batch.position = max(batch.position, raw["jwwposition"])
            start = self.position
            self._commit(batch)
            self._count["pulled"].inc(len(page))
            if self.position == start:
                break
        if until is not None and self.position < until:
            raise GapUnresolved(f"{self.upstream} log has nothing up to position {until} yet")
        log.info("caught up from upstream log", extra={"upstream": self.upstream, "position": self.position})

    # -- the rules -----------------------------------------------------------------

    def _decode(self, body: bytes) -> dict | None:
        try:
            raw = json.loads(body)
            if not isinstance(raw, dict):
                raise DecodeError("not a JSON object")
            return self._verified(raw)
        except (ValueError, UnicodeDecodeError) as error:
            self._dead_letter(body, DecodeError(f"not JSON: {error.__class__.__name__}"))
        except DecodeError as error:
            self._dead_letter(body, error)
        return None

    def _verified(self, raw: dict) -> dict:
        """The event, once its source and its publisher's signature hold; DecodeError
        otherwise (nothing of it is applied)."""
        if raw.get("source") != f"/jww/{self.publisher}":
            raise DecodeError("wrong source", {"source": [f"expected /jww/{self.publisher}"]})
        if raw.get("type") in CATALOGUE and CATALOGUE[raw["type"]].stream != self.stream:
            # An access event on the events exchange (or the reverse) is not where its
            # publisher puts it: a signature alone does not make it belong here.
            raise DecodeError("wrong stream", {"type": [f"not published on the {self.stream} stream"]})
        try:
            signing.verify(raw, self.keys)
        except signing.BadSignature as error:
            raise DecodeError("bad signature", {signing.ATTRIBUTE: [str(error)]}) from None
        if raw.get("type") in self.known:
            return decode(raw)
        return self._unknown(raw)

    def _unknown(self, raw: dict) -> dict:
        """A genuine event of a type this build does not know: passed (its envelope
        read, its data left alone) unless it is a version of a fact acted on here."""
        try:
            event = _envelope.load(raw)
        except ValidationError as error:
            raise DecodeError("invalid envelope", _flatten(error.messages)) from None
        if fact_of(event["type"]) in self.acted_on:
            raise UnknownVersion(event["type"], event["jwwposition"])
        return event

    def _take(self, event: dict, batch: _Batch) -> str:
        position, prev = event["jwwposition"], event["jwwprevposition"]
        if position <= batch.position:
            self._count["duplicate"].inc()
            return "duplicate"
        if prev > batch.position:
            self._commit(batch)  # what came before the gap is stored first
            try:
                self.fill_gap(until=prev)
            finally:
                batch.__init__(self.position)
            if position <= batch.position:  # the pull brought this one too
                self._count["duplicate"].inc()
                return "duplicate"
        if self.stopped_at is not None and position >= self.stopped_at:
            # An older message redelivered after the stop must not carry us past it.
            raise UnknownVersion(self._stopped_type, self.stopped_at)
        policy = self.policies.get(event["type"])
        collected = len(batch.processing.events)
        if policy is not None:
            # What the policy causes carries the correlation id of the command upstream.
            context.use(RequestContext(correlation_id=event["jwwcorrelation"] or ""))
            policy(event, batch.processing)
        outcome = "applied" if len(batch.processing.events) > collected else "ignored"
        batch.position = position
        batch.taken.append((event, outcome))
        return outcome

    def _commit(self, batch: _Batch) -> None:
        if batch.position <= self.position:
            return
        batch.processing.tracking = Tracking(self.upstream, batch.position)
        try:
            self.app.record_processing(batch.processing)
        except IntegrityError:
            self._recommit_one_by_one(batch)
            return
        self._committed(batch)

    def _recommit_one_by_one(self, batch: _Batch) -> None:
        """Another instance applied some of these first, or an aggregate changed
        under us: the stored position tells which. Retry what is still ours alone."""
        self.position = self.app.position_of(self.upstream)
        for event, _ in batch.taken:
            if event["jwwposition"] <= self.position:
                self._count["duplicate"].inc()
                continue
            single = _Batch(self.position)
            self._take(event, single)
            single.processing.tracking = Tracking(self.upstream, single.position)
            self.app.record_processing(single.processing)  # a second failure is retried later
            self._committed(single)
        if batch.position > self.position:  # positions of dead letters and private events
            self.app.track(self.upstream, batch.position)
            self.position = batch.position

    def _committed(self, batch: _Batch) -> None:
        self.position = batch.position
        self._position.set(self.position)
        self._resume_if_passed()
        now = datetime.now(timezone.utc)
        for event, outcome in batch.taken:
            self._count[outcome].inc()
            self._delay.observe(max(0.0, (now - event["time"]).total_seconds()))

    def _stop(self, unknown: UnknownVersion) -> None:
        """Say, loudly, that this upstream stands still: an alert fires on the metric
        (deploy/prometheus/alerts.yml, JwwFollowerStopped). The type and position
        name no one."""
        again = self.stopped_at == unknown.position  # the same stop met on a retry: said once
        self.stopped_at, self._stopped_type = unknown.position, unknown.type
        self._stopped.set(1)
        log.log(logging.DEBUG if again else logging.ERROR,
                "upstream stopped: an event version this follower does not know; upgrade it",
                extra={"upstream": self.upstream, "type": unknown.type, "position": unknown.position,
                       "applied_up_to": self.position})

    def _resume_if_passed(self) -> None:
        """Past the stop: an upgraded instance applied it (this one never does)."""
        if self.stopped_at is not None and self.position >= self.stopped_at:
            self.stopped_at = None
            self._stopped.set(0)
            log.info("upstream resumed past the unknown version", extra={"upstream": self.upstream})

    def _dead_letter(self, body: bytes | dict, error: DecodeError) -> None:
        metrics.DEAD_LETTERS.labels(self.service, self.upstream, error.reason.split(":")[0]).inc()
        log.warning("message dead-lettered", extra={"upstream": self.upstream, "reason": error.describe()})
        self.dead_letter(body, error.describe())
