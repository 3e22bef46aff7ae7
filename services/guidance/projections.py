"""Read models of guidance (see shared/readmodel.py)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.utils import get_topic

from shared.erasure import ErasureCarriedOut
from shared.readmodel import LogTail

from services.guidance.domain import Intervention, Trajectory


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


@dataclass(frozen=True)
class Activity:
    """What activity figures count of one intervention: no client, no content."""

    intervention_id: UUID
    agency: str
    on: dt.date
    minutes: int
    method: str
    domains: tuple[str, ...]
    retracted: bool = False  # recorded in error: counted nowhere


class InterventionIndex(LogTail):
    """The interventions of each trajectory, in the order recorded, and the activity
    they count for, as corrected (issue 20)."""

    TOPICS = tuple(get_topic(cls) for cls in (
        Intervention.Recorded, Intervention.Amended, Intervention.Retracted, ErasureCarriedOut.Recorded))

    def __init__(self, app):
        super().__init__(app)
        self.by_trajectory: dict[UUID, list[UUID]] = {}
        self.activity: list[Activity] = []
        self.of_client: dict[UUID, list[int]] = {}  # client -> places of its interventions in ``activity``
        self.place_of: dict[UUID, int] = {}  # intervention -> its place in ``activity``
        self.standing_at: dict[UUID, dt.datetime] = {}  # when each intervention not retracted happened

    def apply(self, event) -> None:
        if isinstance(event, ErasureCarriedOut.Recorded):
            # Erased: the interventions still count, in no domain (WAVE2 11).
            for place in self.of_client.pop(event.client_id, ()):
                self.activity[place] = dataclasses.replace(self.activity[place], domains=())
            return
        if isinstance(event, Intervention.Retracted):
            place = self.place_of[event.originator_id]
            self.activity[place] = dataclasses.replace(self.activity[place], retracted=True)
            self.standing_at.pop(event.originator_id, None)
            return
        if isinstance(event, Intervention.Amended):
            place = self.place_of[event.originator_id]
            self.activity[place] = dataclasses.replace(
                self.activity[place], on=event.at.date(), minutes=event.minutes, method=event.method,
                domains=tuple(event.domains or ()) if event.client_id in self.of_client else ())
            self.standing_at[event.originator_id] = event.at
            return
        self.by_trajectory.setdefault(event.trajectory_id, []).append(event.originator_id)
        self.place_of[event.originator_id] = len(self.activity)
        self.standing_at[event.originator_id] = event.at
        self.of_client.setdefault(event.client_id, []).append(len(self.activity))
        # The domains are personal: once the client's keys are shredded they load as
        # None, and the intervention still counts, in no domain.
        self.activity.append(Activity(event.originator_id, event.agency, event.at.date(), event.minutes,
                                      event.method, tuple(event.domains or ())))

    def of(self, trajectory_id: UUID) -> list[UUID]:
        self.refresh()
        return list(self.by_trajectory.get(trajectory_id, ()))

    def last_contact_besides(self, trajectory_id: UUID, intervention_id: UUID) -> dt.datetime | None:
        """The latest of the trajectory's interventions still standing, but for one."""
        self.refresh()
        return max((self.standing_at[i] for i in self.by_trajectory.get(trajectory_id, ())
                    if i != intervention_id and i in self.standing_at), default=None)

    def of_agency(self, agency: str, since: dt.date, until: dt.date) -> list[Activity]:
        self.refresh()
        return [a for a in self.activity if a.agency == agency and since <= a.on <= until and not a.retracted]
