"""Intake's aggregates, named after what intake workers do.

A *client* is registered once, receives help requests, and gets an intake decision:
accepted (assigned to an agency and a worker), declined or waitlisted; later a
reassignment to another worker or a transfer to another agency. *Consent* records
what may be shared with whom and why, per recipient and purpose. The *agency* holds
the directory of its staff. A *national number claim* makes a national register
number belong to one client file only.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("0b8e6f3c-27f1-4b53-9a0d-7f7b8d3e6c11")

OPEN, ACCEPTED, DECLINED, WAITLISTED = "registered", "accepted", "declined", "waitlisted"


class Agency(ServiceAggregate):
    """A judicial-welfare service, the languages its staff offer, and its staff."""

    @staticmethod
    def create_id(code: str) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"agency:{code}")

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

    @event("StaffMemberAdded")
    def add_staff_member(self, user_id: str, display_name: str, profile: str, languages: list[str], added_by: dict):
        self.staff[user_id] = {
            "user_id": user_id, "display_name": display_name, "profile": profile,
            "languages": list(languages), "active": True,
        }

    @event("StaffMemberDeactivated")
    def deactivate_staff_member(self, user_id: str, deactivated_by: dict):
        self.staff[user_id]["active"] = False

    @event("StaffMemberReactivated")
    def reactivate_staff_member(self, user_id: str, reactivated_by: dict):
        self.staff[user_id]["active"] = True

    def active_member(self, user_id: str) -> dict | None:
        member = self.staff.get(user_id)
        return member if member and member["active"] else None


class NationalNumberClaim(ServiceAggregate):
    """Saved together with a client's registration: a second registration of the
    same number collides with it in the store, so there is never a duplicate file.

    It is known by a keyed hash (HMAC) of the number, so that neither its id nor
    the store reveals the number to anyone without the service's key."""

    @staticmethod
    def digest(national_number: str, key: bytes) -> str:
        return hmac.new(key, national_number.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def create_id(digest: str) -> uuid.UUID:
        return uuid.UUID(hex=digest[:32])

    @event("Claimed")
    def __init__(self, digest: str, client_id: uuid.UUID):
        self.client_id = client_id


class Client(ServiceAggregate):
    """A person in the justice system, living in freedom, who asks for guidance."""

    class Registered(ServiceAggregate.Created):
        """Version 2 added who the person is (``personal``), their current
        situation and the mandating actor; version 1 registrations read with none."""

        class_version = 2
        agency: str
        registered_by: dict
        legal_position: str
        languages: list
        preferred_language: str
        interpreter_needed: bool
        personal: dict | None
        situation: str
        mandating_actor: dict | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["personal"] = None
            state["situation"] = "unknown"
            state["mandating_actor"] = None

    @event(Registered)
    def __init__(
        self,
        agency: str,
        registered_by: dict,
        legal_position: str,
        languages: list[str],
        preferred_language: str,
        interpreter_needed: bool,
        personal: dict | None,
        situation: str,
        mandating_actor: dict | None,
    ):
        self.agency = agency  # the agency following the client now
        self.registered_by = registered_by
        self.legal_position = legal_position
        self.languages = list(languages)
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed
        self.personal = personal
        self.situation = situation
        self.mandating_actor = mandating_actor
        self.status = OPEN
        self.worker: str | None = None
        self.interpreter: dict | None = None
        self.help_requests: list[dict] = []
        self.decisions: list[dict] = []

    @event("LanguagesRecorded")
    def record_languages(
        self, languages: list[str], preferred_language: str, interpreter_needed: bool, recorded_by: dict
    ):
        self.languages = list(languages)
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed

    @event("HelpRequestReceived")
    def receive_help_request(
        self, request_id: uuid.UUID, source: str, domains: list[str], question: str, urgency: str, received_by: dict
    ):
        self.help_requests.append({
            "request_id": request_id, "source": source, "domains": list(domains),
            "question": question, "urgency": urgency, "received_by": received_by,
        })

    @event("IntakeAccepted")
    def accept(self, agency: str, worker: str, interpreter: dict | None, case: dict, decided_by: dict):
        """``case`` is what the agency accepted: the legal position, situation,
        languages and domains as they stood at the decision."""
        self.status, self.agency, self.worker, self.interpreter = ACCEPTED, agency, worker, interpreter
        self.decisions.append({"decision": ACCEPTED, "agency": agency, "worker": worker, "by": decided_by})

    def case(self) -> dict:
        return {
            "legal_position": self.legal_position,
            "situation": self.situation,
            "languages": list(self.languages),
            "preferred_language": self.preferred_language,
            "domains": sorted({d for request in self.help_requests for d in request["domains"]}),
        }

    @event("IntakeDeclined")
    def decline(self, reason: str, note: str, decided_by: dict):
        self.status = DECLINED
        self.decisions.append({"decision": DECLINED, "reason": reason, "note": note, "by": decided_by})

    @event("IntakeWaitlisted")
    def waitlist(self, agency: str, decided_by: dict):
        self.status, self.agency = WAITLISTED, agency
        self.decisions.append({"decision": WAITLISTED, "agency": agency, "by": decided_by})

    @event("Reassigned")
    def reassign(self, from_worker: str | None, to_worker: str, interpreter: dict | None, decided_by: dict):
        self.worker, self.interpreter = to_worker, interpreter
        self.decisions.append({"decision": "reassigned", "worker": to_worker, "by": decided_by})

    @event("Transferred")
    def transfer(
        self, from_agency: str, to_agency: str, worker: str | None, consent_id: uuid.UUID, decided_by: dict
    ):
        self.agency, self.worker = to_agency, worker
        self.status = ACCEPTED if worker else WAITLISTED
        self.decisions.append({"decision": "transferred", "agency": to_agency, "worker": worker, "by": decided_by})


class Consent(ServiceAggregate):
    """What the client allows to be shared with one recipient for one purpose.
    Given again after a withdrawal, it is the same consent with a new period: the
    record of the earlier period stays."""

    @staticmethod
    def create_id(client_id: uuid.UUID, recipient: str, purpose: str) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"consent:{client_id}:{recipient}:{purpose}")

    @event("Given")
    def __init__(self, client_id: uuid.UUID, recipient: str, purpose: str, scope: list[str], given_by: dict):
        self.client_id, self.recipient, self.purpose = client_id, recipient, purpose
        self.scope = list(scope)
        self.active = True

    # Each later event names the client, recipient and purpose again, so that it
    # reads as a whole fact on its own (to other services and to auditors).
    def give_again(self, scope: list[str], given_by: dict) -> None:
        self._given_again(self.client_id, self.recipient, self.purpose, scope, given_by)

    @event("GivenAgain")
    def _given_again(self, client_id: uuid.UUID, recipient: str, purpose: str, scope: list[str], given_by: dict):
        self.scope = list(scope)
        self.active = True

    def withdraw(self, withdrawn_by: dict) -> None:
        self._withdrawn(self.client_id, self.recipient, self.purpose, withdrawn_by)

    @event("Withdrawn")
    def _withdrawn(self, client_id: uuid.UUID, recipient: str, purpose: str, withdrawn_by: dict):
        self.active = False
