"""What event signatures cost in append, relay and end-to-end latency. Each figure
is measured with signatures and without, side by side in the same run. The sides
take turns in rounds (signed first, then unsigned first), so that drift hits both.

"Without signatures" exists only inside this process, and only inside an
``unsigned()`` block. There ``shared.signing.sign``, which the outbox calls, returns
the envelope unchanged, with no ``jwwsignature``. ``shared.signing.verify``, which
the follower calls, accepts anything. The platform has no such switch, on purpose:
a follower that could be told not to verify would accept a forgery.

- Append: signing happens when the relay publishes, not when an event is stored.
  The store holds unsigned domain events, so the two sides run the same code, and
  this run counts the calls to ``sign`` during the signed turns to show it.
- Relay: the same Relay and ConfirmingPublisher as bench/relay.py (a fresh vhost,
  SQLite store), publishing stored events with and without signing them.
- End to end: bench/pipeline.py, at bench/latency.py's offered rate.
"""
from __future__ import annotations

import contextlib
import time
from typing import Callable, TypeVar
from unittest import mock

from bench import append, broker, latency, relay, report, workload
from bench.pipeline import Pipeline
from bench.resources import Resources, settings
from shared import signing
from shared.messaging import ConfirmingPublisher, exchange_name, queue_name
from shared.outbox import Outbox
from shared.relay import Relay

ROUNDS = 4  # turns per side; which side goes first alternates
APPEND_EVENTS = 2_000  # per side
RELAY_EVENTS = 10_000  # per side
E2E_SECONDS = 10  # measured per side, at latency.RATE
E2E_WARM_UP_SECONDS = 1  # per side, not counted
WITHOUT = "no-op sign/verify"

T = TypeVar("T")


@contextlib.contextmanager
def unsigned():
    """Inside the block, and in this process only, events are published unsigned
    and accepted unverified."""
    with mock.patch.object(signing, "sign", lambda event, key: event), \
            mock.patch.object(signing, "verify", lambda event, keys: "unchecked"):
        yield


