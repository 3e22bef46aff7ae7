"""Consent: what the client allows to be shared with one recipient for one purpose."""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from shared.domain import NotNow, ServiceAggregate

from services.intake.domain.agency import NAMESPACE


class NoConsentInForce(NotNow):
    def __init__(self, recipient: str, purpose: str):
        super().__init__("there is no consent in force to withdraw", {"recipient": [recipient], "purpose": [purpose]})


class Consent(ServiceAggregate):
    """What the client allows to be shared with one recipient for one purpose.
    Given again after a withdrawal, it is the same consent with a new period: the
    record of the earlier period stays.

    Each event names the client, recipient and purpose again, and the agency
    following the client when it happened, so that it reads as a whole fact on its
    own (to other services and to auditors)."""

    @staticmethod
    def create_id(client_id: uuid.UUID, recipient: str, purpose: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"consent:{client_id}:{recipient}:{purpose}")

    @event("Given")
    def __init__(
        self, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, scope: list[str], given_by: dict
    ):
        self.client_id, self.recipient, self.purpose = client_id, recipient, purpose
        self.scope = list(scope)
        self.active = True

    def gives(self, scope: list[str]) -> bool:
        """In force, for exactly this scope (in any order)."""
        return self.active and sorted(self.scope) == sorted(scope)

    def give_again(self, agency: str, scope: list[str], given_by: dict) -> None:
        """A consent in force as asked already is left as it is: nothing new happened."""
        if not self.gives(scope):
            self._given_again(
                client_id=self.client_id, agency=agency, recipient=self.recipient, purpose=self.purpose,
                scope=scope, given_by=given_by,
            )

    @event("GivenAgain")
    def _given_again(
        self, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, scope: list[str], given_by: dict
    ):
        self.scope = list(scope)
        self.active = True

    def withdraw(self, agency: str, withdrawn_by: dict) -> None:
        if not self.active:
            raise NoConsentInForce(self.recipient, self.purpose)
        self._withdrawn(
            client_id=self.client_id, agency=agency, recipient=self.recipient, purpose=self.purpose,
            withdrawn_by=withdrawn_by,
        )

    @event("Withdrawn")
    def _withdrawn(self, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, withdrawn_by: dict):
        self.active = False
