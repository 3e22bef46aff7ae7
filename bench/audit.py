"""Audit on PostgreSQL: verifying every hash chain against a raw sequential read of
the same records, and replaying a client's file item by item from a 10,000-event
timeline.

One temporary audit store holds one client with 10,000 timeline entries and ten
clients with 1,000 each (20,000 records in all, realistic integration-event data).
Verify is ``shared.chain.verify`` over the whole store; the baseline pages through
the same rows with psycopg, in the same page size and order, doing nothing with
them. Replay is ``AuditApplication.replay`` (load with snapshots, record the read,
fold the file item by item: here 5,001 interventions, each with its fields); the
baseline fetches the same client's stored events raw. The issue's target is 100 ms
for the whole replay. The fold alone is measured too, beside a pass that only copies
each entry's data (the least any fold does), to show what the items cost over that.
"""
from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid

from bench import report
from bench.resources import Resources, postgres_connect
from services.audit.application import AuditApplication
from services.audit.domain import Timeline
from services.audit.replay import file_at
from shared import chain
from shared.contracts.base import event_type
from shared.contracts.declare import personal_fields
from shared.contracts.guidance import InterventionRecordedV1
from tests.support.samples import AUDITOR, WORKER, intervention_args

LONG = 10_000
OTHERS, EACH = 10, 1_000
PER_SAVE = 100
RUNS = 5  # median of this many, each side
START = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
RECORDED = event_type("guidance", "intervention-recorded", 1)
PERSONAL = personal_fields(InterventionRecordedV1)  # stored sealed, apart, as audit's policy records them


def _intervention_recorded(client_id: uuid.UUID, at: dt.datetime) -> dict:
    """The data of a sample intervention's integration event, as guidance publishes it."""
    return InterventionRecordedV1().dump({
        "client_id": client_id, "trajectory_id": uuid.uuid4(), "agency": WORKER["agency"],
        "intervention_id": uuid.uuid4(), "worker": WORKER["user_id"], "worker_profile": WORKER["role"],
        **intervention_args(at),
    })


def _fill(app: AuditApplication, entries: int) -> uuid.UUID:
    client_id = uuid.uuid4()
    timeline = Timeline(client_id=client_id)
    for n in range(entries - 1):
        at = START + dt.timedelta(hours=n)
        timeline.record_entry(str(uuid.uuid4()), "guidance", RECORDED, at, n + 1, WORKER["agency"],
                              WORKER["user_id"], WORKER["role"], _intervention_recorded(client_id, at), PERSONAL)
        if n % PER_SAVE == 0:
            app.save(timeline)
    app.save(timeline)
    return client_id


def _median_ms(fn) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _raw_read(conn, table: str) -> int:
    count, position = 0, 0
    while True:
        rows = conn.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {table} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s", (position, chain.PAGE)).fetchall()
        count += len(rows)
        if len(rows) < chain.PAGE:
            return count
        position = rows[-1][0]


def _verify(app) -> None:
    if list(chain.verify(app.recorder)):
        raise AssertionError("a freshly written store does not verify")


def compare(res: Resources) -> list[report.Row]:
    total = LONG + OTHERS * EACH
    report.section(f"Audit: {total:,} timeline records on PostgreSQL (temporary database)")
    store = res.postgres_store("audit")
    app = res.closing(AuditApplication(store=store))
    long_client = _fill(app, LONG)
    for _ in range(OTHERS):
        _fill(app, EACH)
    conn = res.closing(postgres_connect(store, autocommit=True))
    table = f"{type(app).__name__.lower()}_events"
    records = app.recorder.max_notification_id()

    _verify(app), _raw_read(conn, table)  # warm both paths
    verify_ms = _median_ms(lambda: _verify(app))
    raw_ms = _median_ms(lambda: _raw_read(conn, table))
    verify_rate, raw_rate = records / verify_ms * 1000, records / raw_ms * 1000
    report.detail(f"verify {records:,} records: ours {verify_rate:,.0f}/s (chain.verify)   "
                  f"raw sequential read {raw_rate:,.0f}/s (psycopg, pages of {chain.PAGE})")

    at = START + dt.timedelta(hours=LONG // 2)
    stream = Timeline.create_id(long_client)
    replay = None

    def ours():
        nonlocal replay
        replay = app.replay(AUDITOR, long_client, at, "bench")

    def raw():
        conn.execute(f"SELECT state FROM {table} WHERE originator_id = %s ORDER BY originator_version",
                     (stream,)).fetchall()

    ours(), raw()
    replay_ms, raw_replay_ms = _median_ms(ours), _median_ms(raw)
    assert replay["facts"] == LONG // 2 + 1  # entries at hours 0..5000
    items = replay["file"]["trajectory"]["interventions"]
    assert len(items) == LONG // 2 + 1 and items[-1]["method"] and items[-1]["recorded"]  # the file, item by item
    report.detail(f"replay of a {LONG:,}-event client at an instant, item by item: ours {replay_ms:.1f} ms "
                  f"(load with snapshots, record the read, fold)   raw fetch of its events {raw_replay_ms:.1f} ms")

    facts = app.repository.get(stream).facts(until=at)
    fold_ms = _median_ms(lambda: file_at(facts))
    copy_ms = _median_ms(lambda: [dict(entry["data"]) for entry in facts])
    report.detail(f"of which the fold of {len(facts):,} facts into items: {fold_ms:.1f} ms   "
                  f"a copy of each fact's data {copy_ms:.1f} ms; the rest loads the timeline and records the read")
    return [
        report.rate_row("verify chains (PG)", verify_rate, "raw sequential read", raw_rate, min_ratio=0.5),
        report.latency_row(f"replay item by item ({LONG // 1000}k-event client)", replay_ms,
                           "raw fetch of its events", raw_replay_ms, max_ours=100),
        report.latency_row(f"fold into items ({LONG // 2000}k facts)", fold_ms, "copy of each fact's data", copy_ms),
    ]
