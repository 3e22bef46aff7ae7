"""What verifying a store costs: shared/evidence.py's whole check of an intake store
(every chain recomputed, every checkpoint cross-checked in the same pass, every copy
and snapshot compared) beside a raw sequential read of the same records (the library's
own paging, nothing done with them), in the same run, as records per second. The
issue's target: verification at least half as fast as the raw read.
"""
from __future__ import annotations

import time

from bench import report, workload
from bench.resources import Resources, settings
from shared import chain, checkpoints, evidence, keys

EVENTS = 40_000
CHECKPOINT_EVERY = 2_000  # registrations between checkpoints (the relay takes one every few seconds)
MIN_RATIO = 0.5


def _rate(work, count: int) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def compare(res: Resources) -> list[report.Row]:
    workdir = res.tempdir()
    intake = settings("intake", {"JWW_STORE_SQLITE_PATH": str(workdir / "intake.sqlite")})
    report.section(f"Verification: an intake store of {EVENTS:,} registrations, records per second")
    app = res.closing(workload.BenchIntake(store=intake.store))
    path = workdir / "checkpoints.jsonl"
    taker = checkpoints.Checkpointer(app, keys.signing_key(keys.events_key_name("intake")), path, every_seconds=0)
    for start in range(0, EVENTS, CHECKPOINT_EVERY):
        workload.prestore(app, CHECKPOINT_EVERY)
        taker.take()
    records = app.recorder.max_notification_id()

    def raw() -> None:
        for _ in chain.records(app.recorder):
            pass

    def verify() -> None:
        problems = evidence.verify(app, path)
        if problems:
            raise AssertionError(f"an untouched store does not verify: {problems[:3]}")

    raw(), verify()  # warm: the file system's cache, the keys
    rounds = [(_rate(verify, records), _rate(raw, records)) for _ in range(3)]
    ours, baseline = max(r[0] for r in rounds), max(r[1] for r in rounds)
    report.detail(f"{records:,} records, {len(checkpoints.read(path)[0])} checkpoints: verify {ours:,.0f}/s, "
                  f"raw read {baseline:,.0f}/s (best of 3 each)")
    return [report.rate_row("verify a store (chains, checkpoints, snapshots)", ours, "raw sequential read", baseline,
                            min_ratio=MIN_RATIO)]