class _Counted:
    """A stand-in for a function of shared.signing that counts its calls, and
    costs far less than a Mock would on the side it counts."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


@contextlib.contextmanager
def counted():
    """Counts the real sign and verify calls in the block. unsigned() hides the
    counters for its own turns, so only the signed turns are counted."""
    sign, verify = _Counted(signing.sign), _Counted(signing.verify)
    with mock.patch.object(signing, "sign", sign), mock.patch.object(signing, "verify", verify):
        yield sign, verify


def _alternating(turn: Callable[[], T]) -> dict[bool, list[T]]:
    """``turn()``'s results, signed (True) and unsigned (False), ROUNDS each, in
    the order S U, U S, and so on."""
    results: dict[bool, list[T]] = {True: [], False: []}
    for r in range(ROUNDS):
        for signed in ((True, False) if r % 2 == 0 else (False, True)):
            with contextlib.nullcontext() if signed else unsigned():
                results[signed].append(turn())
    return results


def _timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def _append(res: Resources) -> list[report.Row]:
    store = res.postgres_store("intake")
    app = res.closing(workload.BenchIntake(store=store))
    append.ours_single(app, append.WARM_UP)
    per_turn = APPEND_EVENTS // ROUNDS
    with counted() as (sign, _):
        seconds = _alternating(lambda: _timed(append.ours_single, app, per_turn))
    on, off = (APPEND_EVENTS / sum(seconds[side]) for side in (True, False))
    report.detail(f"append (PG, 1 event/txn): signing on {on:,.0f}/s   off {off:,.0f}/s   ratio {on / off:.2f}")
    report.detail(f"  the same code either way: sign was called {sign.calls} times while appending, because "
                  f"the store holds unsigned domain events and the relay signs them when it publishes")
    return [report.rate_row("append, signing on (PG, 1 event/txn)", on, f"signing off ({WITHOUT})", off)]


def _relay(res: Resources) -> list[report.Row]:
    workdir, uri = res.tempdir(), res.vhost()
    intake = settings("intake", {"JWW_STORE_SQLITE_PATH": str(workdir / "intake.sqlite"), "AMQP_URI": uri})
    app = res.closing(workload.BenchIntake(store=intake.store))
    exchange = exchange_name("intake")
    sink = broker.Sink(res, uri, exchange, queue_name("bench", "intake"), intake.queue_type)
    publisher = res.closing(ConfirmingPublisher(uri, (exchange,)))
    the_relay = Relay(Outbox(app), publisher, batch=intake.relay_batch, poll_seconds=intake.relay_poll_seconds)
    per_turn = RELAY_EVENTS // ROUNDS

    def turn() -> float:
        workload.prestore(app, per_turn)  # stored the same way for both sides, outside the timing
        seconds = relay.relay_seconds(the_relay)
        sink.expect(per_turn, "relay")
        return seconds

    with counted() as (sign, _):
        seconds = _alternating(turn)
    on, off = (RELAY_EVENTS / sum(seconds[side]) for side in (True, False))
    report.detail(f"relay (batch {intake.relay_batch}): signing {on:,.0f}/s   not signing {off:,.0f}/s   "
                  f"ratio {on / off:.2f}   ({(1 / on - 1 / off) * 1e6:,.0f} us per event more when signing)")
    report.detail(f"  signed turns signed {sign.calls:,} events; unsigned envelopes also lack the "
                  f"jwwsignature attribute, so their messages are smaller")
    return [report.rate_row("relay, signing (SQLite -> RabbitMQ)", on, f"relay not signing ({WITHOUT})", off)]


def _end_to_end(res: Resources) -> list[report.Row]:
    report.detail(
        f"end to end, one process over RabbitMQ (bench/pipeline.py): intake save -> relay thread -> "
        f"jww.guidance.from.intake -> follower thread commits; {latency.RATE}/s, {E2E_SECONDS} s per side"
    )
    report.detail("  (the threads share one GIL: compare the two sides, not these figures with the latency above)")
    pipeline = Pipeline(res)
    for signed in (True, False):  # each side's first events pay for connections and caches
        with contextlib.nullcontext() if signed else unsigned():
            pipeline.latencies_ms(E2E_WARM_UP_SECONDS)
    # Each turn ends only once every event it sent is committed. No event signed
    # in one mode can then be verified in the other.
    with counted() as (sign, verify):
        runs = _alternating(lambda: pipeline.latencies_ms(E2E_SECONDS / ROUNDS))
    on, off = ([ms for run in runs[side] for ms in run] for side in (True, False))
    _describe("signed, verified", on)
    _describe(f"unsigned, unverified ({WITHOUT})", off)
    report.detail(f"  signed turns: {len(on):,} events, {sign.calls:,} signed by the relay, "
                  f"{verify.calls:,} verified by the follower")
    return [
        report.latency_row(f"e2e p{p}, signed+verified (1 process, {latency.RATE}/s)", report.percentile(on, p),
                           f"unsigned ({WITHOUT})", report.percentile(off, p))
        for p in latency.PERCENTILES
    ]


def _describe(label: str, values: list[float]) -> None:
    figures = "  ".join(f"p{p} {report.percentile(values, p):6.1f} ms" for p in latency.PERCENTILES)
    report.detail(f"  {label:<38} {figures}   max {max(values):6.1f} ms   n={len(values)}")


def compare(res: Resources) -> list[report.Row]:
    report.section(
        f"Signatures on vs off ({WITHOUT}: shared.signing.sign and verify patched in this process only; "
        f"no production switch), {ROUNDS} alternating rounds per side"
    )
    rows = []
    # Each part gets its own temporary servers, released before the next starts.
    for part in (_append, _relay, _end_to_end):
        with Resources() as own:
            rows.extend(part(own))
    return rows
