"""An intervention: one contact with the client, a fact of its own.

A worker corrects one by amending it (any field a worker gives, with a reason) or
retracts it as recorded in error; one recorded on the wrong client is retracted
there and recorded again on the right client, each naming the other. The original
stays in the history: a correction is a fact of its own (issue 20).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import CaseAggregate, Invalid, NotNow

from services.guidance.domain.rules import CLOCK_SLACK, NotYetHappened

if TYPE_CHECKING:
    from services.guidance.domain.trajectory import Trajectory

# What an amendment may correct: every field a worker gives when recording one
# (shared.contracts.guidance.AMENDABLE; a test keeps them equal).
AMENDABLE = ("at", "minutes", "place", "method", "sub_kind", "domains", "interpreter", "note", "next_steps")
RETRACTED = "retracted"


class Retracted(NotNow):
    def __init__(self):
        super().__init__("this intervention was retracted; it is corrected no more", {"status": [RETRACTED]})


class Intervention(CaseAggregate):
    """One contact with the client, in one of the five ways of intervening. Its
    fields are declared once, in ``shared.contracts.guidance.Intervention``."""

    @classmethod
    def record(cls, trajectory: "Trajectory", now: dt.datetime, worker: dict, replaces: UUID | None = None,
               **facts) -> "Intervention":
        """``facts``: what the worker gives (the declaration's given fields);
        ``replaces``: the intervention recorded on the wrong client that this one replaces."""
        if facts["at"] > now + CLOCK_SLACK:
            raise NotYetHappened()
        trajectory.expect_open()
        return cls(trajectory_id=trajectory.id, client_id=trajectory.client_id, agency=trajectory.agency,
                   worker=worker["user_id"], worker_profile=worker["role"], replaces=replaces, **facts)

    @event("Recorded")
    def __init__(
        self, trajectory_id: UUID, at: dt.datetime, minutes: int, place: str, method: str, sub_kind: str,
        domains: list[str], interpreter: dict | None, note: str, next_steps: str, worker: str, worker_profile: str,
        *, client_id: UUID | None = None, agency: str = "", replaces: UUID | None = None,
    ):
        self.client_id, self.agency, self.trajectory_id = client_id, agency, trajectory_id
        self.at, self.minutes, self.place, self.method, self.sub_kind = at, minutes, place, method, sub_kind
        self.domains, self.interpreter = list(domains or []), interpreter  # None: erased
        self.note, self.next_steps = note, next_steps
        self.worker, self.worker_profile = worker, worker_profile
        self.replaces = replaces
        self.amendments: list[dict] = []  # who amended which fields, and why
        self.retracted: dict | None = None
        self.recorded_again_as: UUID | None = None

    def given(self) -> dict:
        """What the worker gave, as it stands now."""
        return {name: getattr(self, name) for name in AMENDABLE}

    # -- corrections ---------------------------------------------------------------------

    def amend(self, trajectory: "Trajectory", now: dt.datetime, reason: str, amended_by: dict,
              sub_kinds: dict[str, tuple[str, ...]], **changes) -> list[str]:
        """Correct the fields in ``changes``; returns the names of those that changed.
        ``sub_kinds``: each way of intervening's sub-kinds (the reference list)."""
        self.expect_correctable(trajectory)
        unknown = set(changes) - set(AMENDABLE)
        if unknown:
            raise Invalid("these fields are not amended", {name: ["not amendable"] for name in sorted(unknown)})
        if "at" in changes and changes["at"] > now + CLOCK_SLACK:
            raise NotYetHappened()
        changed = [name for name in AMENDABLE if name in changes and changes[name] != getattr(self, name)]
        if not changed:
            raise Invalid("the amendment changes nothing", {name: ["unchanged"] for name in changes})
        corrected = {**self.given(), **{name: changes[name] for name in changed}}
        method, sub_kind = corrected["method"], corrected["sub_kind"]
        if method in sub_kinds and sub_kind is not None and sub_kind not in sub_kinds[method]:
            raise Invalid("the sub-kind does not belong to the way of intervening",
                          {"sub_kind": [f"must be one of: {', '.join(sub_kinds[method])}"]})
        self._amended(trajectory_id=self.trajectory_id, worker=self.worker, worker_profile=self.worker_profile,
                      changed=changed, reason=reason, amended_by=amended_by, **corrected)
        return changed

    @event("Amended")
    def _amended(
        self, trajectory_id: UUID, at: dt.datetime, minutes: int, place: str, method: str, sub_kind: str,
        domains: list[str], interpreter: dict | None, note: str, next_steps: str, worker: str, worker_profile: str,
        changed: list[str], reason: str, amended_by: dict,
    ):
        self.at, self.minutes, self.place, self.method, self.sub_kind = at, minutes, place, method, sub_kind
        self.domains, self.interpreter = list(domains or []), interpreter
        self.note, self.next_steps = note, next_steps
        self.amendments.append({"changed": list(changed), "by": amended_by["user_id"], "reason": reason})

    def retract(self, trajectory: "Trajectory", reason: str, retracted_by: dict,
                recorded_again_as: UUID | None = None) -> None:
        """Retract it as recorded in error; ``recorded_again_as``: the intervention it
        was recorded again as, on the right client."""
        self.expect_correctable(trajectory)
        self._retracted(trajectory_id=self.trajectory_id, reason=reason, recorded_again_as=recorded_again_as,
                        retracted_by=retracted_by)

    @event("Retracted")
    def _retracted(self, trajectory_id: UUID, reason: str, recorded_again_as: UUID | None, retracted_by: dict):
        self.retracted = {"by": retracted_by["user_id"], "recorded_again_as": recorded_again_as, "reason": reason}
        self.recorded_again_as = recorded_again_as

    def expect_correctable(self, trajectory: "Trajectory") -> None:
        """Refuse a correction of a retracted intervention, or while its trajectory is closed."""
        if self.retracted is not None:
            raise Retracted()
        trajectory.expect_open()
