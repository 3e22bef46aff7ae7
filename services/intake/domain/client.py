"""The client file: who the person is, what they ask, and the intake decision."""
from __future__ import annotations

import datetime as dt
import uuid

from eventsourcing.domain import event

from shared.domain import Invalid, NotNow, NotPermitted, ServiceAggregate

from services.intake.domain.agency import Candidate

OPEN, ACCEPTED, DECLINED, WAITLISTED = "registered", "accepted", "declined", "waitlisted"
# Where the client stands in the justice system: what a legal-situation change may change.
LEGAL_SITUATION = ("legal_position", "situation", "mandating_actor")
# A declined client can come back to the agency's queue; so can one whose trajectory
# closed, which intake learns from guidance (services/intake/trajectories.py).
REOPENABLE = frozenset({DECLINED})
# Who the person is: in one dict inside a registration before version 4.
WHO = ("given_names", "family_name", "birth_date", "national_number", "contact")


class DecisionNotAllowed(NotNow):
    def __init__(self, status: str, to: str):
        super().__init__(f"a client whose intake is {status} cannot be {to}", {"status": [status]})


class FileChanged(NotNow):
    """The caller decided on what it saw at another version: acting on a newer file
    could silently undo someone else's change."""

    def __init__(self, version: int):
        super().__init__("the client file changed since you read it; reload it and try again",
                         {"expected_version": [f"the file is at version {version}"]})


class AlreadyAssigned(NotNow):
    def __init__(self, worker: str):
        super().__init__("the client is already assigned to this worker", {"worker": [worker]})


class AlreadyWithAgency(NotNow):
    def __init__(self, agency: str):
        super().__init__("the client is already with this agency", {"to_agency": [agency]})


class NoTransferConsent(NotPermitted):
    def __init__(self, agency: str):
        super().__init__("the client has not consented to a transfer to this agency",
                         {"consent": [f"no consent in force for recipient {agency}, purpose transfer"]})


class NoSuchWorker(Invalid):
    def __init__(self, agency: str):
        super().__init__("no such active worker in this agency", {"worker": [f"not active at {agency}"]})


class NoCommonLanguage(NotNow):
    def __init__(self, worker_speaks: str, client_speaks: str):
        super().__init__(
            "the worker speaks none of the client's languages; arrange an interpreter or choose another worker",
            {"worker": [f"speaks {worker_speaks}; the client speaks {client_speaks}"]},
        )


class InterpreterLanguage(Invalid):
    def __init__(self, client_speaks: str):
        super().__init__("the interpreter must speak a language of the client",
                         {"interpreter.language": [f"the client speaks {client_speaks}"]})


class NoTelephoneInterpreters(NotNow):
    def __init__(self, agency: str):
        super().__init__("this agency cannot arrange telephone interpreters",
                         {"interpreter.kind": [f"{agency} has no telephone interpreters"]})


class EffectiveInTheFuture(Invalid):
    def __init__(self, today: dt.date):
        super().__init__("a change is recorded once it has taken effect, not ahead of it",
                         {"effective_from": [f"after today ({today.isoformat()})"]})


class EffectiveBeforeRegistration(Invalid):
    def __init__(self, registered: dt.date):
        super().__init__("a change cannot take effect before the client was registered",
                         {"effective_from": [f"before the registration on {registered.isoformat()}"]})


class EffectiveBeforeLastChange(Invalid):
    """A change learnt late may be dated in the past, but not before the last change
    of the same kind: the later one would silently stop being the current one."""

    def __init__(self, last: dt.date):
        super().__init__("a change cannot take effect before the last recorded change, which stands",
                         {"effective_from": [f"before the last change, effective {last.isoformat()}"]})


class NothingToChange(Invalid):
    def __init__(self):
        super().__init__("say what changed: a legal position, a situation or a mandating actor",
                         {name: ["give at least one of legal_position, situation, mandating_actor"]
                          for name in LEGAL_SITUATION})


class NothingChanges(Invalid):
    """A change that changes nothing would only add noise to the client's history."""

    def __init__(self, fields: list[str]):
        super().__init__("the file says this already: nothing changes",
                         {name: ["is the same as on file"] for name in fields})


