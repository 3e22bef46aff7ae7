"""Append throughput on PostgreSQL: intake's store against raw psycopg inserts.

Ours is ``IntakeApplication.register_client`` (one aggregate, one event, one
transaction per call) on a PostgreSQL database of its own. The baseline inserts the
very rows the store writes (the same stored-event shapes: uuid, version, topic,
bytea state, bigserial notification id) into a table shaped like eventsourcing's
``stored_events`` in the same database, one row per transaction. A second pair saves
many aggregates at once against ``executemany`` in one transaction.

The two sides alternate in rounds so that a drift of the disk or the server hits
both alike.
"""
from __future__ import annotations

import time

from bench import report, workload
from bench.resources import Resources, postgres_connect

EVENTS = 2000  # per side, for each pair
ROUNDS = 4  # alternating rounds per side
WARM_UP = 50
PER_SAVE = 100  # aggregates per save (rows per transaction) in the batched pair

RAW_TABLE = "raw_stored_events"
CREATE_RAW = f"""
CREATE TABLE {RAW_TABLE} (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX {RAW_TABLE}_notification_id_idx ON {RAW_TABLE} (notification_id ASC);
"""
INSERT_RAW = f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"


def stored_rows(app, count: int) -> list[tuple]:
    """Rows exactly as the store would write ``count`` registrations."""
    rows = []
    for client in workload.new_clients(app, count):
        for event in client.collect_events():
            stored = app.mapper.to_stored_event(event)
            rows.append((stored.originator_id, stored.originator_version, stored.topic, stored.state))
    return rows


def _timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def ours_single(app, count: int) -> None:
    for _ in range(count):
        workload.register(app)


def ours_batched(app, count: int) -> None:
    for start in range(0, count, PER_SAVE):
        app.save(*workload.new_clients(app, min(PER_SAVE, count - start)))


def raw_single(conn, rows: list[tuple]) -> None:
    for row in rows:
        conn.execute(INSERT_RAW, row)
        conn.commit()


def raw_batched(conn, rows: list[tuple]) -> None:
    for start in range(0, len(rows), PER_SAVE):
        with conn.cursor() as cur:
            cur.executemany(INSERT_RAW, rows[start:start + PER_SAVE])
        conn.commit()


def _alternate(ours, raw, app, conn, rows: list[tuple]) -> tuple[float, float]:
    """Rates (events/s) of ours and raw over the same number of events, in rounds."""
    per_round = len(rows) // ROUNDS
    ours_seconds = raw_seconds = 0.0
    for r in range(ROUNDS):
        ours_seconds += _timed(ours, app, per_round)
        raw_seconds += _timed(raw, conn, rows[r * per_round:(r + 1) * per_round])
    total = per_round * ROUNDS
    return total / ours_seconds, total / raw_seconds


def compare(res: Resources) -> list[report.Row]:
    report.section(f"Append: {EVENTS:,} intake events per side on PostgreSQL (temporary database)")
    store = res.postgres_store("intake")
    app = res.closing(workload.BenchIntake(store=store))
    conn = res.closing(postgres_connect(store, autocommit=False))
    conn.execute(CREATE_RAW)
    conn.commit()

    # Warm both paths (connection pool, prepared statements, caches) before timing.
    ours_single(app, WARM_UP)
    raw_single(conn, stored_rows(app, WARM_UP))

    ours, raw = _alternate(ours_single, raw_single, app, conn, stored_rows(app, EVENTS))
    report.detail(f"1 event/txn:  ours {ours:,.0f}/s (register_client)   raw psycopg {raw:,.0f}/s (INSERT; COMMIT)")
    b_ours, b_raw = _alternate(ours_batched, raw_batched, app, conn, stored_rows(app, EVENTS))
    report.detail(
        f"{PER_SAVE} events/txn: ours {b_ours:,.0f}/s (save of {PER_SAVE} aggregates)   "
        f"raw psycopg {b_raw:,.0f}/s (executemany)"
    )
    stored = app.recorder.max_notification_id()
    expected = WARM_UP + 2 * EVENTS
    if stored != expected:
        raise AssertionError(f"the store holds {stored} events, expected {expected}")
    return [
        report.rate_row("append (PG, 1 event/txn)", ours, "raw psycopg", raw, min_ratio=0.5),
        report.rate_row(f"append (PG, {PER_SAVE} events/txn)", b_ours, "raw psycopg executemany", b_raw),
    ]
