"""The referrals service's aggregates: the partner directory, referrals through
their whole lifecycle, and the coordination of help around a client.

A referral that silently stalls is help lost: every state has an expected
duration, and a referral stuck beyond it raises a stalled fact, once per stay.
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("9c7e3b52-1d4f-4f0e-8a6b-2e5d7c1a9f30")

PROPOSED, SENT, ACKNOWLEDGED = "proposed", "sent", "acknowledged"
ACCEPTED, DECLINED, WAITLISTED = "accepted", "declined", "waitlisted"
STARTED, COMPLETED, DROPPED_OUT = "started", "completed", "dropped_out"

# Which step may follow which state (the lifecycle in the referrals issue).
NEXT_STEPS = {
    PROPOSED: {SENT},
    SENT: {ACKNOWLEDGED},
    ACKNOWLEDGED: {ACCEPTED, DECLINED, WAITLISTED},
    WAITLISTED: {ACCEPTED, DECLINED},
    ACCEPTED: {STARTED},
    STARTED: {COMPLETED, DROPPED_OUT},
    DECLINED: set(),
    COMPLETED: set(),
    DROPPED_OUT: set(),
}
# How long a referral is expected to stay in each state before someone must act
# (a deployment may set its own: [referrals] expected_days).
EXPECTED_STAY = {
    PROPOSED: dt.timedelta(days=7),
    SENT: dt.timedelta(days=5),
    ACKNOWLEDGED: dt.timedelta(days=10),
    WAITLISTED: dt.timedelta(days=45),
    ACCEPTED: dt.timedelta(days=14),
    STARTED: dt.timedelta(days=120),
}
IN_THE_PARTNERS_HANDS = {SENT, ACKNOWLEDGED, WAITLISTED, ACCEPTED, STARTED}


class Partner(ServiceAggregate):
    """A specialised service the agencies refer to."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"partner:{code}")

    @event("Registered")
    def __init__(
        self, code: str, name: str, kind: str, agency: str | None, domains: list[str], languages: list[str],
        channel: str, typical_wait_days: int, sample: bool,
    ):
        self.code, self.name, self.kind, self.agency = code, name, kind, agency
        self.domains, self.languages = list(domains), list(languages)
        self.channel, self.typical_wait_days, self.sample = channel, typical_wait_days, sample


class ClientOnRecord(ServiceAggregate):
    """What referrals needs to know of a client: languages, which agency guides
    them, what they consented to share with whom, and their referrals."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, languages: list[str], preferred_language: str):
        self.languages = list(languages)
        self.preferred_language = preferred_language
        self.agency: str | None = None
        self.consents: dict[str, bool] = {}  # "recipient/purpose" -> in force
        self.referrals: list[UUID] = []
        self.conferences: list[UUID] = []

    @event("AgencyFollowed")
    def follow_agency(self, agency: str):
        self.agency = agency

    @event("ConsentNoted")
    def note_consent(self, recipient: str, purpose: str, active: bool):
        self.consents[f"{recipient}/{purpose}"] = active

    def consents_to(self, recipient: str, purpose: str) -> bool:
        return self.consents.get(f"{recipient}/{purpose}", False)

    @event("ReferralLinked")
    def link_referral(self, referral_id: UUID):
        self.referrals.append(referral_id)

    @event("ConferenceLinked")
    def link_conference(self, conference_id: UUID):
        self.conferences.append(conference_id)


class Referral(ServiceAggregate):
    """One client referred to one partner for one purpose, from proposal to end."""

    @staticmethod
    def create_id(origin: str) -> UUID:
        """A worker's proposal has a fresh id; one proposed by a policy has an id
        derived from the upstream fact, so redelivery cannot propose it twice."""
        return uuid.uuid5(_NAMESPACE, f"referral:{origin}")

    @event("Proposed")
    def __init__(
        self, origin: str, client_id: UUID, agency: str, partner: str, purpose: str, domains: list[str],
        reason: str, at: dt.datetime, proposed_by: dict,
    ):
        self.client_id, self.agency, self.partner, self.purpose = client_id, agency, partner, purpose
        self.domains, self.reason = list(domains), reason
        self.state = PROPOSED
        self.history: list[dict] = []
        self.stalled_in: list[str] = []  # states this referral was already reported stalled in
        self.consent_withdrawn = False
        self.outcome: str | None = None
        self._entered(PROPOSED, proposed_by, at)

    def _entered(self, state: str, actor: dict, at: dt.datetime, **detail) -> None:
        self.state = state
        self.state_since = at
        self.history.append({"state": state, "at": at, "by": actor["user_id"], **detail})

    @event("StepRecorded")
    def record_step(self, step: str, at: dt.datetime, reason: str | None, outcome: str | None, recorded_by: dict):
        self._entered(step, recorded_by, at, reason=reason, outcome=outcome)
        if outcome:
            self.outcome = outcome

    @event("Stalled")
    def stall(self, in_state: str, since: dt.datetime, expected_days: int):
        self.stalled_in.append(f"{in_state}@{since.isoformat()}")

    def stalled_now(self, now: dt.datetime, expected_stay: dict[str, dt.timedelta]) -> bool:
        """Stuck beyond the expected stay in its current state, not yet reported."""
        limit = expected_stay.get(self.state)
        return (
            limit is not None and now > self.state_since + limit
            and f"{self.state}@{self.state_since.isoformat()}" not in self.stalled_in
        )

    @event("ConsentWithdrawnFlagged")
    def flag_consent_withdrawn(self):
        self.consent_withdrawn = True


class CoordinationPlan(ServiceAggregate):
    """Per client: the actors around the person and who does what."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"coordination:{client_id}")

    @event("Started")
    def __init__(self, client_id: UUID, agency: str):
        self.client_id, self.agency = client_id, agency
        self.actors: dict[str, dict] = {}

    @event("ActorAdded")
    def add_actor(self, actor_id: str, role: str, organisation: str, contact: str, does: str, added_by: dict):
        self.actors[actor_id] = {"actor_id": actor_id, "role": role, "organisation": organisation,
                                 "contact": contact, "does": does}

    @event("ActorRemoved")
    def remove_actor(self, actor_id: str, removed_by: dict):
        del self.actors[actor_id]


class CaseConference(ServiceAggregate):
    """A meeting of the actors around a client: who took part, what was decided,
    and follow-up actions that each have an owner and a due date."""

    @event("Held")
    def __init__(
        self, client_id: UUID, agency: str, on: dt.date, participants: list[str], decisions: list[str],
        actions: list[dict], held_by: dict,
    ):
        self.client_id, self.agency, self.on = client_id, agency, on
        self.participants, self.decisions = list(participants), list(decisions)
        self.actions = [{**action, "done": None} for action in actions]

    @event("ActionDone")
    def complete_action(self, index: int, on: dt.date, done_by: dict):
        self.actions[index]["done"] = on
