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

Events of types the service has no policy for still advance the position. Events
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
from datetime import datetime, timezone
from typing import Callable, Mapping

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Tracking

import json

from shared import context, keys, messaging, metrics, signing
from shared.context import RequestContext
from shared.contracts import CATALOGUE, DecodeError, decode
from shared.store import ServiceApplication

log = logging.getLogger(__name__)

Policy = Callable[[dict, ProcessingEvent], None]
Pull = Callable[[int, int | None], list[dict]]  # (after, until) -> raw envelopes, oldest first
DeadLetter = Callable[[bytes | dict, str], None]


class GapUnresolved(Exception):
    """The upstream's log did not (yet) yield what a message says came before it."""


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
    ):
        self.app = app
        self.service = service
        self.upstream = upstream  # the feed: its tracking record, metrics and logs are named after it
        self.publisher, self.stream = messaging.followed(service, upstream)
        self.policies = policies
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

    # -- entry points --------------------------------------------------------------

    def receive(self, body: bytes) -> str:
        return self.receive_many([body])[0]

    def receive_many(self, bodies: list[bytes]) -> list[str]:
        """Handle delivered messages, in order, committing their effects together.
        A message that cannot be decoded is dead-lettered. Raises when the batch
        must be retried later (nothing of it is then acknowledged)."""
        # Another instance may have applied events while this one stood by.
        self.position = self.app.position_of(self.upstream)
        batch = _Batch(self.position)
        outcomes = []
        for body in bodies:
            event = self._decode(body)
            if event is None:
                outcomes.append("dead-lettered")
                continue
            try:
                outcomes.append(self._take(event, batch))
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
        while until is None or self.position < until:
            page = self.pull(self.position, until)
            if not page:
                break
            batch = _Batch(self.position)
            for raw in page:
                try:
                    self._take(self._verified(raw), batch)
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
        return decode(raw)

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
        now = datetime.now(timezone.utc)
        for event, outcome in batch.taken:
            self._count[outcome].inc()
            self._delay.observe(max(0.0, (now - event["time"]).total_seconds()))

    def _dead_letter(self, body: bytes | dict, error: DecodeError) -> None:
        metrics.DEAD_LETTERS.labels(self.service, self.upstream, error.reason.split(":")[0]).inc()
        log.warning("message dead-lettered", extra={"upstream": self.upstream, "reason": error.describe()})
        self.dead_letter(body, error.describe())
