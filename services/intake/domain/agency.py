"""The directory: an agency, the languages its staff offer, and its staff."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import event

from shared.domain import NotNow, ServiceAggregate, Unknown

# Intake's namespace of the ids it derives from names (agencies, consents).
NAMESPACE = uuid.UUID("0b8e6f3c-27f1-4b53-9a0d-7f7b8d3e6c11")
# Staff profiles a client can be assigned to.
CASEWORK_PROFILES = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})


class AlreadyOnStaff(NotNow):
    def __init__(self, user_id: str):
        super().__init__("this staff member is already in the directory", {"user_id": [user_id]})


class NotOnStaff(Unknown):
    def __init__(self, user_id: str):
        super().__init__("no such staff member", {"user_id": [user_id]})


@dataclass(frozen=True)
class Candidate:
    """A worker proposed for a client, as their agency's directory knows them: what
    the client's rules on assignment need (``Client.accept``, ``reassign``, ``transfer``)."""

    user_id: str
    agency: str
    available: bool  # on the staff, active, with a profile that takes clients
    languages: frozenset[str]
    telephone_interpreters: bool  # whether their agency can arrange one


class Agency(ServiceAggregate):
    """A judicial-welfare service, the languages its staff offer, and its staff.

    Each staff event names the agency by its code, which never changes, so that its
    publication needs nothing but the event."""

    @staticmethod
    def create_id(code: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"agency:{code}")

    @event("Registered")
    def __init__(
        self, code: str, name: str, languages: list[str], telephone_interpreters: bool, sample: bool, registered_by: dict
    ):
        self.code = code
        self.name = name
        self.languages = list(languages)
        self.telephone_interpreters = telephone_interpreters
        self.sample = sample
        self.staff: dict[str, dict[str, Any]] = {}

    def add_staff_member(
        self, user_id: str, display_name: str, profile: str, languages: list[str], added_by: dict
    ) -> None:
        if user_id in self.staff:
            raise AlreadyOnStaff(user_id)
        self._staff_member_added(self.code, user_id, display_name, profile, languages, added_by)

    @event("StaffMemberAdded")
    def _staff_member_added(
        self, agency: str, user_id: str, display_name: str, profile: str, languages: list[str], added_by: dict
    ):
        self.staff[user_id] = {
            "user_id": user_id, "display_name": display_name, "profile": profile,
            "languages": list(languages), "active": True,
        }

    def deactivate_staff_member(self, user_id: str, deactivated_by: dict) -> None:
        """Of a member inactive already nothing new is recorded."""
        if self._member(user_id)["active"]:
            self._staff_member_deactivated(self.code, user_id, deactivated_by)

    @event("StaffMemberDeactivated")
    def _staff_member_deactivated(self, agency: str, user_id: str, deactivated_by: dict):
        self.staff[user_id]["active"] = False

    def reactivate_staff_member(self, user_id: str, reactivated_by: dict) -> None:
        """Of a member active already nothing new is recorded."""
        if not self._member(user_id)["active"]:
            self._staff_member_reactivated(self.code, user_id, reactivated_by)

    @event("StaffMemberReactivated")
    def _staff_member_reactivated(self, agency: str, user_id: str, reactivated_by: dict):
        self.staff[user_id]["active"] = True

    def _member(self, user_id: str) -> dict[str, Any]:
        if user_id not in self.staff:
            raise NotOnStaff(user_id)
        return self.staff[user_id]

    def active_member(self, user_id: str) -> dict | None:
        member = self.staff.get(user_id)
        return member if member and member["active"] else None

    def candidate(self, user_id: str) -> Candidate:
        member = self.active_member(user_id)
        return Candidate(
            user_id=user_id, agency=self.code,
            available=member is not None and member["profile"] in CASEWORK_PROFILES,
            languages=frozenset(member["languages"] if member else ()),
            telephone_interpreters=self.telephone_interpreters,
        )
