"""The transport side of a follower: one durable queue per upstream on RabbitMQ,
consumed with kombu's ``ConsumerMixin``.

kombu connects, reconnects after the broker's errors, drains and serves heartbeats.
What this class adds, through the mixin's hooks:

- messages that arrived together are applied as one batch (up to ``BATCH``) and
  acknowledged together, only after their effects (or their dead letters) are
  stored, so a crash redelivers them, in order;
- on every (re)connection, once its queue exists and before the first delivery is
  handled, it catches up from the upstream's log, which also covers events
  published before this queue existed;
- a failure of its own (the store, an upstream's RPC while filling a gap) ends the
  connection too, after a pause that grows while failures follow each other: the
  broker redelivers the batch, and kombu's loop connects again;
- an event version it does not know, of a fact it acts on, stops this upstream
  (shared.follower.UnknownVersion): the same way out, without a traceback, so the
  message comes back after ever longer pauses and is never acknowledged until an
  upgraded follower applies it; the service's other upstreams go on.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Collection

import kombu
from kombu.mixins import ConsumerMixin

from shared import assertions, messaging, metrics
from shared.config import Settings
from shared.follower import Follower, Pull, UnknownVersion

log = logging.getLogger(__name__)

PULL_PAGE = 500
BATCH = 200  # messages applied in one transaction at most
LAG_EVERY_SECONDS = 2.0
# How long a wait for a delivery lasts before the loop looks up (heartbeats, a catch-up
# due, the lag gauge). A delivery ends the wait at once; kombu's default of one second
# woke the platform's thirty-odd followers thirty times a second when nothing
# happened, most of an idle platform's cost (make bench idle: 2.8% of a core, 1.5% at
# five seconds). Heartbeats (30 s) need a look every 15 s.
WAKE_SECONDS = 5.0


class _Stopped(Exception):
    """Raised into kombu's connection retries, which do not look at ``should_stop``."""


