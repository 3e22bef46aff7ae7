"""Read models of guidance, kept by tailing its own log (see intake's projections)."""
from __future__ import annotations

import threading
from uuid import UUID

from eventsourcing.utils import get_topic

from services.guidance.domain import Trajectory


class TrajectoryIndex:
    """Which trajectories each agency and worker has."""

    TOPICS = tuple(get_topic(cls) for cls in (Trajectory.Opened, Trajectory.WorkerChanged))

    def __init__(self, app):
        self.app = app
        self.position = 0
        self.trajectories: dict[UUID, dict] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            while True:
                batch = self.app.recorder.select_notifications(
                    start=self.position, limit=500, topics=self.TOPICS, inclusive_of_start=False
                )
                for notification in batch:
                    event = self.app.mapper.to_domain_event(notification)
                    entry = self.trajectories.setdefault(event.originator_id, {})
                    if isinstance(event, Trajectory.Opened):
                        entry["agency"] = event.agency
                    entry["worker"] = event.worker
                    self.position = notification.id
                if len(batch) < 500:
                    return

    def all(self) -> list[UUID]:
        self.refresh()
        return list(self.trajectories)

    def of(self, agency: str, worker: str | None) -> list[UUID]:
        self.refresh()
        return [
            trajectory_id for trajectory_id, entry in self.trajectories.items()
            if entry["agency"] == agency and (worker is None or entry["worker"] == worker)
        ]
