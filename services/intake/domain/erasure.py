"""Erasure of a client's personal data (GDPR art. 17): asked for by a coordinator with
a legal basis, decided by a second person (an admin or the data-protection officer).

Approved, it is carried out by destroying the client's data keys in every service
(shared.datakeys): the facts stay, their personal fields unreadable. While a legal
hold (art. 17(3), ``legal_hold.py``) is in force, an erasure may be asked for but not
approved; a refusal with a reason is a decision of its own.
"""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from shared.domain import NotNow, NotPermitted, ServiceAggregate

from services.intake.domain.legal_hold import HoldInForce, LegalHold

from services.intake.domain.agency import NAMESPACE

REQUESTED, APPROVED, REFUSED = "requested", "approved", "refused"


class ErasureDecided(NotNow):
    def __init__(self, status: str):
        super().__init__(f"this erasure was {status} already", {"erasure": [status]})


class ErasureRequestedAlready(NotNow):
    def __init__(self):
        super().__init__("an erasure of this client is requested already", {"client_id": ["erasure requested"]})


class FourEyes(NotPermitted):
    def __init__(self):
        super().__init__("whoever requested an erasure may not decide it", {"actor": ["requested this erasure"]})


class Erasure(ServiceAggregate):
    """One client's erasure, from request to decision. One per client: a refused
    request may be made again, as the same record."""

    @staticmethod
    def create_id(client_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"erasure:{client_id}")

    @event("Requested")
    def __init__(self, client_id: uuid.UUID, agency: str, legal_basis: str, note: str, requested_by: dict):
        self.client_id, self.agency = client_id, agency
        self.status, self.requested_by = REQUESTED, requested_by
        self.legal_basis = legal_basis

    @classmethod
    def fallen_due(cls, client_id: uuid.UUID, agency: str, rule: str, policy: dict) -> "Erasure":
        """An erasure the retention policy decides (storage limitation, art. 5(1)(e)):
        asked for and approved by the policy itself, the rule named in the note; the
        four-eyes rule is for people."""
        erasure = cls(client_id=client_id, agency=agency, legal_basis="no_longer_necessary",
                      note=f"retention: {rule}", requested_by=policy)
        erasure._approved(client_id=client_id, agency=agency, legal_basis="no_longer_necessary", approved_by=policy)
        return erasure

    def request_again(self, legal_basis: str, note: str, requested_by: dict) -> None:
        if self.status != REFUSED:
            raise ErasureRequestedAlready() if self.status == REQUESTED else ErasureDecided(self.status)
        self._requested_again(client_id=self.client_id, agency=self.agency, legal_basis=legal_basis, note=note,
                              requested_by=requested_by)

    @event("RequestedAgain")
    def _requested_again(self, client_id: uuid.UUID, agency: str, legal_basis: str, note: str, requested_by: dict):
        self.status, self.requested_by, self.legal_basis = REQUESTED, requested_by, legal_basis

    def _decidable_by(self, actor: dict) -> None:
        if self.status != REQUESTED:
            raise ErasureDecided(self.status)
        if actor["user_id"] == self.requested_by["user_id"]:
            raise FourEyes()

    def approve(self, approved_by: dict, hold: LegalHold | None) -> None:
        """``hold``: the client's legal hold, if one was ever placed."""
        self._decidable_by(approved_by)
        if hold is not None and hold.in_force:
            raise HoldInForce()
        self._approved(client_id=self.client_id, agency=self.agency, legal_basis=self.legal_basis,
                       approved_by=approved_by)

    @event("Approved")
    def _approved(self, client_id: uuid.UUID, agency: str, legal_basis: str, approved_by: dict):
        self.status = APPROVED

    def refuse(self, reason: str, refused_by: dict) -> None:
        self._decidable_by(refused_by)
        self._refused(client_id=self.client_id, agency=self.agency, reason=reason, refused_by=refused_by)

    @event("Refused")
    def _refused(self, client_id: uuid.UUID, agency: str, reason: str, refused_by: dict):
        self.status = REFUSED
