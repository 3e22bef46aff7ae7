"""What the sharing service keeps: each client's consents as it heard of them, and
each organisation's feed.

A copy of a fact about a client goes to an organisation while a consent of the
client to that organisation is in force at the fact's time, for a purpose that
covers the fact, and it holds the categories that consent names (the union, when
several consents cover it). A fact none of whose categories is consented is not
sent at all. Which facts a purpose covers:

- ``transfer`` and ``coordination``: every fact about the client (the organisation
  takes over, or guides the client together with the agency);
- ``referral``: intake's facts, and the facts of the referrals addressed to that
  organisation;
- ``family_involvement``: intake's facts and the client's network work;
- ``judicial_information``: intake's facts and what a justice assistant follows:
  conditions, appointments, procedures and attendance certificates.

A consent's period runs from when it was given until it was withdrawn; facts from
before it are not sent, unless the consent says ``share_history``: then the facts
recorded before it that no earlier period of the same consent let through are sent
too, after it, by a job (``HistoryQueue``), with the new period's categories.
"""
from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("3f7e3c1e-5d0a-4f2b-9a57-8f0c1b6a2d44")

ALL_FACTS = ("transfer", "coordination")
JUDICIAL_FACTS = frozenset({
    "condition-recorded", "condition-supported", "condition-period-ending", "appointment-planned",
    "appointment-outcome-recorded", "procedure-started", "procedure-step-recorded", "procedure-ended",
    "attendance-certificate-issued",
})


def covers(purpose: str, recipient: str, source: str, fact: str, data: dict) -> bool:
    """Whether a consent for ``purpose`` to ``recipient`` covers this fact."""
    if purpose in ALL_FACTS or source == "intake":
        return True
    if purpose == "referral":
        return source == "referrals" and data.get("partner") == recipient
    if purpose == "family_involvement":
        return source == "guidance" and fact.startswith("network-")
    if purpose == "judicial_information":
        return source == "guidance" and fact in JUDICIAL_FACTS
    return False


