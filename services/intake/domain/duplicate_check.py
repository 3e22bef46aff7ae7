"""A possible duplicate: a national register number already on another agency's file
(WAVE2 15).

The registering worker must not learn which agency follows the person, nor that
file's id: that would make registration an oracle across agencies. So the new
registration is recorded, without the number, and *held pending a duplicate check*;
the worker is told only that a coordinator must check a possible duplicate. The
coordinators of the two agencies settle it, four eyes across agencies: one of them
states a finding, a coordinator of the other agency confirms it (or states the
other finding, which the first side must then confirm).

- ``same_person``: the check is *linked*. The new registration is closed as a
  duplicate of the existing file; the registering agency is told which agency
  follows the client, so that a transfer or a coordination consent can follow.
- ``different_person``: the check is *released*. The hold is lifted and the new
  file goes on as any other. Two people cannot share a national register number:
  the number stays with the existing file (its claim never moved) and the new file
  keeps none, until the worker records the right one.

While the check is pending or linked, the new file takes no intake decision.
"""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from shared.domain import NotNow, NotPermitted, ServiceAggregate

from services.intake.domain.agency import NAMESPACE

PENDING, LINKED, RELEASED = "pending", "linked", "released"
SAME_PERSON, DIFFERENT_PERSON = "same_person", "different_person"
FINDINGS = (SAME_PERSON, DIFFERENT_PERSON)
# What the registering worker is told, and nothing more.
NOTICE = "a possible duplicate needs a coordinator's check"


class HeldForDuplicateCheck(NotNow):
    def __init__(self):
        super().__init__(f"{NOTICE} before any intake decision", {"duplicate_check": [PENDING]})


class ClosedAsDuplicate(NotNow):
    def __init__(self):
        super().__init__("this registration was closed as a duplicate of a file another agency follows",
                         {"duplicate_check": [LINKED]})


class AlreadySettled(NotNow):
    def __init__(self, status: str):
        super().__init__("this duplicate check is settled already", {"duplicate_check": [status]})


class AwaitsTheOtherAgency(NotNow):
    def __init__(self, finding: str):
        super().__init__("a coordinator of the other agency must confirm this finding",
                         {"finding": [f"{finding} was stated by your agency already"]})


class NotAParty(NotPermitted):
    """Refused before the check is shown (application): kept here as the rule's name."""

    def __init__(self):
        super().__init__("only the coordinators of the two agencies settle a duplicate check",
                         {"agency": ["not one of the two agencies"]})


class DuplicateCheck(ServiceAggregate):
    """One per held registration, known by the new file's id.

    ``agency`` is the registering agency, ``existing_agency`` the agency that
    followed the existing file when the registration was held: the two parties."""

    @staticmethod
    def create_id(client_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"duplicate-check:{client_id}")

    @event("Held")
    def __init__(self, client_id: uuid.UUID, agency: str, existing_client_id: uuid.UUID, existing_agency: str,
                 held_by: dict):
        self.client_id, self.agency = client_id, agency
        self.existing_client_id, self.existing_agency = existing_client_id, existing_agency
        self.status = PENDING
        self.proposal: dict | None = None  # {"finding", "agency", "by"}
        self.settled_by: list[dict] = []

    @property
    def parties(self) -> tuple[str, str]:
        return self.agency, self.existing_agency

    def allow_intake_decision(self) -> None:
        """The new file's intake decisions wait for the check, and a file closed as a
        duplicate takes none."""
        if self.status == PENDING:
            raise HeldForDuplicateCheck()
        if self.status == LINKED:
            raise ClosedAsDuplicate()

    def settle(self, finding: str, settled_by: dict) -> None:
        """A coordinator of either agency states ``finding``; it settles the check once
        a coordinator of the other agency has stated the same."""
        if self.status != PENDING:
            raise AlreadySettled(self.status)
        agency = settled_by["agency"]
        if agency not in self.parties:
            raise NotAParty()
        proposal = self.proposal
        if proposal is not None and proposal["finding"] == finding:
            if proposal["agency"] == agency:
                raise AwaitsTheOtherAgency(finding)
            self._settled(client_id=self.client_id, agency=self.agency, finding=finding,
                          outcome=LINKED if finding == SAME_PERSON else RELEASED, proposed_by=proposal["by"],
                          settled_by=settled_by)
        else:
            self._finding_stated(client_id=self.client_id, agency=self.agency, finding=finding,
                                 stated_by=settled_by)

    @event("FindingStated")
    def _finding_stated(self, client_id: uuid.UUID, agency: str, finding: str, stated_by: dict):
        self.proposal = {"finding": finding, "agency": stated_by["agency"], "by": stated_by}

    @event("Settled")
    def _settled(self, client_id: uuid.UUID, agency: str, finding: str, outcome: str, proposed_by: dict,
                 settled_by: dict):
        self.status = outcome
        self.proposal = None
        self.settled_by = [proposed_by, settled_by]

    def as_seen_by(self, agency: str) -> dict:
        """What a coordinator of ``agency`` sees: each side's own file id, and the
        other agency's name; the other side's file id only once linked, and only to
        the registering side (which must then ask that agency, under consent)."""
        mine = self.client_id if agency == self.agency else self.existing_client_id
        other = self.existing_agency if agency == self.agency else self.agency
        return {
            "check_id": str(self.id),
            "client_id": str(mine),
            "side": "registering" if agency == self.agency else "existing",
            "other_agency": other,
            "status": self.status,
            "finding_stated": None if self.proposal is None else {
                "finding": self.proposal["finding"], "agency": self.proposal["agency"]},
            "followed_by": self.existing_agency if self.status == LINKED else None,
            "since": self.created_on.isoformat(),
        }
