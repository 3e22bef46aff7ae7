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

import os
import threading
import time
from pathlib import Path

import amqp

from bench import broker, report, workload
from bench.resources import Resources, amqp_connect, settings, wait_until
from services.guidance.application import GuidanceApplication
from shared import messaging
from shared.contracts import encode
from shared.outbox import Outbox

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
    """A thread calling ``poll()`` (the highest position applied so far) every
    ``POLL_SECONDS`` and noting when each position first appeared."""

    def __init__(self, poll) -> None:
        self.poll = poll
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

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                position = self.poll()
                now = time.monotonic()
                for applied in range(self.highest + 1, position + 1):
                    self.at[applied] = now
                self.highest = max(self.highest, position)
                time.sleep(POLL_SECONDS)
        except BaseException as error:  # reported by wait_for
            self.error = error

    def wait_for(self, position: int, timeout: float) -> None:
        def arrived():
            if self.error is not None:
                raise self.error
            return self.highest >= position

        wait_until(arrived, timeout, f"position {position} to be applied", interval=0.01)


def offer(send, seconds: float) -> dict[int, float]:
    """Call ``send()`` at RATE per second for ``seconds``; it returns the key of what
    it sent (a log position, a sequence number). Returns key -> time sending began."""
    sent = {}
    for _ in workload.paced(RATE, seconds):
        began = time.monotonic()
        sent[send()] = began
    return sent


def queue_has_consumer(uri: str, queue: str) -> bool:
    try:
        with amqp_connect(uri) as connection:
            _, _, consumers = connection.channel().queue_declare(queue, passive=True)
            return consumers > 0
    except amqp.exceptions.NotFound:
        return False


def _platform_env(workdir: Path, uri: str, service: str) -> dict[str, str]:
    """The environment ``jww`` gets, as tests/support/platform.py sets it."""
    return {
        **os.environ,
        "AMQP_URI": uri,
        "JWW_STORE_SQLITE_PATH": str(workdir / f"{service}.sqlite"),
        "JWW_METRICS_PORT": "0",
        "JWW_METRICS_RELAY_PORT": "0",
    }


def _log_tails(workdir: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in sorted(workdir.glob("*.log")))


def ours(res: Resources) -> tuple[list[float], broker.Message]:
    """Latencies (ms) of intake saves reaching guidance's store; and one message
    as the relay published it, for the baseline to send."""
    workdir = res.tempdir()
    uri = res.vhost()
    env = {service: _platform_env(workdir, uri, service) for service in ("intake", "guidance")}
    for role, service in (("serve", "intake"), ("serve", "guidance"), ("relay", "intake")):
        res.jww(role, service, env[service], workdir)
    try:
        for queue in ("rpc-intake", "jww.guidance.from.intake"):
            wait_until(lambda: queue_has_consumer(uri, queue), 60, f"a consumer on {queue}", interval=0.2)
        intake = res.closing(workload.RecordingIntake(store=settings("intake", env["intake"]).store))
        guidance = res.closing(GuidanceApplication(store=settings("guidance", env["guidance"]).store))

        def save() -> int:
            workload.register(intake)
            return intake.last_position

        with Arrivals(lambda: guidance.position_of("intake")) as arrivals:
            arrivals.wait_for(max(offer(save, WARM_UP_SECONDS)), DRAIN_TIMEOUT)
            sent = offer(save, SECONDS)
            arrivals.wait_for(max(sent), DRAIN_TIMEOUT)
        event = Outbox(intake).read(after=0, limit=1)[0]
        return latencies_ms(sent, arrivals.at), (event["type"], encode(event), event["id"])
    except Exception:
        report.detail("process logs:\n" + _log_tails(workdir))
        raise


class _Receiver:
    """A consuming connection on its own thread, noting when each message arrived."""

    def __init__(self, res: Resources, uri: str, queue: str) -> None:
        self.at: dict[int, float] = {}
        self.connection = res.closing(amqp_connect(uri))
        channel = self.connection.channel()
        channel.basic_consume(queue, callback=self._on_message)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="bench-receiver", daemon=True)
        self.thread.start()
        res.callback(self.stop)

    def _on_message(self, message: amqp.Message) -> None:
        self.at[int(message.message_id)] = time.monotonic()
        message.channel.basic_ack(message.delivery_tag)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.connection.drain_events(timeout=0.2)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)

    @property
    def highest(self) -> int:
        return max(self.at, default=0)


def raw_round_trip(res: Resources, message: broker.Message) -> list[float]:
    routing_key, body, _ = message
    uri = res.vhost()
    sink = broker.Sink(res, uri, "bench.rtt", "bench.rtt")
    receiver = _Receiver(res, uri, sink.queue)
    channel = res.closing(amqp_connect(uri)).channel()
    count = iter(range(1, 1 << 30))

    def send() -> int:
        key = next(count)
        channel.basic_publish(
            amqp.Message(body, content_type=messaging.CONTENT_TYPE, delivery_mode=2, message_id=str(key)),
            exchange=sink.exchange, routing_key=routing_key,
        )
        return key

    warm_up = offer(send, WARM_UP_SECONDS)
    wait_until(lambda: receiver.highest >= max(warm_up), DRAIN_TIMEOUT, "the warm-up messages")
    sent = offer(send, SECONDS)
    wait_until(lambda: receiver.highest >= max(sent), DRAIN_TIMEOUT, "the last message")
    return latencies_ms(sent, receiver.at)


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
