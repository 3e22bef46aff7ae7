"""Intake's events carried to guidance in this one process, over the real broker.

This thread registers intake clients in an intake store (SQLite in a temporary
folder). A thread runs ``shared.relay.Relay`` with its ``ConfirmingPublisher``, as
``jww relay intake`` does, publishing to a fresh vhost that has the platform's
topology. Another thread runs guidance's follower (``shared.consumer.UpstreamConsumer``
driving ``shared.follower.Follower``), which consumes ``jww.guidance.from.intake``
and commits to guidance's own SQLite store. An event's latency runs from the start
of intake's ``save()`` to the commit of the guidance transaction whose tracking
record reaches the event's position.

bench/latency.py measures the real processes. Here the writer, the relay and the
follower share one interpreter and its GIL. That makes these figures good for
comparing two runs of this same pipeline, not for stating the platform's latency.
"""
from __future__ import annotations

import threading
import time

from bench import latency, workload
from bench.resources import Resources, settings
from services.guidance.application import GuidanceApplication
from shared.consumer import PULL_PAGE, UpstreamConsumer
from shared.messaging import STREAMS, ConfirmingPublisher, exchange_name, queue_name
from shared.relay import Relay
from tests.support.broker import has_consumer, wait_until

UPSTREAM = "intake"
STOP_SECONDS = 10  # the follower checks for a stop between its waits (shared.consumer.WAKE_SECONDS)


class SaveTimed(workload.BenchIntake):
    """Intake, noting when its last save began (where each latency starts)."""

    save_began = 0.0

    def save(self, *objs, **kwargs):
        self.save_began = time.monotonic()
        return super().save(*objs, **kwargs)


class CommitTimed(GuidanceApplication):
    """Guidance, noting when each follower transaction has committed. Its
    tracking record covers every intake position up to its own, and those
    positions are noted as arrived at that moment."""

    arrivals: latency.Arrivals | None = None

    def record_processing(self, processing) -> None:
        super().record_processing(processing)
        tracking = processing.tracking
        if self.arrivals is None or tracking is None or tracking.application_name != UPSTREAM:
            return
        now = time.monotonic()
        for key in range(self.arrivals.highest + 1, tracking.notification_id + 1):
            self.arrivals.arrived(key, now)


class Pipeline:
    """Started when it is made. Stopped, and its vhost and stores removed, when
    ``res`` closes."""

    def __init__(self, res: Resources):
        workdir, uri = res.tempdir(), res.vhost()
        intake = settings(UPSTREAM, {"JWW_STORE_SQLITE_PATH": str(workdir / "intake.sqlite"), "AMQP_URI": uri})
        guidance = settings("guidance", {"JWW_STORE_SQLITE_PATH": str(workdir / "guidance.sqlite"), "AMQP_URI": uri})
        self.intake = res.closing(SaveTimed(store=intake.store))
        # The relay reads through an application of its own, as its own process would.
        reader = res.closing(workload.BenchIntake(store=intake.store))
        exchanges = tuple(exchange_name(UPSTREAM, stream) for stream in STREAMS)
        self.relay = Relay(reader.outbox, res.closing(ConfirmingPublisher(uri, exchanges)),
                           batch=intake.relay_batch, poll_seconds=intake.relay_poll_seconds)
        self.guidance = res.closing(CommitTimed(store=guidance.store))
        # No intake service runs to answer the pull over RPC. A gap is not
        # expected anyway; the catch-up at connection reads the same outbox.
        self.consumer = UpstreamConsumer(
            guidance, UPSTREAM, self.guidance,
            pull=lambda after, until: reader.outbox.read(after=after, until=until, limit=PULL_PAGE),
        )
        self.threads = [threading.Thread(target=self.relay.run, name="bench-relay", daemon=True),
                        threading.Thread(target=self.consumer.run, name="bench-follower", daemon=True)]
        self.arrivals = latency.Arrivals(self._watch)
        self.guidance.arrivals = self.arrivals
        for thread in self.threads:
            thread.start()
        self.arrivals.__enter__()
        res.callback(self._stop)  # runs before the stores close and the vhost goes
        queue = queue_name("guidance", UPSTREAM)
        wait_until(lambda: has_consumer(uri, queue), 30, interval=0.1, what=f"the follower on {queue}")

    def _watch(self, arrivals: latency.Arrivals) -> None:
        """Arrivals are noted at commit. This step only makes a dead thread fail
        the wait at once, instead of letting it run until the drain timeout."""
        time.sleep(0.05)
        dead = [thread.name for thread in self.threads if not thread.is_alive()]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} stopped")

    def _stop(self) -> None:
        self.arrivals.__exit__(None, None, None)
        self.relay.stopping.set()
        self.consumer.stop()
        for thread in self.threads:
            thread.join(STOP_SECONDS)

    def latencies_ms(self, seconds: float) -> list[float]:
        """Register clients at latency.RATE per second for ``seconds``, and wait
        until all of them are applied. Returns each one's save -> commit in ms."""
        sent: dict[int, float] = {}
        for _ in workload.paced(latency.RATE, seconds):
            workload.register(self.intake)
            sent[self.intake.last_position] = self.intake.save_began
        self.arrivals.wait_for(max(sent))
        return latency.latencies_ms(sent, self.arrivals.at)
