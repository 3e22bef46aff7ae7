"""A legal hold on a client's personal data (GDPR art. 17(3)): while one is in force
the data may not be erased, neither on request nor by a retention rule, because
the law requires it to be kept (a court case, a legal obligation, ...).

The data-protection officer (or an admin) places it, with the ground and a note;
lifting it is a fact of its own. The services that erase by a retention rule of
their own hear of both (``legal-hold-placed``, ``legal-hold-lifted``).
"""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from shared.domain import NotNow, ServiceAggregate

from services.intake.domain.agency import NAMESPACE


class HoldInForce(NotNow):
    def __init__(self):
        super().__init__("a legal hold on this client's data is in force", {"client_id": ["legal hold in force"]})


class NoHoldInForce(NotNow):
    def __init__(self):
        super().__init__("no legal hold on this client's data is in force", {"client_id": ["no legal hold"]})


class LegalHold(ServiceAggregate):
    """One client's legal hold, placed and lifted as often as the law requires: one
    record per client."""

    @staticmethod
    def create_id(client_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"legal-hold:{client_id}")

    @event("Placed")
    def __init__(self, client_id: uuid.UUID, agency: str, ground: str, note: str, placed_by: dict):
        self.client_id, self.agency = client_id, agency
        self.in_force, self.ground = True, ground

    def place_again(self, ground: str, note: str, placed_by: dict) -> None:
        if self.in_force:
            raise HoldInForce()
        self._placed_again(client_id=self.client_id, agency=self.agency, ground=ground, note=note,
                           placed_by=placed_by)

    @event("PlacedAgain")
    def _placed_again(self, client_id: uuid.UUID, agency: str, ground: str, note: str, placed_by: dict):
        self.in_force, self.ground = True, ground

    def lift(self, note: str, lifted_by: dict) -> None:
        if not self.in_force:
            raise NoHoldInForce()
        self._lifted(client_id=self.client_id, agency=self.agency, ground=self.ground, note=note,
                     lifted_by=lifted_by)

    @event("Lifted")
    def _lifted(self, client_id: uuid.UUID, agency: str, ground: str, note: str, lifted_by: dict):
        self.in_force = False