class UpstreamConsumer(ConsumerMixin):
    def __init__(
        self, settings: Settings, upstream: str, app, rpc_timeout: float = 5.0,
        pull: Pull | None = None, connection: kombu.Connection | None = None,
        known: Collection[str] | None = None,  # the event types this build reads: its catalogue by default
    ):
        self.settings = settings
        self.upstream = upstream
        self.rpc_timeout = rpc_timeout
        # The mixin connects with clones of this one. Confirms make a dead letter's
        # publish return only once the broker holds it.
        self.connection = connection or kombu.Connection(
            settings.amqp_uri, heartbeat=30, ssl=settings.broker.tls or False,
            transport_options={"confirm_publish": True},
        )
        self.queue = messaging.follower_queue(settings.service, upstream, settings.queue_type)
        self.dead_queue = messaging.dead_letter_queue(settings.service, upstream)
        self.follower = Follower(
            app, settings.service, upstream, app.reactions(),
            pull=pull or self._pull_over_rpc, dead_letter=self._dead_letter, known=known,
        )
        self.stopping = threading.Event()
        self._connection = self._channel = None
        self._producer: kombu.Producer | None = None
        self._pending: list = []
        self._pauses = messaging.pauses()
        self._catch_up_pauses = messaging.pauses()
        self._catch_up_at: float | None = None  # when a failed catch-up is tried again
        self._next_lag_check = 0.0
        self._lag = metrics.CONSUMER_LAG.labels(settings.service, upstream)
        self._signer = None  # made at the first pull: a follower given its pull never needs the key

    @property
    def should_stop(self) -> bool:  # read by kombu's loops
        return self.stopping.is_set()

    def stop(self) -> None:
        self.stopping.set()

    # -- what the follower asks of the transport -----------------------------------

    def _pull_over_rpc(self, after: int, until: int | None) -> list[dict]:
        # The pull is this service's own doing: its system actor asks, under its own key.
        if self._signer is None:
            self._signer = assertions.Signer(self.settings.service)
        args = (after, until, PULL_PAGE)
        publisher, method = self.follower.publisher, messaging.PULLS[self.follower.stream]
        assertion = self._signer.assertion(assertions.system_actor(self.settings.service), publisher,
                                           method, args, correlation_id=uuid.uuid4().hex)
        with messaging.pull_proxy(self.settings.service, self.settings.nameko_config, timeout=self.rpc_timeout,
                                  context_data={assertions.ASSERTION_KEY: assertion}) as rpc:
            return getattr(getattr(rpc, publisher), method)(*args)

    def _dead_letter(self, body: bytes | dict, reason: str) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._producer.publish(
            payload,
            exchange=self.dead_queue.exchange,
            routing_key=self.queue.name,
            content_type="application/octet-stream",
            content_encoding="binary",
            headers={"x-jww-reason": reason, "x-jww-upstream": self.upstream},
            delivery_mode=2,
            retry=False,
        )

    # -- kombu's hooks, in the order it calls them on each connection ---------------

    @contextmanager
    def establish_connection(self):
        # kombu's own, with the platform's pauses and an ear for stop(): its retries
        # would otherwise go on for as long as the broker is away.
        with self.create_connection() as connection:
            connection.ensure_connection(
                self.on_connection_error, self.connect_max_retries,
                callback=self._unless_stopping, **messaging.PAUSES,
            )
            yield connection

    def _unless_stopping(self) -> None:
        if self.should_stop:
            raise _Stopped()

    def on_connection_error(self, error, interval) -> None:
        log.warning(
            "follower interrupted; reconnecting",
            extra={"upstream": self.upstream, "error": type(error).__name__, "retry_in_seconds": interval},
        )

    def on_connection_revived(self) -> None:
        self._pending = []  # unacknowledged on the old connection: the broker redelivers them

    def get_consumers(self, Consumer, channel) -> list:
        return [Consumer(queues=[self.queue], on_message=self._on_message,
                         prefetch_count=self.settings.prefetch, no_ack=False)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs) -> None:
        self._connection, self._channel = connection, channel
        # Made by `jww broker setup`: only checked here, so a missing one stops
        # this session with its name before a dead letter would be lost.
        self.dead_queue(channel).queue_declare(passive=True)
        self._producer = kombu.Producer(channel)
        log.info("following upstream", extra={"upstream": self.upstream, "queue": self.queue.name})
        self._catch_up()

    def on_iteration(self) -> None:
        """Called before each wait for a delivery: what the last wait brought, and
        whatever else has already arrived, is applied now."""
        if self._pending:
            self._take_waiting()
            self._flush()
        if self._catch_up_at is not None and time.monotonic() >= self._catch_up_at:
            self._catch_up()
        self._report_lag()

    def consume(self, *args, **kwargs):
        kwargs["safety_interval"] = WAKE_SECONDS
        try:
            yield from super().consume(*args, **kwargs)
        except _Stopped:
            return
        except self.connection_errors + self.channel_errors as error:
            log.warning("follower interrupted; reconnecting",
                        extra={"upstream": self.upstream, "error": type(error).__name__})
            raise  # kombu's loop reconnects
        except UnknownVersion:
            # Logged once as an error by the follower, with the type; here only the wait.
            pause = next(self._pauses)
            log.info("follower stopped on an unknown event version; retrying",
                     extra={"upstream": self.upstream, "retry_in_seconds": pause})
            self.stopping.wait(pause)
        except Exception:
            # Not the broker's: kombu's loop would end on it. The connection is
            # closed by now, so the broker redelivers the batch; ending this
            # session after a pause lets kombu's loop connect again, catch up and
            # retry it. Wrapping run() in retry_over_time instead would give one
            # sequence of pauses for the process's life: they would never start
            # short again after a healthy spell (here they do, at each applied batch).
            pause = next(self._pauses)
            log.warning("follower interrupted; reconnecting",
                        extra={"upstream": self.upstream, "retry_in_seconds": pause}, exc_info=True)
            self.stopping.wait(pause)

    # -- batches --------------------------------------------------------------------

    def _on_message(self, message) -> None:
        self._pending.append(message)

    def _take_waiting(self) -> None:
        try:
            while len(self._pending) < BATCH:
                self._connection.drain_events(timeout=0)
        except TimeoutError:
            pass

    def _flush(self) -> None:
        """Apply what was delivered so far in one go, then acknowledge all of it at
        once. If applying fails, nothing is acknowledged."""
        if not self._pending:
            return
        # Taken aside first: waiting for a dead letter's confirm drains the
        # connection, which can deliver more messages; they belong to the next batch.
        batch, self._pending = self._pending, []
        self.follower.receive_many([message.body for message in batch])
        batch[-1].ack(multiple=True)  # acknowledges this batch and nothing after it
        self._pauses = messaging.pauses()  # failures in a row are over

    def _catch_up(self) -> None:
        self._catch_up_at = None
        try:
            self.follower.fill_gap(until=None)
        except UnknownVersion:
            raise  # the upstream stops here: consuming its queue would only meet it again
        except Exception as error:
            # Upstream or store not reachable yet. Messages keep being applied, and a
            # later one would reveal the gap; but an upstream that has gone quiet sends
            # none, so the catch-up is tried again on its own, after a pause.
            pause = next(self._catch_up_pauses)
            self._catch_up_at = time.monotonic() + pause
            log.warning("could not catch up from upstream log",
                        extra={"upstream": self.upstream, "error": type(error).__name__, "retry_in_seconds": pause})
        else:
            self._catch_up_pauses = messaging.pauses()

    def _report_lag(self) -> None:
        now = time.monotonic()
        if now < self._next_lag_check:
            return
        _, waiting, _ = self.queue(self._channel).queue_declare(passive=True)
        self._lag.set(waiting)
        self._next_lag_check = now + LAG_EVERY_SECONDS
