"""Consent: what the client allows to be shared with one recipient for one purpose."""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from shared.domain import NotNow, ServiceAggregate

from shared.contracts.intake_vocabulary import v1_categories_of, v1_scope_of

from services.intake.domain.agency import NAMESPACE


def _categories_from_scope(state: dict) -> None:
    """A consent event stored with version 1's scope reads as the categories it covered,
    with history not shared (version 1 never shared it)."""
    state["categories"] = v1_categories_of(state.pop("scope"))
    state["share_history"] = False


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

    class Given(ServiceAggregate.Created):
        # Version 1 (stored before consents named categories) held version 1's scope.
        class_version = 2
        client_id: uuid.UUID
        agency: str
        recipient: str
        purpose: str
        categories: list
        share_history: bool
        given_by: dict

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            _categories_from_scope(state)

    @event(Given)
    def __init__(
        self, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, categories: list[str],
        share_history: bool, given_by: dict,
    ):
        self.client_id, self.recipient, self.purpose = client_id, recipient, purpose
        self.categories, self.share_history = list(categories), share_history
        self.active = True

    @classmethod
    def give(
        cls, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, categories: list[str],
        share_history: bool, given_by: dict,
    ) -> "Consent":
        consent = cls(client_id=client_id, agency=agency, recipient=recipient, purpose=purpose,
                      categories=categories, share_history=share_history, given_by=given_by)
        consent._say_in_v1_terms(agency, given_by)
        return consent

    def gives(self, categories: list[str], share_history: bool = False) -> bool:
        """In force, for exactly these categories (in any order) and the same choice on history."""
        return self.active and sorted(self.categories) == sorted(categories) and self.share_history == share_history

    def give_again(self, agency: str, categories: list[str], given_by: dict, share_history: bool = False) -> None:
        """A consent in force as asked already is left as it is: nothing new happened."""
        if not self.gives(categories, share_history):
            self._given_again(
                client_id=self.client_id, agency=agency, recipient=self.recipient, purpose=self.purpose,
                categories=categories, share_history=share_history, given_by=given_by,
            )
            self._say_in_v1_terms(agency, given_by)

    class GivenAgain(ServiceAggregate.Event):
        class_version = 2
        client_id: uuid.UUID
        agency: str
        recipient: str
        purpose: str
        categories: list
        share_history: bool
        given_by: dict

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            _categories_from_scope(state)

    @event(GivenAgain)
    def _given_again(
        self, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, categories: list[str],
        share_history: bool, given_by: dict,
    ):
        self.categories, self.share_history = list(categories), share_history
        self.active = True

    def _say_in_v1_terms(self, agency: str, given_by: dict) -> None:
        self._given_in_v1_terms(client_id=self.client_id, agency=agency, recipient=self.recipient,
                                purpose=self.purpose, scope=v1_scope_of(self.categories), given_by=given_by)

    @event("GivenInV1Terms")
    def _given_in_v1_terms(
        self, client_id: uuid.UUID, agency: str, recipient: str, purpose: str, scope: list[str], given_by: dict
    ):
        """Only for publishing consent-given.v1 beside v2 (shared.contracts.intake.ConsentGivenInV1Terms)."""

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
