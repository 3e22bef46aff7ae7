"""The outbox relay: publishes a service's integration events in log order.

It reads the notification log after its saved position, publishes a batch to the
service's exchanges (each event on its stream's: shared.messaging), and reads and
publishes the next while the broker confirms it; only once a batch is confirmed is
the position after it saved (a tracking record in the service's own store). A crash
anywhere before that save means the batch is published again after restart:
delivery is at-least-once, and consumers drop what they already applied.

One relay is active per service (the RPC workers scale out separately), as its
own process: ``jww relay <service>``; a second one stands by (shared/singleton.py).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from kombu.utils.functional import retry_over_time

from shared import metrics
from shared.checkpoints import Checkpointer
from shared.contracts import encode
from shared.messaging import PAUSES, STREAMS, ConfirmingPublisher, exchange_name
from shared.outbox import Outbox

log = logging.getLogger(__name__)

# A relay that published nothing for a while looks less often, so that an idle
# platform costs next to nothing; under load it never waits longer than poll_seconds.
# The first event after a quiet time waits at most IDLE_POLL_MAX_SECONDS. At a quarter
# of a second an idle platform cost 3.9% of a core, at one second 2.8% (make bench
# idle, December 2026); a steady load never waits for it.
QUIET_AFTER_SECONDS = 1.0
IDLE_POLL_MAX_SECONDS = 1.0

TRACKING_NAME = "relay"  # the relay's own position, kept in the service's tracking table
# How many batches one round publishes before it looks at checkpoints and stop requests.
WINDOW = 8


@dataclass(frozen=True)
class _Batch:
    position: int  # the log examined up to here
    count: int  # events published
    tag: int  # the publisher's delivery tag of its last message; 0 when it held none


class Relay:
    def __init__(
        self, outbox: Outbox, publisher: ConfirmingPublisher, batch: int = 500, poll_seconds: float = 0.005,
        checkpoints: Checkpointer | None = None, window: int = WINDOW,
    ):
        self.outbox = outbox
        # Signing checkpoints falls to the relay because it is the one process per
        # service that is always there and never two at once, and it holds the key.
        self.checkpoints = checkpoints
        self.publisher = publisher
        self.batch, self.window = batch, window
        self.poll_seconds = poll_seconds
        self._idle_wait = poll_seconds
        self._last_published = time.monotonic()
        self.service = outbox.service
        self.stopping = threading.Event()
        self._stale = False  # set after a failure: resume before the next round
        self.resume()
        self._published = metrics.RELAY_PUBLISHED.labels(self.service)
        self._backlog = metrics.RELAY_BACKLOG.labels(self.service)
        self._position_gauge = metrics.RELAY_POSITION.labels(self.service)

    def resume(self) -> None:
        """Continue from the saved position: after a failure, what is in memory may
        be ahead of what was confirmed and saved."""
        self.position = self.outbox.app.position_of(TRACKING_NAME)
        self.prevs = {stream: self.outbox.last_published_at_or_before(self.position, stream) for stream in STREAMS}

    def run_once(self) -> int:
        """Publish what is waiting, up to ``window`` batches, each batch read and
        published while the broker confirms the one before; returns once all are
        confirmed and the position saved after each. Returns how many were published."""
        published, in_flight = 0, None
        while True:
            head = self.outbox.app.head()
            after = in_flight.position if in_flight else self.position
            self._backlog.set(max(0, head - after))
            batch = self._publish(after, head) if head > after and published < self.batch * self.window else None
            if in_flight:
                self._settle(in_flight)
            if batch is None:
                return published
            in_flight, published = batch, published + batch.count

    def _publish(self, after: int, head: int) -> "_Batch":
        """Read the next batch after ``after`` and publish it, not waiting for confirms."""
        events = self.outbox.read(after=after, until=head, limit=self.batch, streams=STREAMS, prevs=self.prevs)
        streams = [self.outbox.stream_of(event) for event in events]
        tag = self.publisher.publish(
            (exchange_name(self.service, stream), routing_key(event), encode(event), event["id"])
            for event, stream in zip(events, streams)
        ) if events else 0
        for event, stream in zip(events, streams):  # the next batch's chain goes on from here
            self.prevs[stream] = event["jwwposition"]
        # Everything up to ``head`` was examined unless the batch filled up.
        return _Batch(events[-1]["jwwposition"] if len(events) == self.batch else head, len(events), tag)

    def _settle(self, batch: "_Batch") -> None:
        """Once the broker confirmed the batch (and all before it), save the position after it."""
        if batch.tag:
            self.publisher.await_confirms(batch.tag)
        self.outbox.app.track(TRACKING_NAME, batch.position)
        self.position = batch.position
        self._published.inc(batch.count)
        self._position_gauge.set(self.position)

    def run(self) -> None:
        log.info("relay started", extra={"position": self.position})
        while not self.stopping.is_set():
            # One call per round, so the pauses start short again after a success.
            retry_over_time(self._round, Exception, errback=self._failed, **PAUSES)
        self.publisher.close()
        log.info("relay stopped", extra={"position": self.position})

    def _round(self) -> None:
        if self.stopping.is_set():
            return
        if self._stale:
            self.resume()  # here, not in _failed: a store still away is retried too
            if self.checkpoints is not None:
                self.checkpoints.resume()  # its last save too may have been stored though it failed
            self._stale = False
        if self.checkpoints is not None:
            self.checkpoints.maybe()
        if self.run_once() == 0:
            self.publisher.keep_alive()
            self.stopping.wait(self._next_wait())
        else:
            self._last_published, self._idle_wait = time.monotonic(), self.poll_seconds

    def _next_wait(self) -> float:
        """``poll_seconds`` while events came within the last second; then twice as
        long at each empty look, up to ``IDLE_POLL_MAX_SECONDS``."""
        if time.monotonic() - self._last_published < QUIET_AFTER_SECONDS:
            return self.poll_seconds
        self._idle_wait = min(max(self._idle_wait * 2, self.poll_seconds), IDLE_POLL_MAX_SECONDS)
        return self._idle_wait

    def _failed(self, error: Exception, pauses, failures: int) -> float:
        """Broker or store away: count it, drop the connection, wait, and resume
        from the saved position (what is in memory may be ahead of what was
        confirmed)."""
        metrics.RELAY_FAILURES.labels(self.service).inc()
        pause = next(pauses)
        log.warning(
            "relay could not publish; retrying",
            extra={"error": type(error).__name__, "retry_in_seconds": pause, "failures_in_a_row": failures + 1},
        )
        self.publisher.close()
        self._stale = True
        self.stopping.wait(pause)
        # Waited here already, on the stop event: kombu's own sleep would not hear a stop.
        return 0


def routing_key(event: dict) -> str:
    """An event's type; a feed entry's is prefixed with its organisation, so that each
    organisation's queue is bound to its own entries only (``<org>.#``)."""
    recipient = event.get("jwwrecipient")
    return f"{recipient}.{event['type']}" if recipient else event["type"]