class Consents(ServiceAggregate):
    """A client's consents to organisations, with the periods each was in force."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"consents/{client_id}")

    @event("Opened")
    def __init__(self, client_id: UUID):
        self.client_id = client_id
        # "recipient/purpose" -> its periods, oldest first: {"from", "until" (None while in
        # force), "categories", "share_history"}; giving it again with other categories
        # ends one period and starts the next.
        self.periods: dict[str, list[dict[str, Any]]] = {}

    def _current(self, recipient: str, purpose: str) -> dict | None:
        periods = self.periods.get(f"{recipient}/{purpose}")
        return periods[-1] if periods and periods[-1]["until"] is None else None

    def note_given(self, recipient: str, purpose: str, categories: list[str], share_history: bool, at: str) -> None:
        """A consent given, or given again with other categories (narrowed, widened)."""
        current = self._current(recipient, purpose)
        if current and current["categories"] == sorted(categories):
            return  # the same consent heard again (its v1 and v2 publications, a redelivery)
        self._given(recipient=recipient, purpose=purpose, categories=sorted(categories),
                    share_history=share_history, at=at)

    @event("Given")
    def _given(self, recipient: str, purpose: str, categories: list[str], share_history: bool, at: str) -> None:
        current = self._current(recipient, purpose)
        if current:
            current["until"] = at
        self.periods.setdefault(f"{recipient}/{purpose}", []).append(
            {"from": at, "until": None, "categories": categories, "share_history": share_history})

    def note_withdrawn(self, recipient: str, purpose: str, at: str) -> bool:
        """A withdrawal; False when nothing was in force."""
        if self._current(recipient, purpose) is None:
            return False
        self._withdrawn(recipient=recipient, purpose=purpose, at=at)
        return True

    @event("Withdrawn")
    def _withdrawn(self, recipient: str, purpose: str, at: str) -> None:
        self._current(recipient, purpose)["until"] = at

    def in_force(self, recipient: str, purpose: str) -> dict | None:
        """The period of this consent in force now, or None."""
        return self._current(recipient, purpose)

    def sent_before(self, recipient: str, purpose: str, at: str) -> bool:
        """Whether a fact recorded at ``at`` went out under an earlier (ended) period of
        this consent: it fell in that period, or before it when it shared the history."""
        return any(p["until"] is not None and (p["from"] <= at or p["share_history"]) and at < p["until"]
                   for p in self.periods.get(f"{recipient}/{purpose}", ()))

    def organisations(self) -> list[str]:
        """Every organisation the client ever consented to."""
        return sorted({key.split("/", 1)[0] for key in self.periods})

    def recipients(self, source: str, fact: str, data: dict, at: str) -> dict[str, tuple[list[str], set[str]]]:
        """Who receives this fact, recorded at ``at`` (ISO 8601, UTC), and under which
        purposes with which categories: ``{organisation: (purposes, categories)}``."""
        found: dict[str, tuple[list[str], set[str]]] = {}
        for key, periods in self.periods.items():
            recipient, purpose = key.split("/", 1)
            if not covers(purpose, recipient, source, fact, data):
                continue
            for period in periods:
                if period["from"] <= at and (period["until"] is None or at < period["until"]):
                    purposes, allowed = found.setdefault(recipient, ([], set()))
                    purposes.append(purpose)
                    allowed.update(period["categories"])
        return found


class HistoryQueue(ServiceAggregate):
    """The consents given with ``share_history`` whose earlier facts are still to be
    sent: one queue for the service, worked through by a job."""

    @staticmethod
    def create_id() -> UUID:
        return uuid.uuid5(_NAMESPACE, "history")

    @event("Opened")
    def __init__(self):
        self.pending: dict[str, dict[str, Any]] = {}  # "client/recipient/purpose" -> the request

    def request(self, client_id: UUID, recipient: str, purpose: str, before: str) -> None:
        self._requested(client_id=client_id, recipient=recipient, purpose=purpose, before=before)

    @event("Requested")
    def _requested(self, client_id: UUID, recipient: str, purpose: str, before: str) -> None:
        self.pending[f"{client_id}/{recipient}/{purpose}"] = {
            "client_id": client_id, "recipient": recipient, "purpose": purpose, "before": before}

    def complete(self, client_id: UUID, recipient: str, purpose: str, sent: int) -> None:
        self._completed(client_id=client_id, recipient=recipient, purpose=purpose, sent=sent)

    @event("Completed")
    def _completed(self, client_id: UUID, recipient: str, purpose: str, sent: int) -> None:
        self.pending.pop(f"{client_id}/{recipient}/{purpose}", None)


class Feed(ServiceAggregate):
    """One organisation's feed: each entry numbered, one after the other."""

    @staticmethod
    def create_id(organisation: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"feed/{organisation}")

    @event("Opened")
    def __init__(self, organisation: str):
        self.organisation = organisation
        self.sequence = 0

    def share(self, client_id: UUID, fact_id: str, source_type: str, recorded: str, purposes: list[str],
              plain: dict, blocks: dict[str, dict]) -> None:
        """A copy of a fact, holding the consented categories' blocks."""
        self._shared(client_id=client_id, recipient=self.organisation, sequence=self.sequence + 1, fact_id=fact_id,
                     source_type=source_type, recorded=recorded, purposes=purposes, plain=plain, **blocks)

    @event("EntryShared")
    def _shared(self, client_id: UUID, recipient: str, sequence: int, fact_id: str, source_type: str,
                recorded: str, purposes: list[str], plain: dict, identity: dict | None = None,
                contact: dict | None = None, languages: dict | None = None, legal_situation: dict | None = None,
                help_request: dict | None = None, trajectory_summary: dict | None = None,
                interventions: dict | None = None, appointments: dict | None = None, referrals: dict | None = None,
                conditions: dict | None = None, attendance: dict | None = None) -> None:
        self.sequence = sequence

    def tell_withdrawal(self, client_id: UUID, purpose: str, withdrawn: str) -> None:
        self._told(client_id=client_id, recipient=self.organisation, sequence=self.sequence + 1, purpose=purpose,
                   withdrawn=withdrawn)

    @event("WithdrawalTold")
    def _told(self, client_id: UUID, recipient: str, sequence: int, purpose: str, withdrawn: str) -> None:
        self.sequence = sequence

    def tell_erasure(self, client_id: UUID, erased: str) -> None:
        self._erasure_told(client_id=client_id, recipient=self.organisation, sequence=self.sequence + 1,
                           erased=erased)

    @event("ErasureTold")
    def _erasure_told(self, client_id: UUID, recipient: str, sequence: int, erased: str) -> None:
        self.sequence = sequence
