"""Read models of guidance (see shared/readmodel.py)."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.utils import get_topic

from shared.readmodel import LogTail

from services.guidance.domain import Trajectory


class TrajectoryIndex(LogTail):
    """Which trajectories each agency and worker has."""

    TOPICS = tuple(get_topic(cls) for cls in (Trajectory.Opened, Trajectory.WorkerChanged))

    def __init__(self, app):
        super().__init__(app)
        self.trajectories: dict[UUID, dict] = {}

    def apply(self, event) -> None:
        entry = self.trajectories.setdefault(event.originator_id, {})
        if isinstance(event, Trajectory.Opened):
            entry["agency"] = event.agency
        entry["worker"] = event.worker

    def all(self) -> list[UUID]:
        self.refresh()
        return list(self.trajectories)

    def of(self, agency: str, worker: str | None) -> list[UUID]:
        self.refresh()
        return [
            trajectory_id for trajectory_id, entry in self.trajectories.items()
            if entry["agency"] == agency and (worker is None or entry["worker"] == worker)
        ]
