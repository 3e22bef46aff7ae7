"""Applying an upstream service's integration events exactly once, in order.

Each integration event carries its position in the upstream's log and the position
of the upstream's previous published event. The follower keeps the last applied
position as a tracking record written in the same transaction as the events its
policy caused, so:

- a position at or below it is a redelivery: dropped, no second effect;
- a previous-position above it means messages went missing: the missing range is
  pulled from the upstream's own log (over RPC) and applied first;
- otherwise the event is applied and the position advances atomically with it.

Events of types the service has no policy for still advance the position.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable, Mapping

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Tracking

from shared import metrics
from shared.contracts import DecodeError, decode
from shared.store import ServiceApplication

log = logging.getLogger(__name__)

Policy = Callable[[dict, ProcessingEvent], None]
Pull = Callable[[int, int | None], list[dict]]  # (after, until) -> raw envelopes, oldest first
DeadLetter = Callable[[bytes | dict, str], None]


class GapUnresolved(Exception):
    """The upstream's log did not (yet) yield what a message says came before it."""


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
        self.upstream = upstream
        self.policies = policies
        self.pull = pull
        self.dead_letter = dead_letter
        self.position = app.position_of(upstream)
        self._count = {
            outcome: metrics.CONSUMED.labels(service, upstream, outcome)
            for outcome in ("applied", "ignored", "duplicate", "pulled")
        }
        self._position = metrics.CONSUMER_POSITION.labels(service, upstream)
        self._delay = metrics.CONSUMER_DELAY.labels(service, upstream)
        self._position.set(self.position)

    def receive(self, body: bytes) -> str:
        """Handle one delivered message. Returns the outcome; a message that cannot be
        decoded is dead-lettered. Raises when it must be retried later."""
        try:
            event = decode(body)
        except DecodeError as error:
            self._dead_letter(body, error)
            return "dead-lettered"
        if event["source"] != f"/jww/{self.upstream}":
            self._dead_letter(body, DecodeError("wrong source", {"source": [f"expected /jww/{self.upstream}"]}))
            return "dead-lettered"
        return self.handle(event)

    def handle(self, event: dict) -> str:
        position, prev = event["jwwposition"], event["jwwprevposition"]
        if position <= self.position:
            self._count["duplicate"].inc()
            return "duplicate"
        if prev > self.position:
            self.fill_gap(until=prev)
        return self._apply(event)

    def fill_gap(self, until: int | None) -> int:
        """Pull and apply the upstream's events after our position (up to ``until``)."""
        metrics.GAPS.labels(self.service, self.upstream).inc()
        applied = 0
        while until is None or self.position < until:
            start = self.position
            page = self.pull(start, until)
            if not page:
                break
            for raw in page:
                try:
                    event = decode(raw)
                except DecodeError as error:
                    # The upstream's own log says this is what happened there, yet we
                    # cannot read it: set it aside and move past it, or the stream stops.
                    self._dead_letter(raw, error)
                    self._skip(raw["jwwposition"])
                    continue
                if self._apply(event) == "applied":
                    applied += 1
            self._count["pulled"].inc(len(page))
            if self.position == start:
                break
        if until is not None and self.position < until:
            raise GapUnresolved(f"{self.upstream} log has nothing up to position {until} yet")
        log.info("gap filled", extra={"upstream": self.upstream, "applied": applied, "position": self.position})
        return applied

    def _apply(self, event: dict) -> str:
        position = event["jwwposition"]
        if position <= self.position:
            self._count["duplicate"].inc()
            return "duplicate"
        policy = self.policies.get(event["type"])
        processing = ProcessingEvent(Tracking(self.upstream, position))
        if policy is not None:
            policy(event, processing)
        try:
            self.app.record_processing(processing)
        except IntegrityError:
            # Another instance applied it first, or an aggregate changed under us:
            # the stored position tells which.
            self.position = self.app.position_of(self.upstream)
            if position <= self.position:
                self._count["duplicate"].inc()
                return "duplicate"
            raise
        self.position = position
        self._position.set(position)
        outcome = "applied" if policy is not None and processing.events else "ignored"
        self._count[outcome].inc()
        self._delay.observe(max(0.0, (datetime.now(timezone.utc) - event["time"]).total_seconds()))
        return outcome

    def _skip(self, position: int) -> None:
        if position > self.position:
            self.app.track(self.upstream, position)
            self.position = position

    def _dead_letter(self, body: bytes | dict, error: DecodeError) -> None:
        metrics.DEAD_LETTERS.labels(self.service, self.upstream, error.reason.split(":")[0]).inc()
        log.warning("message dead-lettered", extra={"upstream": self.upstream, "reason": error.describe()})
        self.dead_letter(body, error.describe())

