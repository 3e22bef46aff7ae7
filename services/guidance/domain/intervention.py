"""An intervention: one contact with the client, a fact of its own."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import CaseAggregate

from services.guidance.domain.rules import CLOCK_SLACK, NotYetHappened

if TYPE_CHECKING:
    from services.guidance.domain.trajectory import Trajectory


class Intervention(CaseAggregate):
    """One contact with the client, in one of the five ways of intervening. Its
    fields are declared once, in ``shared.contracts.guidance.Intervention``."""

    @classmethod
    def record(cls, trajectory: "Trajectory", now: dt.datetime, worker: dict, **facts) -> "Intervention":
        """``facts``: what the worker gives (the declaration's given fields)."""
        if facts["at"] > now + CLOCK_SLACK:
            raise NotYetHappened()
        trajectory.expect_open()
        return cls(trajectory_id=trajectory.id, client_id=trajectory.client_id, agency=trajectory.agency,
                   worker=worker["user_id"], worker_profile=worker["role"], **facts)

    @event("Recorded")
    def __init__(
        self, trajectory_id: UUID, at: dt.datetime, minutes: int, place: str, method: str, sub_kind: str,
        domains: list[str], interpreter: dict | None, note: str, next_steps: str, worker: str, worker_profile: str,
        *, client_id: UUID | None = None, agency: str = "",
    ):
        self.client_id, self.agency, self.trajectory_id = client_id, agency, trajectory_id
        self.at, self.minutes, self.place, self.method, self.sub_kind = at, minutes, place, method, sub_kind
        self.domains, self.interpreter = list(domains or []), interpreter  # None: erased
        self.note, self.next_steps = note, next_steps
        self.worker, self.worker_profile = worker, worker_profile
