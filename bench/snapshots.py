"""Loading a long trajectory: with snapshots against replaying every event, and how
big its snapshot is as it grows.

Trajectories of 1,000, 10,000 and 100,000 events (an opening, then one noted
intervention after another, each intervention a stream of its own, spread over three
years: the longest guidance runs) are stored in a SQLite file of their own;
guidance's application, which snapshots a trajectory every 20 events, loads each
beside the same application with snapshots switched off, reading the same events.
The ratio is the time with snapshots over the time without; the snapshot's size, as
stored (sealed), shows whether it stays bounded as the trajectory grows.
"""
from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from dataclasses import replace

from bench import report
from bench.resources import Resources, settings
from services.guidance.application import GuidanceApplication
from services.guidance.domain import Intervention, Trajectory
from tests.support.samples import WORKER, intervention_args, trajectory_args

SIZES = (1_000, 10_000, 100_000)
EVENTS = 10_000  # the size bench/sealing.py compares sealed and clear stores at
SPAN = dt.timedelta(days=3 * 365)
PER_SAVE = 100
LOADS = 7  # median of this many loads per side; fewer for a replay of 100,000
NOTE = "a confidential note of ordinary length " * 3
TARGET_MS = 10


def _long_trajectory(app: GuidanceApplication, events: int = EVENTS) -> Trajectory:
    trajectory = Trajectory(opened_by_event=f"bench-{events}", worker=WORKER["user_id"], client_id=uuid.uuid4(),
                            agency=WORKER["agency"], **trajectory_args())
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    now, step = start + SPAN, SPAN / events
    interventions = []
    for n in range(1, events):
        intervention = Intervention.record(trajectory, now, WORKER,
                                           **intervention_args(start + step * n, note=NOTE))
        trajectory.note_intervention(intervention)
        interventions.append(intervention)
        if n % PER_SAVE == 0:
            app.save(trajectory, *interventions)
            interventions.clear()
    app.save(trajectory, *interventions)
    return trajectory


def _snapshot_bytes(app: GuidanceApplication, trajectory_id) -> int:
    last = app.snapshots.recorder.select_events(trajectory_id, desc=True, limit=1)
    return len(last[0].state)


def _median_load_ms(app: GuidanceApplication, trajectory: Trajectory, loads: int) -> float:
    times = []
    for _ in range(loads):
        started = time.perf_counter()
        loaded = app.repository.get(trajectory.id)
        times.append((time.perf_counter() - started) * 1000)
        assert loaded.version == trajectory.version
    return statistics.median(times)


def compare(resources: Resources) -> list[report.Row]:
    store = replace(settings("guidance").store, sqlite_path=resources.tempdir() / "guidance.sqlite")
    with_snapshots = resources.closing(GuidanceApplication(store=store))
    without = resources.closing(GuidanceApplication(store=store, env={"IS_SNAPSHOTTING_ENABLED": "n"}))
    rows, sizes = [], []
    for events in SIZES:
        started = time.monotonic()
        trajectory = _long_trajectory(with_snapshots, events)
        report.detail(f"trajectory of {events:,} events stored in {time.monotonic() - started:.0f} s")
        ours = _median_load_ms(with_snapshots, trajectory, LOADS)
        replay = _median_load_ms(without, trajectory, LOADS if events <= 10_000 else 3)
        size = _snapshot_bytes(with_snapshots, trajectory.id)
        sizes.append(size / 1024)
        report.detail(f"{events:,} events: with snapshots {ours:.1f} ms, replaying all {replay:.1f} ms; "
                      f"snapshot {size / 1024:.1f} KiB, {len(trajectory.attended_days)} days attended")
        rows.append(report.latency_row(f"trajectory load ({events // 1000}k events)", ours,
                                       "replay, no snapshots", replay, max_ours=TARGET_MS))
    # Bounded: the largest trajectory's snapshot within half again of the smallest's.
    rows.append(report.latency_row(f"trajectory snapshot ({SIZES[-1] // 1000}k events)", sizes[-1],
                                   f"at {SIZES[0] // 1000}k events", sizes[0], unit="KiB", max_ratio=1.5))
    return rows
