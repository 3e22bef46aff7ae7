"""Loading a long trajectory: with snapshots against replaying every event.

A trajectory of 10,000 events (its opening, then one noted intervention after
another, each intervention a stream of its own) is stored once in a SQLite file of
its own; guidance's application, which snapshots a trajectory every 200 events,
loads it beside the same application with snapshots switched off, reading the same
events. The ratio is the time with snapshots over the time without.
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

EVENTS = 10_000
PER_SAVE = 100
LOADS = 7  # median of this many loads per side
NOTE = "a confidential note of ordinary length " * 3


def _long_trajectory(app: GuidanceApplication) -> Trajectory:
    trajectory = Trajectory(opened_by_event="bench", worker=WORKER["user_id"], client_id=uuid.uuid4(),
                            agency=WORKER["agency"], **trajectory_args())
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    now = start + dt.timedelta(hours=EVENTS)
    interventions = []
    for n in range(1, EVENTS):
        intervention = Intervention.record(trajectory, now, WORKER,
                                           **intervention_args(start + dt.timedelta(hours=n), note=NOTE))
        trajectory.note_intervention(intervention)
        interventions.append(intervention)
        if n % PER_SAVE == 0:
            app.save(trajectory, *interventions)
            interventions.clear()
    app.save(trajectory, *interventions)
    return trajectory


def _median_load_ms(app: GuidanceApplication, trajectory_id) -> float:
    times = []
    for _ in range(LOADS):
        started = time.perf_counter()
        loaded = app.repository.get(trajectory_id)
        times.append((time.perf_counter() - started) * 1000)
        assert loaded.version == EVENTS
    return statistics.median(times)


def compare(resources: Resources) -> list[report.Row]:
    store = replace(settings("guidance").store, sqlite_path=resources.tempdir() / "guidance.sqlite")
    with_snapshots = resources.closing(GuidanceApplication(store=store))
    trajectory = _long_trajectory(with_snapshots)
    without = resources.closing(GuidanceApplication(store=store, env={"IS_SNAPSHOTTING_ENABLED": "n"}))
    ours = _median_load_ms(with_snapshots, trajectory.id)
    replay = _median_load_ms(without, trajectory.id)
    report.detail(f"trajectory of {EVENTS:,} events: with snapshots {ours:.1f} ms, replaying all {replay:.1f} ms")
    return [report.latency_row(f"trajectory load ({EVENTS // 1000}k events)", ours, "replay, no snapshots", replay)]
