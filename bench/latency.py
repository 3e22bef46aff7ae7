"""End-to-end latency at a steady offered rate, against a raw RabbitMQ round trip.

Ours: the real processes (``jww serve intake``, ``jww serve guidance``, ``jww relay
intake``) on a fresh vhost with SQLite stores in a temporary folder. This process
registers intake clients at a steady rate in intake's store (the file the relay
reads), noting each event's log position and when its ``save()`` began, while a
thread polls guidance's store every millisecond for its tracking position of
"intake" (stored in the same transaction as the effect) and notes when each
position became applied.

Baseline: one py-amqp connection publishes persistent messages (a real intake
envelope as body) at the same rate to a durable queue, another consumes and
acknowledges them; the latency is from before ``basic_publish`` to the consumer's
receipt.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import amqp

from bench import broker, report, workload
from bench.resources import Resources
from services.guidance.application import GuidanceApplication
from shared import messaging
from shared.contracts import encode
from shared.outbox import Outbox
from tests.support.broker import connect, has_consumer, wait_until

RATE = 200  # events offered per second
SECONDS = 10  # measured
WARM_UP_SECONDS = 1  # offered at the same rate before measuring, not counted
POLL_SECONDS = 0.001
DRAIN_TIMEOUT = 30  # for the last events to arrive after the offered load ends
TARGET_P99_MS = 50
PERCENTILES = (50, 95, 99)


def latencies_ms(sent: dict[int, float], arrived: dict[int, float]) -> list[float]:
    missing = [key for key in sent if key not in arrived]
    if missing:
        raise AssertionError(f"{len(missing)} of {len(sent)} events never arrived (first: {missing[0]})")
    return [(arrived[key] - sent[key]) * 1000 for key in sent]


class Arrivals:
    """Notes when each key (a log position, a message's sequence number) first
    arrived. A thread calls ``step(arrivals)`` over and over until the ``with``
    block ends; an error there is raised by ``wait_for``."""

    def __init__(self, step: Callable[["Arrivals"], None]) -> None:
        self.step = step
        self.at: dict[int, float] = {}
        self.highest = 0
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-arrivals", daemon=True)

    def __enter__(self) -> "Arrivals":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(5)

    def arrived(self, key: int, when: float) -> None:
        self.at.setdefault(key, when)
        self.highest = max(self.highest, key)

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.step(self)
        except BaseException as error:  # reported by wait_for
            self.error = error

    def wait_for(self, key: int, timeout: float = DRAIN_TIMEOUT) -> None:
        def done():
            if self.error is not None:
                raise self.error
            return self.highest >= key

        wait_until(done, timeout, interval=0.01, what=f"{key} to arrive")


def polling(position: Callable[[], int]) -> Callable[[Arrivals], None]:
    """A step reading the highest position applied so far, every POLL_SECONDS:
    every position up to it arrived now."""

    def step(arrivals: Arrivals) -> None:
        highest = position()
        now = time.monotonic()
        for key in range(arrivals.highest + 1, highest + 1):
            arrivals.arrived(key, now)
        time.sleep(POLL_SECONDS)

    return step


def consuming(connection: amqp.Connection) -> Callable[[Arrivals], None]:
    """A step serving the connection's consumers (their callbacks note arrivals)."""

    def step(arrivals: Arrivals) -> None:
        try:
            connection.drain_events(timeout=0.2)
        except TimeoutError:
            pass

    return step


def offer(send, seconds: float) -> dict[int, float]:
    """Call ``send()`` at RATE per second for ``seconds``; it returns the key of what
    it sent (a log position, a sequence number). Returns key -> time sending began."""
    sent = {}
    for _ in workload.paced(RATE, seconds):
        began = time.monotonic()
        sent[send()] = began
    return sent


def measure(send: Callable[[], int], arrivals: Arrivals) -> list[float]:
    """Warm up, then offer the measured load; latencies (ms) of what was sent."""
    arrivals.wait_for(max(offer(send, WARM_UP_SECONDS)))
    sent = offer(send, SECONDS)
    arrivals.wait_for(max(sent))
    return latencies_ms(sent, arrivals.at)


def ours(res: Resources) -> tuple[list[float], broker.Message]:
    """Latencies (ms) of intake saves reaching guidance's store; and one message
    as the relay published it, for the baseline to send."""
    platform = res.platform()
    for role, service in (("serve", "intake"), ("serve", "guidance"), ("relay", "intake")):
        platform.start(service, role)
    try:
        for queue in ("rpc-intake", "jww.guidance.from.intake"):
            wait_until(lambda: has_consumer(platform.amqp_uri, queue), 60, interval=0.2,
                       what=f"a consumer on {queue}")
        intake = res.closing(workload.BenchIntake(store=platform.settings("intake").store))
        guidance = res.closing(GuidanceApplication(store=platform.settings("guidance").store))

        def save() -> int:
            workload.register(intake)
            return intake.last_position

        with Arrivals(polling(lambda: guidance.position_of("intake"))) as arrivals:
            latencies = measure(save, arrivals)
        event = Outbox(intake).read(after=0, limit=1)[0]
        return latencies, (event["type"], encode(event), event["id"])
    except Exception:
        report.detail("process logs:\n" + platform.log_tails(2000))
        raise


def raw_round_trip(res: Resources, message: broker.Message) -> list[float]:
    routing_key, body, _ = message
    uri = res.vhost()
    sink = broker.Sink(res, uri, "bench.rtt", "bench.rtt")
    consumer = res.closing(connect(uri))
    channel = res.closing(connect(uri)).channel()
    count = iter(range(1, 1 << 30))

    def send() -> int:
        key = next(count)
        channel.basic_publish(
            amqp.Message(body, content_type=messaging.CONTENT_TYPE, delivery_mode=2, message_id=str(key)),
            exchange=sink.exchange, routing_key=routing_key,
        )
        return key

    arrivals = Arrivals(consuming(consumer))

    def received(delivered: amqp.Message) -> None:
        arrivals.arrived(int(delivered.message_id), time.monotonic())
        delivered.channel.basic_ack(delivered.delivery_tag)

    consumer.channel().basic_consume(sink.queue, callback=received)  # before its thread starts
    with arrivals:
        return measure(send, arrivals)


def _describe(label: str, values: list[float]) -> None:
    figures = "  ".join(f"p{p} {report.percentile(values, p):6.1f} ms" for p in PERCENTILES)
    report.detail(f"{label:<34} {figures}   max {max(values):6.1f} ms   n={len(values)}")


def compare(res: Resources) -> list[report.Row]:
    report.section(f"End-to-end latency at {RATE} events/s for {SECONDS} s (after {WARM_UP_SECONDS} s warm-up)")
    with Resources() as platform:  # processes stopped before the baseline runs
        ours_ms, message = ours(platform)
    _describe("ours: intake save -> guidance store", ours_ms)
    raw_ms = raw_round_trip(res, message)
    _describe("raw RabbitMQ publish -> consume", raw_ms)
    return [
        report.latency_row(
            f"latency p{p} (save -> effect, {RATE}/s)",
            report.percentile(ours_ms, p),
            "raw RabbitMQ round trip",
            report.percentile(raw_ms, p),
            max_ours=TARGET_P99_MS if p == 99 else None,
        )
        for p in PERCENTILES
    ]
