"""The relational network: the people around the client whom the worker involves
(the fourth way of intervening): partner, children, family, close ones, and each
contact with them. A stream of its own, one per trajectory: it holds what third
parties are called and what was said with them. Involving the family needs the
client's agreement, which intake holds; the application reads it from the
client's record and passes it in."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import CaseAggregate, NotPermitted

from services.guidance.domain.rules import known

if TYPE_CHECKING:
    from services.guidance.domain.trajectory import Trajectory

_NAMESPACE = uuid.UUID("3c2f7a9e-5b1d-4e8a-9f06-2d7c41b8e5a3")


class Network(CaseAggregate):
    @staticmethod
    def create_id(trajectory_id: UUID) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"network:{trajectory_id}")

    @classmethod
    def of(cls, trajectory: "Trajectory") -> "Network":
        """A new, empty network for ``trajectory`` (before its first member)."""
        return cls(trajectory_id=trajectory.id, client_id=trajectory.client_id, agency=trajectory.agency)

    @event("Started")
    def __init__(self, trajectory_id: UUID, *, client_id: UUID | None = None, agency: str = ""):
        self.trajectory_id, self.client_id, self.agency = trajectory_id, client_id, agency
        self.members: dict[str, dict] = {}

    def add_member(self, trajectory: "Trajectory", member_id: str, relation: str, known_as: str,
                   added_by: dict) -> None:
        trajectory.expect_open()
        self._member_added(member_id, relation, known_as, added_by)

    @event("MemberAdded")
    def _member_added(self, member_id: str, relation: str, known_as: str, added_by: dict):
        self.members[member_id] = {"member_id": member_id, "relation": relation, "known_as": known_as, "contacts": []}

    def record_contact(self, trajectory: "Trajectory", member_id: str, on: dt.date, kind: str, note: str,
                       recorded_by: dict, family_consent: bool) -> None:
        self._expect_involvable(trajectory, member_id, family_consent)
        self._contact_recorded(member_id, on, kind, note, recorded_by)

    @event("ContactRecorded")
    def _contact_recorded(self, member_id: str, on: dt.date, kind: str, note: str, recorded_by: dict):
        self.members[member_id]["contacts"].append({"on": on, "kind": kind, "note": note})

    def prepare_return_home(self, trajectory: "Trajectory", member_id: str, leave_from: dt.datetime,
                            leave_until: dt.datetime, note: str, prepared_by: dict, family_consent: bool) -> None:
        self._expect_involvable(trajectory, member_id, family_consent)
        self._return_home_prepared(member_id, leave_from, leave_until, note, prepared_by)

    @event("ReturnHomePrepared")
    def _return_home_prepared(self, member_id: str, leave_from: dt.datetime, leave_until: dt.datetime, note: str,
                              prepared_by: dict):
        on = leave_from.date() if leave_from is not None else None  # None: erased
        self.members[member_id]["contacts"].append(
            {"on": on, "kind": "return_home_preparation", "note": note, "until": leave_until})

    def _expect_involvable(self, trajectory: "Trajectory", member_id: str, family_consent: bool) -> None:
        trajectory.expect_open()
        known(self.members, "member", member_id)
        if not family_consent:
            raise NotPermitted("the client has not agreed to involve their family",
                               {"consent": ["no consent in force for purpose family_involvement"]})
