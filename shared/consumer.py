"""The transport side of a follower: one durable queue per upstream on RabbitMQ.

Messages are handled in delivery order, those that arrived together as one batch,
and acknowledged only after their effects (or their dead letters) are stored, so a
crash redelivers them. On a
connection loss the loop reconnects with backoff; unacknowledged messages go back
to the queue in order. On every (re)connection it first catches up from the
upstream's log, which also covers events published before this queue existed.
"""
from __future__ import annotations

import json
import logging
import threading
import time

import kombu
from kombu import Exchange, Queue

from shared import messaging, metrics
from shared.config import Settings
from shared.follower import Follower

log = logging.getLogger(__name__)

PULL_PAGE = 500
BATCH = 200  # messages applied in one transaction at most


class UpstreamConsumer:
    def __init__(self, settings: Settings, upstream: str, app, rpc_timeout: float = 5.0):
        self.settings = settings
        self.upstream = upstream
        self.rpc_timeout = rpc_timeout
        self.queue_name = messaging.queue_name(settings.service, upstream)
        self.exchange = Exchange(messaging.exchange_name(upstream), type="topic", durable=True)
        self.queue = Queue(
            self.queue_name,
            exchange=self.exchange,
            routing_key="#",
            durable=True,
            queue_arguments=messaging.queue_arguments(settings.queue_type),
        )
        self.dead_exchange = Exchange(messaging.DEAD_LETTER_EXCHANGE, type="direct", durable=True)
        self.dead_queue = Queue(
            messaging.dead_letter_queue_name(settings.service, upstream),
            exchange=self.dead_exchange,
            routing_key=self.queue_name,
            durable=True,
        )
        self.follower = Follower(
            app, settings.service, upstream, app.policies(), pull=self._pull, dead_letter=self._dead_letter
        )
        self.stopping = threading.Event()
        self._producer: kombu.Producer | None = None
        self._pending: list = []
        self._lag = metrics.CONSUMER_LAG.labels(settings.service, upstream)

    # -- what the follower asks of the transport -----------------------------------

    def _pull(self, after: int, until: int | None) -> list[dict]:
        from nameko.standalone.rpc import ClusterRpcProxy

        with ClusterRpcProxy(self.settings.nameko_config, timeout=self.rpc_timeout) as rpc:
            return getattr(rpc, self.upstream).integration_events(after, until, PULL_PAGE)

    def _dead_letter(self, body: bytes | dict, reason: str) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._producer.publish(
            payload,
            exchange=self.dead_exchange,
            routing_key=self.queue_name,
            content_type="application/octet-stream",
            content_encoding="binary",
            headers={"x-jww-reason": reason, "x-jww-upstream": self.upstream},
            delivery_mode=2,
            retry=False,
        )

    # -- the loop ------------------------------------------------------------------

    def _on_message(self, message) -> None:
        self._pending.append(message)

    def _flush(self) -> None:
        """Apply what was delivered so far in one go, then acknowledge all of it at
        once. If applying fails, nothing is acknowledged: the connection is dropped
        and the broker redelivers the lot, in order."""
        if not self._pending:
            return
        # Taken aside first: waiting for a dead letter's confirm drains the
        # connection, which can deliver more messages; they belong to the next batch.
        batch, self._pending = self._pending, []
        self.follower.receive_many([message.body for message in batch])
        batch[-1].ack(multiple=True)  # acknowledges this batch and nothing after it

    def _catch_up(self) -> None:
        try:
            self.follower.fill_gap(until=None)
        except Exception as error:  # upstream not reachable yet: messages and later gaps still work
            log.warning("could not catch up from upstream log", extra={"upstream": self.upstream, "error": type(error).__name__})

    def run(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            try:
                with kombu.Connection(
                    self.settings.amqp_uri, heartbeat=30, transport_options={"confirm_publish": True}
                ) as conn:
                    conn.connect()
                    channel = conn.channel()
                    self.queue(channel).declare()
                    self.dead_queue(channel).declare()
                    self._producer = kombu.Producer(channel)
                    self._pending = []  # unacknowledged on the old connection: redelivered
                    self._catch_up()
                    with kombu.Consumer(
                        conn, queues=[self.queue], on_message=self._on_message,
                        prefetch_count=self.settings.prefetch, no_ack=False,
                    ):
                        attempt = 0
                        log.info("following upstream", extra={"upstream": self.upstream, "queue": self.queue_name})
                        self._drain(conn, channel)
            except Exception:
                attempt += 1
                delay = min(5.0, 0.2 * 2 ** min(attempt, 5))
                log.warning(
                    "follower interrupted; reconnecting",
                    extra={"upstream": self.upstream, "retry_in_seconds": delay},
                    exc_info=True,
                )
                self.stopping.wait(delay)

    def _drain(self, conn, channel) -> None:
        next_lag_check = 0.0
        while not self.stopping.is_set():
            try:
                conn.drain_events(timeout=1)
                # Take whatever else has already arrived, up to a batch.
                while len(self._pending) < BATCH:
                    conn.drain_events(timeout=0)
            except TimeoutError:
                conn.heartbeat_check()
            self._flush()
            now = time.monotonic()
            if now >= next_lag_check:
                _, waiting, _ = self.queue(channel).queue_declare(passive=True)
                self._lag.set(waiting)
                next_lag_check = now + 2.0

    def stop(self) -> None:
        self.stopping.set()
