"""Intake's commands and queries, in simple types.

Every command takes the actor (user id, role, agency) and checks that this actor
may do it here; a refusal says why and is logged without personal data.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from shared import access_log
from shared.access import allow
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.store import ServiceApplication

from services.intake import national_number as national_number_module
from services.intake.domain import ACCEPTED, OPEN, WAITLISTED, Agency, Client, Consent, NationalNumberClaim
from services.intake.integration import publications
from services.intake.projections import ClientIndex

CASEWORKERS = {"social_assistant", "criminologist", "jurist"}
CASEWORK = CASEWORKERS | {"coordinator"}
COORDINATOR = {"coordinator"}
ADMIN = {"admin"}
# Only for development and tests: production sets JWW_INTAKE_NATIONAL_NUMBER_KEY.
DEVELOPMENT_KEY = "development only: not a secret"


class IntakeApplication(ServiceApplication):
    service_name = "intake"

    def __init__(self, store=None, env=None):
        super().__init__(store=store, env=env)
        self.national_number_key = (self.env.get("JWW_INTAKE_NATIONAL_NUMBER_KEY") or DEVELOPMENT_KEY).encode()
        self.index = ClientIndex(self)
        self.publications = {**publications(self.repository), **access_log.publication(self.service_name)}

    # -- access ---------------------------------------------------------------------

    def _client(self, actor: dict, client_id: UUID, roles: set[str], command: str) -> Client:
        client = self._get(client_id, Client, "client_id")
        allow(actor, roles, command, agency=client.agency)
        return client

    def _get(self, aggregate_id: UUID, cls: type, field: str):
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no such {field.removesuffix('_id').replace('_', ' ')}", {field: ["not found"]})
        return aggregate

    def agency(self, code: str) -> Agency:
        return self._get(Agency.create_id(code), Agency, "agency")

    # -- clients --------------------------------------------------------------------

    def register_client(
        self,
        actor: dict,
        given_names: str,
        family_name: str,
        birth_date: dt.date,
        legal_position: str,
        situation: str,
        languages: list[str],
        preferred_language: str,
        interpreter_needed: bool = False,
        national_number: str | None = None,
        contact: dict | None = None,
        mandating_actor: dict | None = None,
    ) -> UUID:
        allow(actor, CASEWORK, "register_client")
        digest = None
        if national_number is not None:
            national_number = self._valid_national_number(national_number)
            born = national_number_module.birth_date(national_number)
            if born is not None and born != birth_date:
                raise InvalidInput(
                    "the national register number does not fit the birth date",
                    {"national_number": ["its birth date part is another date than birth_date"]},
                )
            digest = NationalNumberClaim.digest(national_number, self.national_number_key)
            self._refuse_duplicate(NationalNumberClaim.create_id(digest))
        client = Client(
            agency=actor["agency"], registered_by=actor, legal_position=legal_position,
            languages=languages, preferred_language=preferred_language, interpreter_needed=interpreter_needed,
            personal={
                "given_names": given_names, "family_name": family_name, "birth_date": birth_date.isoformat(),
                "national_number": national_number, "contact": contact or {},
            },
            situation=situation, mandating_actor=mandating_actor,
        )
        claim = NationalNumberClaim(digest=digest, client_id=client.id) if digest else None
        try:
            self.save(client, claim)
        except IntegrityError:
            if claim is not None:  # registered by someone else a moment ago
                self._refuse_duplicate(claim.id)
            raise
        return client.id

    def _valid_national_number(self, text: str) -> str:
        try:
            return national_number_module.validate(text)
        except national_number_module.InvalidNationalNumber as error:
            raise InvalidInput("the national register number is not valid", {"national_number": [str(error)]}) from None

    def _refuse_duplicate(self, claim_id: UUID) -> None:
        try:
            existing: NationalNumberClaim = self.repository.get(claim_id)
        except AggregateNotFoundError:
            return
        client = self.repository.get(existing.client_id)
        raise Conflict(
            "a client with this national register number is already registered",
            {"existing_client_id": [str(existing.client_id)], "agency": [client.agency]},
        )

    def record_languages(
        self, actor: dict, client_id: UUID, expected_version: int, languages: list[str],
        preferred_language: str, interpreter_needed: bool,
    ) -> int:
        client = self._client(actor, client_id, CASEWORK, "record_languages")
        if client.version != expected_version:
            # The caller decided on what it saw at expected_version; acting on a
            # newer file could silently undo someone else's change.
            raise Conflict(
                "the client file changed since you read it; reload it and try again",
                {"expected_version": [f"the file is at version {client.version}"]},
            )
        client.record_languages(languages, preferred_language, interpreter_needed, recorded_by=actor)
        self.save(client)
        return client.version

    def receive_help_request(
        self, actor: dict, client_id: UUID, source: str, domains: list[str], question: str, urgency: str = "normal"
    ) -> UUID:
        client = self._client(actor, client_id, CASEWORK, "receive_help_request")
        request_id = uuid.uuid4()
        client.receive_help_request(request_id, source, domains, question, urgency, received_by=actor)
        self.save(client)
        return request_id

    # -- consent --------------------------------------------------------------------

    def give_consent(self, actor: dict, client_id: UUID, recipient: str, purpose: str, scope: list[str]) -> UUID:
        client = self._client(actor, client_id, CASEWORK, "give_consent")
        consent_id = Consent.create_id(client.id, recipient, purpose)
        try:
            consent: Consent = self.repository.get(consent_id)
        except AggregateNotFoundError:
            consent = Consent(client_id=client.id, recipient=recipient, purpose=purpose, scope=scope, given_by=actor)
        else:
            if consent.active and sorted(consent.scope) == sorted(scope):
                return consent.id  # already given, as asked: nothing new happened
            consent.give_again(scope, given_by=actor)
        self.save(consent)
        return consent.id

    def withdraw_consent(self, actor: dict, client_id: UUID, recipient: str, purpose: str) -> UUID:
        client = self._client(actor, client_id, CASEWORK, "withdraw_consent")
        consent = self._active_consent(client.id, recipient, purpose)
        if consent is None:
            raise Conflict("there is no consent in force to withdraw", {"recipient": [recipient], "purpose": [purpose]})
        consent.withdraw(withdrawn_by=actor)
        self.save(consent)
        return consent.id

    def _active_consent(self, client_id: UUID, recipient: str, purpose: str) -> Consent | None:
        try:
            consent = self.repository.get(Consent.create_id(client_id, recipient, purpose))
        except AggregateNotFoundError:
            return None
        return consent if consent.active else None

    def consents(self, client_id: UUID) -> list[Consent]:
        return [self.repository.get(consent_id) for consent_id in self.index.consents_of(client_id)]

    # -- intake decisions -----------------------------------------------------------

    def accept(self, actor: dict, client_id: UUID, worker: str, interpreter: dict | None = None) -> None:
        client = self._client(actor, client_id, COORDINATOR, "accept_intake")
        self._expect_status(client, {OPEN, WAITLISTED}, "accepted")
        interpreter = self._check_worker(self.agency(client.agency), worker, client, interpreter)
        client.accept(client.agency, worker, interpreter, client.case(), decided_by=actor)
        self.save(client)

    def decline(self, actor: dict, client_id: UUID, reason: str, note: str = "") -> None:
        client = self._client(actor, client_id, COORDINATOR, "decline_intake")
        self._expect_status(client, {OPEN, WAITLISTED}, "declined")
        client.decline(reason, note, decided_by=actor)
        self.save(client)

    def waitlist(self, actor: dict, client_id: UUID) -> None:
        client = self._client(actor, client_id, COORDINATOR, "waitlist_intake")
        self._expect_status(client, {OPEN}, "waitlisted")
        client.waitlist(client.agency, decided_by=actor)
        self.save(client)

    def reassign(self, actor: dict, client_id: UUID, worker: str, interpreter: dict | None = None) -> None:
        client = self._client(actor, client_id, COORDINATOR, "reassign_client")
        self._expect_status(client, {ACCEPTED}, "reassigned")
        if worker == client.worker:
            raise Conflict("the client is already assigned to this worker", {"worker": [worker]})
        interpreter = self._check_worker(self.agency(client.agency), worker, client, interpreter)
        client.reassign(client.worker, worker, interpreter, decided_by=actor)
        self.save(client)

    def transfer(
        self, actor: dict, client_id: UUID, to_agency: str, worker: str | None = None, interpreter: dict | None = None
    ) -> None:
        client = self._client(actor, client_id, COORDINATOR, "transfer_client")
        self._expect_status(client, {ACCEPTED, WAITLISTED}, "transferred")
        if to_agency == client.agency:
            raise Conflict("the client is already with this agency", {"to_agency": [to_agency]})
        target = self.agency(to_agency)
        consent = self._active_consent(client.id, to_agency, "transfer")
        if consent is None:
            raise Forbidden(
                "the client has not consented to a transfer to this agency",
                {"consent": [f"no consent in force for recipient {to_agency}, purpose transfer"]},
            )
        if worker is not None:
            self._check_worker(target, worker, client, interpreter)
        client.transfer(client.agency, to_agency, worker, consent.id, decided_by=actor)
        self.save(client)

    @staticmethod
    def _expect_status(client: Client, allowed: set[str], to: str) -> None:
        if client.status not in allowed:
            raise Conflict(
                f"a client whose intake is {client.status} cannot be {to}", {"status": [client.status]}
            )

    @staticmethod
    def _check_worker(agency: Agency, worker: str, client: Client, interpreter: dict | None) -> dict | None:
        """The worker must be active in the agency and speak a language the client
        speaks, or an interpreter in one of the client's languages must be arranged."""
        member = agency.active_member(worker)
        if member is None or member["profile"] not in CASEWORKERS | {"coordinator"}:
            raise InvalidInput("no such active worker in this agency", {"worker": [f"not active at {agency.code}"]})
        shared = set(member["languages"]) & set(client.languages)
        if shared:
            return interpreter
        spoken = ", ".join(sorted(client.languages))
        if interpreter is None:
            raise Conflict(
                "the worker speaks none of the client's languages; arrange an interpreter or choose another worker",
                {"worker": [f"speaks {', '.join(sorted(member['languages']))}; the client speaks {spoken}"]},
            )
        if interpreter["language"] not in client.languages:
            raise InvalidInput("the interpreter must speak a language of the client", {"interpreter.language": [f"the client speaks {spoken}"]})
        if interpreter["kind"] == "telephone" and not agency.telephone_interpreters:
            raise Conflict(
                "this agency cannot arrange telephone interpreters",
                {"interpreter.kind": [f"{agency.code} has no telephone interpreters"]},
            )
        return interpreter

    # -- queries --------------------------------------------------------------------

    def client_file(
        self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, query: str = "client_file",
    ) -> dict:
        client = self._client(actor, client_id, CASEWORK, "read_client_file")
        access_log.record(self, actor, [client.id], purpose, query)
        return {
            "client_id": str(client.id),
            "version": client.version,
            "agency": client.agency,
            "status": client.status,
            "worker": client.worker,
            "interpreter": client.interpreter,
            "personal": client.personal,
            "legal_position": client.legal_position,
            "situation": client.situation,
            "mandating_actor": client.mandating_actor,
            "languages": client.languages,
            "preferred_language": client.preferred_language,
            "interpreter_needed": client.interpreter_needed,
            "help_requests": [{**r, "request_id": str(r["request_id"])} for r in client.help_requests],
            "decisions": client.decisions,
            "consents": [
                {"recipient": c.recipient, "purpose": c.purpose, "scope": c.scope, "active": c.active,
                 "since": c.modified_on.isoformat()}
                for c in self.consents(client.id)
            ],
        }

    def search(
        self, actor: dict, name: str | None = None, national_number: str | None = None,
        purpose: str = access_log.CASEWORK,
    ) -> list[dict]:
        allow(actor, CASEWORK, "search_clients")
        if national_number is not None:
            national_number = self._valid_national_number(national_number)
        found = self.index.search(actor["agency"], name, national_number)
        clients = [self.repository.get(client_id) for client_id in found]
        access_log.record(self, actor, [client.id for client in clients], purpose, "search_clients")
        results = []
        for client in clients:
            personal = client.personal or {}
            results.append({
                "client_id": str(client.id), "given_names": personal.get("given_names"),
                "family_name": personal.get("family_name"), "birth_date": personal.get("birth_date"),
                "status": client.status,
            })
        return results

    def waitlist_of(self, actor: dict, agency: str) -> list[dict]:
        allow(actor, COORDINATOR, "read_waitlist", agency=agency)
        return [{"client_id": str(client_id), "since": since.isoformat()} for client_id, since in self.index.waitlist(agency)]

    # -- the directory of agencies and staff ---------------------------------------

    def register_agency(
        self, actor: dict, code: str, name: str, languages: list[str], telephone_interpreters: bool, sample: bool = False
    ) -> UUID:
        allow(actor, ADMIN, "register_agency")
        if Agency.create_id(code) in self.repository:
            raise Conflict("an agency with this code is already registered", {"code": [code]})
        agency = Agency(code=code, name=name, languages=languages, telephone_interpreters=telephone_interpreters,
                        sample=sample, registered_by=actor)
        self.save(agency)
        return agency.id

    def add_staff_member(
        self, actor: dict, agency: str, user_id: str, display_name: str, profile: str, languages: list[str]
    ) -> None:
        allow(actor, ADMIN | COORDINATOR, "add_staff_member", agency=None if actor["role"] == "admin" else agency)
        the_agency = self.agency(agency)
        if user_id in the_agency.staff:
            raise Conflict("this staff member is already in the directory", {"user_id": [user_id]})
        the_agency.add_staff_member(user_id, display_name, profile, languages, added_by=actor)
        self.save(the_agency)

    def set_staff_member_active(self, actor: dict, agency: str, user_id: str, active: bool) -> None:
        allow(actor, ADMIN | COORDINATOR, "change_staff_member", agency=None if actor["role"] == "admin" else agency)
        the_agency = self.agency(agency)
        member = the_agency.staff.get(user_id)
        if member is None:
            raise NotFound("no such staff member", {"user_id": [user_id]})
        if member["active"] == active:
            return
        if active:
            the_agency.reactivate_staff_member(user_id, reactivated_by=actor)
        else:
            the_agency.deactivate_staff_member(user_id, deactivated_by=actor)
        self.save(the_agency)

    def directory(self) -> list[dict]:
        from eventsourcing.utils import get_topic

        notes = self.recorder.select_notifications(1, 10_000, topics=[get_topic(Agency.Registered)])
        agencies = [self.repository.get(n.originator_id) for n in notes]
        return [
            {"code": a.code, "name": a.name, "languages": a.languages, "telephone_interpreters": a.telephone_interpreters,
             "sample": a.sample, "staff": [m for m in a.staff.values()]}
            for a in agencies
        ]

    def load_directory(self, path: Path) -> int:
        """Load agencies and staff from a directory file (the sample one in deploy/),
        skipping those already there. Returns how many agencies were added."""
        content = json.loads(Path(path).read_text())
        system = {"user_id": "directory-loader", "role": "admin", "agency": "platform"}
        added = 0
        for entry in content["agencies"]:
            try:
                self.register_agency(system, entry["code"], entry["name"], entry["languages"],
                                     entry["telephone_interpreters"], sample=bool(content.get("sample")))
            except (Conflict, IntegrityError):  # already there, or another instance is loading it now
                continue
            added += 1
            for member in (m for m in content["staff"] if m["agency"] == entry["code"]):
                self.add_staff_member(system, entry["code"], member["user_id"], member["display_name"],
                                      member["profile"], member["languages"])
                if not member.get("active", True):
                    self.set_staff_member_active(system, entry["code"], member["user_id"], False)
        return added