class ClientErased(NotNow):
    def __init__(self):
        super().__init__("the client's personal data was erased: the file takes no new facts",
                         {"client_id": ["erased"]})


class TrajectoryClosed(NotNow):
    def __init__(self, agency: str):
        super().__init__(f"the client's trajectory at {agency} is closed: a coordinator reopens it (or the intake) "
                         "before the file takes a correction", {"status": ["trajectory closed"]})


class IntakeNotReopenable(NotNow):
    def __init__(self, status: str, agency: str, worker: str | None):
        state = {
            OPEN: "registered: waiting for an intake decision already",
            WAITLISTED: f"waitlisted at {agency}: waiting for an intake decision already",
            ACCEPTED: f"accepted: guided at {agency} by {worker}",
        }.get(status, status)
        super().__init__(f"a client whose intake is {status} cannot have their intake reopened",
                         {"status": [state]})


class Client(ServiceAggregate):
    """A person in the justice system, living in freedom, who asks for guidance.

    Known everywhere by ``client_id``, the file's own id, which the application
    chooses; every event names it again with the agency following the client."""

    # The trajectory at the client's agency that guidance closed, while it stays closed.
    closed_trajectory: uuid.UUID | None = None

    @staticmethod
    def create_id(client_id: uuid.UUID) -> uuid.UUID:
        return client_id

    class Registered(ServiceAggregate.Created):
        """Version 2 added who the person is, their current situation and the
        mandating actor; version 1 registrations read with none. Version 3 names the
        client in the event, as every later event does. Version 4 holds who the
        person is field by field, as shared.contracts.intake.Registration declares
        them, so that each can be encrypted on its own."""

        class_version = 4
        client_id: uuid.UUID
        agency: str
        registered_by: dict
        legal_position: str
        languages: list
        preferred_language: str
        interpreter_needed: bool
        given_names: str | None
        family_name: str | None
        birth_date: dt.date | None
        national_number: str | None
        contact: dict | None
        situation: str
        mandating_actor: dict | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["personal"] = None
            state["situation"] = "unknown"
            state["mandating_actor"] = None

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            state["client_id"] = state["originator_id"]

        @staticmethod
        def upcast_v3_v4(state: dict) -> None:
            person = state.pop("personal") or dict.fromkeys(WHO)
            state.update({name: person[name] for name in WHO})
            if state["birth_date"] is not None:  # stored as text inside the dict
                state["birth_date"] = dt.date.fromisoformat(state["birth_date"])

    @event(Registered)
    def __init__(
        self, client_id: uuid.UUID, agency: str, registered_by: dict, legal_position: str, languages: list[str],
        preferred_language: str, interpreter_needed: bool, given_names: str | None, family_name: str | None,
        birth_date: dt.date | None, national_number: str | None, contact: dict | None, situation: str,
        mandating_actor: dict | None,
    ):
        self.agency = agency  # the agency following the client now
        self.registered_by = registered_by
        self.legal_position = legal_position
        self.languages = list(languages or [])  # none once erased (shared.sealing)
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed
        # None for a client registered before intake kept who the person is.
        self.given_names, self.family_name, self.birth_date = given_names, family_name, birth_date
        self.national_number, self.contact = national_number, contact
        self.situation = situation
        self.mandating_actor = mandating_actor
        self.status = OPEN
        self.worker: str | None = None
        self.interpreter: dict | None = None
        self.help_requests: list[dict] = []
        self.decisions: list[dict] = []
        # Corrections (issue 20): each change, oldest first, with when it took effect.
        self.legal_situation_history: list[dict] = []
        self.contact_history: list[dict] = []

    def record_languages(
        self, expected_version: int, languages: list[str], preferred_language: str, interpreter_needed: bool,
        recorded_by: dict,
    ) -> None:
        if self.version != expected_version:
            raise FileChanged(self.version)
        self._languages_recorded(
            client_id=self.id, agency=self.agency, languages=languages, preferred_language=preferred_language,
            interpreter_needed=interpreter_needed, recorded_by=recorded_by,
        )

    @event("LanguagesRecorded")
    def _languages_recorded(
        self, client_id: uuid.UUID, agency: str, languages: list[str], preferred_language: str,
        interpreter_needed: bool, recorded_by: dict,
    ):
        self.languages = list(languages or [])  # none once erased (shared.sealing)
        self.preferred_language = preferred_language
        self.interpreter_needed = interpreter_needed

    def receive_help_request(
        self, request_id: uuid.UUID, source: str, domains: list[str], question: str, urgency: str, received_by: dict
    ) -> None:
        self._help_request_received(
            client_id=self.id, agency=self.agency, request_id=request_id, source=source, domains=domains,
            question=question, urgency=urgency, received_by=received_by,
        )

    @event("HelpRequestReceived")
    def _help_request_received(
        self, client_id: uuid.UUID, agency: str, request_id: uuid.UUID, source: str, domains: list[str],
        question: str, urgency: str, received_by: dict,
    ):
        self.help_requests.append({
            "request_id": request_id, "source": source, "domains": list(domains or []),
            "question": question, "urgency": urgency, "received_by": received_by,
        })

    # -- the intake decision ------------------------------------------------------------

    def accept(self, candidate: Candidate, interpreter: dict | None, decided_by: dict) -> None:
        """The event holds what the agency accepted: the case as it stands now."""
        self._expect_status({OPEN, WAITLISTED}, "accepted")
        interpreter = self._interpreter_for(candidate, interpreter)
        self._accepted(
            client_id=self.id, agency=self.agency, worker=candidate.user_id, interpreter=interpreter,
            decided_by=decided_by, **self.case(),
        )

    @event("IntakeAccepted")
    def _accepted(
        self, client_id: uuid.UUID, agency: str, worker: str, interpreter: dict | None, legal_position: str,
        situation: str, languages: list[str], preferred_language: str, domains: list[str], decided_by: dict,
    ):
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

    def decline(self, reason: str, note: str, decided_by: dict) -> None:
        self._expect_status({OPEN, WAITLISTED}, "declined")
        self._declined(client_id=self.id, agency=self.agency, reason=reason, note=note, decided_by=decided_by)

    @event("IntakeDeclined")
    def _declined(self, client_id: uuid.UUID, agency: str, reason: str, note: str, decided_by: dict):
        self.status = DECLINED
        self.decisions.append({"decision": DECLINED, "reason": reason, "note": note, "by": decided_by})

    def waitlist(self, decided_by: dict) -> None:
        self._expect_status({OPEN}, "waitlisted")
        self._waitlisted(client_id=self.id, agency=self.agency, decided_by=decided_by)

    @event("IntakeWaitlisted")
    def _waitlisted(self, client_id: uuid.UUID, agency: str, decided_by: dict):
        self.status, self.agency = WAITLISTED, agency
        self.decisions.append({"decision": WAITLISTED, "agency": agency, "by": decided_by})

    def reassign(self, candidate: Candidate, interpreter: dict | None, decided_by: dict) -> None:
        self._expect_status({ACCEPTED}, "reassigned")
        if candidate.user_id == self.worker:
            raise AlreadyAssigned(candidate.user_id)
        interpreter = self._interpreter_for(candidate, interpreter)
        self._reassigned(
            client_id=self.id, agency=self.agency, from_worker=self.worker, worker=candidate.user_id,
            interpreter=interpreter, decided_by=decided_by,
        )

    @event("Reassigned")
    def _reassigned(
        self, client_id: uuid.UUID, agency: str, from_worker: str | None, worker: str, interpreter: dict | None,
        decided_by: dict,
    ):
        self.worker, self.interpreter = worker, interpreter
        self.decisions.append({"decision": "reassigned", "worker": worker, "by": decided_by})

    def transfer(
        self, to_agency: str, consent_id: uuid.UUID | None, candidate: Candidate | None, interpreter: dict | None,
        decided_by: dict,
    ) -> None:
        """``consent_id``: the client's consent in force to a transfer to ``to_agency``,
        if any; ``candidate``: the worker there, if one is chosen now (else the client
        waits there)."""
        self._expect_status({ACCEPTED, WAITLISTED}, "transferred")
        if to_agency == self.agency:
            raise AlreadyWithAgency(to_agency)
        if consent_id is None:
            raise NoTransferConsent(to_agency)
        if candidate is not None:
            self._interpreter_for(candidate, interpreter)
        self._transferred(
            client_id=self.id, from_agency=self.agency, agency=to_agency,
            worker=candidate.user_id if candidate else None, consent_id=consent_id, decided_by=decided_by,
        )

    @event("Transferred")
    def _transferred(
        self, client_id: uuid.UUID, from_agency: str, agency: str, worker: str | None, consent_id: uuid.UUID,
        decided_by: dict,
    ):
        self.agency, self.worker = agency, worker
        self.status = ACCEPTED if worker else WAITLISTED
        self.closed_trajectory = None  # guided afresh at the new agency
        self.decisions.append({"decision": "transferred", "agency": agency, "worker": worker, "by": decided_by})

    # -- corrections: the client's situation over time (issue 20) ------------------------

    class LegalSituationChanged(ServiceAggregate.Event):
        """Where the client stands, from ``effective_from`` on: every value as it is
        now, and which of them ``changed``."""

        client_id: uuid.UUID
        agency: str
        effective_from: dt.date
        legal_position: str
        situation: str
        mandating_actor: dict | None
        changed: list
        reason: str
        changed_by: dict

        def apply(self, client: "Client") -> None:
            before = {name: getattr(client, name) for name in self.changed}
            client.legal_position, client.situation = self.legal_position, self.situation
            client.mandating_actor = self.mandating_actor
            client.legal_situation_history.append({
                "effective_from": self.effective_from, "changed": list(self.changed or []), "from": before,
                "to": {name: getattr(client, name) for name in self.changed},
                "reason": self.reason, "by": self.changed_by, "recorded": self.timestamp,
            })

    class ContactDetailsChanged(ServiceAggregate.Event):
        """How to reach the client, whole, from ``effective_from`` on."""

        client_id: uuid.UUID
        agency: str
        effective_from: dt.date
        contact: dict
        reason: str
        changed_by: dict

        def apply(self, client: "Client") -> None:
            client.contact = self.contact
            client.contact_history.append({
                "effective_from": self.effective_from, "contact": self.contact, "reason": self.reason,
                "by": self.changed_by, "recorded": self.timestamp,
            })

    class IntakeReopened(ServiceAggregate.Event):
        """The client is back in the agency's queue for an intake decision."""

        client_id: uuid.UUID
        agency: str
        previous_status: str
        reason: str
        reopened_by: dict

        def apply(self, client: "Client") -> None:
            client.status, client.worker, client.interpreter = OPEN, None, None
            client.decisions.append({"decision": "reopened", "agency": self.agency, "note": self.reason,
                                     "by": self.reopened_by})

    class IntakeReopenedAfterClosing(ServiceAggregate.Event):
        """The client whose trajectory closed is back in the agency's queue: a new intake."""

        client_id: uuid.UUID
        agency: str
        trajectory_id: uuid.UUID
        reason: str
        reopened_by: dict

        def apply(self, client: "Client") -> None:
            client.status, client.worker, client.interpreter, client.closed_trajectory = OPEN, None, None, None
            client.decisions.append({"decision": "reopened", "agency": self.agency, "note": self.reason,
                                     "by": self.reopened_by})

    # -- what guidance tells of the client's trajectory ----------------------------------

    class GuidanceEnded(ServiceAggregate.Event):
        client_id: uuid.UUID
        agency: str
        trajectory_id: uuid.UUID

        def apply(self, client: "Client") -> None:
            client.closed_trajectory = self.trajectory_id

    class GuidanceResumed(ServiceAggregate.Event):
        client_id: uuid.UUID
        agency: str
        trajectory_id: uuid.UUID

        def apply(self, client: "Client") -> None:
            client.closed_trajectory = None

    def note_guidance_ended(self, agency: str, trajectory_id: uuid.UUID) -> bool:
        """Guidance closed a trajectory (not on a transfer, which intake decided itself):
        the file notes it when it is the client's guidance now. Returns whether it did."""
        if agency != self.agency or self.status != ACCEPTED or self.closed_trajectory == trajectory_id:
            return False
        self.trigger_event(self.GuidanceEnded, client_id=self.id, agency=agency, trajectory_id=trajectory_id)
        return True

    def note_guidance_resumed(self, trajectory_id: uuid.UUID) -> bool:
        """A coordinator reopened the closed trajectory. Returns whether the file noted it."""
        if self.closed_trajectory != trajectory_id:
            return False
        self.trigger_event(self.GuidanceResumed, client_id=self.id, agency=self.agency, trajectory_id=trajectory_id)
        return True

    def change_legal_situation(
        self, effective_from: dt.date, reason: str, changed_by: dict, today: dt.date, erased: bool = False,
        legal_position: str | None = None, situation: str | None = None, mandating_actor: dict | None = None,
    ) -> list[str]:
        """What is not given stays as it is; returns the names of what changed."""
        self._expect_not_erased(erased)
        self._expect_guided()
        given = {name: value for name, value in zip(LEGAL_SITUATION, (legal_position, situation, mandating_actor))
                 if value is not None}
        if not given:
            raise NothingToChange()
        self._expect_effective(effective_from, today, self.legal_situation_history)
        changed = [name for name, value in given.items() if value != getattr(self, name)]
        if not changed:
            raise NothingChanges(list(given))
        now = {name: given.get(name, getattr(self, name)) for name in LEGAL_SITUATION}
        self.trigger_event(
            self.LegalSituationChanged, client_id=self.id, agency=self.agency, effective_from=effective_from,
            changed=changed, reason=reason, changed_by=changed_by, **now,
        )
        return changed

    def change_contact(
        self, effective_from: dt.date, contact: dict, reason: str, changed_by: dict, today: dt.date,
        erased: bool = False,
    ) -> None:
        """``contact``: how to reach the client from then on, whole (what it leaves out is no longer valid)."""
        self._expect_not_erased(erased)
        self._expect_guided()
        self._expect_effective(effective_from, today, self.contact_history)
        if contact == (self.contact or {}):
            raise NothingChanges(["contact"])
        self.trigger_event(
            self.ContactDetailsChanged, client_id=self.id, agency=self.agency, effective_from=effective_from,
            contact=contact, reason=reason, changed_by=changed_by,
        )

    def reopen_intake(self, reason: str, reopened_by: dict, erased: bool = False) -> None:
        self._expect_not_erased(erased)
        if self.closed_trajectory is not None:
            self.trigger_event(
                self.IntakeReopenedAfterClosing, client_id=self.id, agency=self.agency,
                trajectory_id=self.closed_trajectory, reason=reason, reopened_by=reopened_by,
            )
            return
        if self.status not in REOPENABLE:
            raise IntakeNotReopenable(self.status, self.agency, self.worker)
        self.trigger_event(
            self.IntakeReopened, client_id=self.id, agency=self.agency, previous_status=self.status, reason=reason,
            reopened_by=reopened_by,
        )

    @staticmethod
    def _expect_not_erased(erased: bool) -> None:
        if erased:
            raise ClientErased()

    def _expect_guided(self) -> None:
        """A correction of a client whose guidance ended waits until it resumes."""
        if self.closed_trajectory is not None:
            raise TrajectoryClosed(self.agency)

    def _expect_effective(self, effective_from: dt.date, today: dt.date, history: list[dict]) -> None:
        if effective_from > today:
            raise EffectiveInTheFuture(today)
        registered = self.created_on.date()
        if effective_from < registered:
            raise EffectiveBeforeRegistration(registered)
        last = history[-1]["effective_from"] if history else None
        if last is not None and effective_from < last:  # None: erased
            raise EffectiveBeforeLastChange(last)

    def _expect_status(self, allowed: set[str], to: str) -> None:
        if self.status not in allowed:
            raise DecisionNotAllowed(self.status, to)

    def _interpreter_for(self, candidate: Candidate, interpreter: dict | None) -> dict | None:
        """The worker must be active in the agency and speak a language the client
        speaks, or an interpreter in one of the client's languages must be arranged."""
        if not candidate.available:
            raise NoSuchWorker(candidate.agency)
        if candidate.languages & set(self.languages):
            return interpreter
        spoken = ", ".join(sorted(self.languages))
        if interpreter is None:
            raise NoCommonLanguage(", ".join(sorted(candidate.languages)), spoken)
        if interpreter["language"] not in self.languages:
            raise InterpreterLanguage(spoken)
        if interpreter["kind"] == "telephone" and not candidate.telephone_interpreters:
            raise NoTelephoneInterpreters(candidate.agency)
        return interpreter
