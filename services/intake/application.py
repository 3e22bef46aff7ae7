"""Intake's use cases, in simple types: clients, their consents and the intake
decisions (the directory of agencies and staff is in ``directory``).

Every command takes the actor (user id, role, agency) and checks that this actor
may do it here; a refusal says why and is logged without personal data. The rules
on a record's own state are the aggregate's (``domain``); what is left here reads
more than one record: a national number already claimed, a worker's agency, a
consent to a transfer.
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from shared import access_log, config, consented
from shared.access import allow
from shared.contracts.declare import RETENTION_CLASSES
from shared.contracts.intake_answers import ClientFile as ClientFileShown
from shared.contracts.intake_vocabulary import categories_of
from shared.erasure import RETENTION_POLICY
from shared.errors import Conflict, InvalidInput, NotFound
from shared.retention import Retention

from services.intake import national_number as national_number_module
from services.intake.domain import duplicate_check as duplicate_check_module
from services.intake.directory import StaffDirectory
from services.intake.domain import (
    DECLINED, Client, Consent, DuplicateCheck, Erasure, LegalHold, NationalNumberClaim, NoConsentInForce,
)
from services.intake.domain.agency import Agency
from services.intake.integration import PUBLICATIONS, SEALED
from services.intake.partners import PartnerOrganisations
from services.intake.projections import ClientIndex
from services.intake.trajectories import TrajectoryEndings
from services.intake.roles import CASEWORK, COORDINATOR, DATA_PROTECTION

# Purposes whose recipient is a person, not an organisation of the platform.
PEOPLE_NOT_ORGANISATIONS = frozenset({"family_involvement", "judicial_information"})
DECLINED_RULE = "declined intake"
# How long a declined intake's personal data is kept, unless the settings say
# otherwise ([intake] declined_retention_days).
DECLINED_RETENTION = dt.timedelta(days=365)

BRUSSELS = ZoneInfo("Europe/Brussels")
# Only for development and tests: production sets JWW_INTAKE_NATIONAL_NUMBER_KEY.
DEVELOPMENT_KEY = "development only: not a secret"


class IntakeApplication(PartnerOrganisations, TrajectoryEndings, Retention, StaffDirectory):
    service_name = "intake"
    publications = {**PUBLICATIONS, **access_log.publication(service_name)}
    sealed = {**SEALED, **access_log.SEALED}

    def policies(self):
        return {**self.partner_policies(), **self.trajectory_policies()}

    def __init__(self, store=None, env=None):
        super().__init__(store=store, env=env)
        # JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE in production (shared/production.py checks it at start).
        self.national_number_key = (config.secret("JWW_INTAKE_NATIONAL_NUMBER_KEY", self.env) or DEVELOPMENT_KEY).encode()
        self.declined_retention = DECLINED_RETENTION
        self.index = ClientIndex(self)

    def _client(self, actor: dict, client_id: UUID, roles: set[str], command: str) -> Client:
        client = self._get(client_id, Client, "client_id")
        allow(actor, roles, command, agency=client.agency)
        return client

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
        for attempt in (1, 2):
            released = existing = None
            if digest is not None:
                released, existing = self._refuse_duplicate(NationalNumberClaim.create_id(digest), actor)
            client = Client(
                client_id=uuid.uuid4(), agency=actor["agency"], registered_by=actor, legal_position=legal_position,
                languages=languages, preferred_language=preferred_language, interpreter_needed=interpreter_needed,
                given_names=given_names, family_name=family_name, birth_date=birth_date,
                # Held as a possible duplicate: the number stays with the file that claims it (duplicate_check).
                national_number=None if existing is not None else national_number,
                contact=contact or {}, situation=situation, mandating_actor=mandating_actor,
            )
            if existing is not None:
                claim = DuplicateCheck(client_id=client.id, agency=client.agency, existing_client_id=existing.id,
                                       existing_agency=existing.agency, held_by=actor)
            else:
                claim = NationalNumberClaim(digest=digest, client_id=client.id) if digest and not released else released
                if released is not None:
                    released.claim_again(client.id)
            try:
                self.save(client, claim)
            except IntegrityError:
                if claim is not None and attempt == 1:  # registered by someone else a moment ago: look again
                    continue
                raise
            if existing is not None:
                # The registration consulted the other agency's file on the worker's behalf (WAVE2 15).
                access_log.record(self, actor, [existing.id], access_log.CASEWORK, "", "possible_duplicate_held")
            return client.id

    def _valid_national_number(self, text: str) -> str:
        try:
            return national_number_module.validate(text)
        except national_number_module.InvalidNationalNumber as error:
            raise InvalidInput("the national register number is not valid", {"national_number": [str(error)]}) from None

    def _refuse_duplicate(self, claim_id: UUID, actor: dict) -> tuple[NationalNumberClaim | None, Client | None]:
        """Refuse a number a file of the actor's own agency holds (the agency may know
        its own client); ``(claim, None)`` when the claim was released (its client
        erased), to be claimed again; ``(None, file)`` when another agency's file holds
        it: the registration is then held for a duplicate check, and the worker is
        told nothing of that file (WAVE2 15)."""
        try:
            existing: NationalNumberClaim = self.repository.get(claim_id)
        except AggregateNotFoundError:
            return None, None
        if existing.client_id is None:
            return existing, None
        client = self.repository.get(existing.client_id)
        if client.agency != actor["agency"]:
            return None, client
        raise Conflict(
            "a client with this national register number is already registered",
            {"existing_client_id": [str(existing.client_id)], "agency": [client.agency]},
        )

    def record_languages(
        self, actor: dict, client_id: UUID, expected_version: int, languages: list[str],
        preferred_language: str, interpreter_needed: bool,
    ) -> int:
        client = self._client(actor, client_id, CASEWORK, "record_languages")
        client.record_languages(expected_version, languages, preferred_language, interpreter_needed, recorded_by=actor)
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

    # -- a possible duplicate across agencies (WAVE2 15; domain/duplicate_check.py) ------

    def duplicate_notice(self, client_id: UUID) -> dict:
        """What the registering worker is told of a hold: that a coordinator must check
        a possible duplicate, and nothing of the other file."""
        check = self._check_of(client_id)
        return {} if check is None else {"duplicate_check": duplicate_check_module.NOTICE}

    def duplicate_checks(self, actor: dict) -> list[dict]:
        """The checks the coordinator's agency is a party to, pending first; each is on
        the access log of both files it concerns."""
        allow(actor, COORDINATOR, "read_duplicate_checks")
        checks = [self.repository.get(DuplicateCheck.create_id(held.client_id))
                  for held in self.stored(DuplicateCheck.Held)]
        mine = [check for check in checks if actor["agency"] in check.parties]
        read = [client_id for check in mine for client_id in (check.client_id, check.existing_client_id)]
        if read:
            access_log.record(self, actor, read, access_log.CASEWORK, "", "duplicate_checks")
        mine.sort(key=lambda check: (check.status != duplicate_check_module.PENDING, check.created_on))
        return [check.as_seen_by(actor["agency"]) for check in mine]

    def settle_duplicate_check(self, actor: dict, check_id: UUID, finding: str) -> dict:
        """A coordinator of either agency states a finding; the coordinator of the other
        agency confirms it (duplicate_check: four eyes across agencies)."""
        check = self._get(check_id, DuplicateCheck, "check_id")
        allow(actor, COORDINATOR, "settle_duplicate_check",
              agency=None if actor["agency"] in check.parties else check.agency,
              elsewhere="only the coordinators of the two agencies settle a duplicate check",
              client_id=check.client_id)
        check.settle(finding, settled_by=actor)
        self.save(check)
        access_log.record(self, actor, [check.client_id, check.existing_client_id], access_log.CASEWORK, "",
                          "settle_duplicate_check")
        return check.as_seen_by(actor["agency"])

    def _check_of(self, client_id: UUID) -> DuplicateCheck | None:
        try:
            return self.repository.get(DuplicateCheck.create_id(client_id))
        except AggregateNotFoundError:
            return None

    def _no_duplicate_pending(self, client_id: UUID) -> None:
        check = self._check_of(client_id)
        if check is not None:
            check.allow_intake_decision()

    def _duplicate_check_on_file(self, client: Client) -> dict | None:
        """What the new file shows of its check: where it stands, and once linked,
        which agency follows the client (a transfer or a coordination consent can follow)."""
        check = self._check_of(client.id)
        if check is None:
            return None
        return {"status": check.status, "followed_by": check.as_seen_by(check.agency)["followed_by"]}

    # -- consent --------------------------------------------------------------------

    def give_consent(
        self, actor: dict, client_id: UUID, recipient: str, purpose: str, scope: list[str],
        share_history: bool = False,
    ) -> UUID:
        """``scope``: the categories to share (version 1's ``guidance_progress`` stands
        for those it covered); ``share_history``: the recipient may receive what was
        recorded before the consent too."""
        client = self._client(actor, client_id, CASEWORK, "give_consent")
        self._expect_organisation(recipient, purpose)
        categories = categories_of(scope)
        consent = self._consent(client.id, recipient, purpose)
        if consent is None:
            consent = Consent.give(client_id=client.id, agency=client.agency, recipient=recipient, purpose=purpose,
                                   categories=categories, share_history=share_history, given_by=actor)
        else:
            consent.give_again(client.agency, categories, given_by=actor, share_history=share_history)
        self._save_changed(consent)
        return consent.id

    def _expect_organisation(self, recipient: str, purpose: str) -> None:
        """A transfer goes to an agency; a referral and coordination share with an
        agency or an active partner organisation. The client's family and judicial
        actors are no organisation of the platform (no feed reaches them): their
        consents name them as the worker writes them."""
        if purpose in PEOPLE_NOT_ORGANISATIONS:
            return
        if Agency.create_id(recipient) in self.repository:
            return
        if purpose == "transfer":
            raise InvalidInput("a transfer goes to an agency", {"recipient": ["not an agency"]})
        if not self.is_active_partner(recipient):
            raise InvalidInput("the recipient is not an organisation of the platform",
                               {"recipient": ["not an agency or an active partner organisation"]})

    def withdraw_consent(self, actor: dict, client_id: UUID, recipient: str, purpose: str) -> UUID:
        client = self._client(actor, client_id, CASEWORK, "withdraw_consent")
        consent = self._consent(client.id, recipient, purpose)
        if consent is None:  # never given: nothing in force either
            raise NoConsentInForce(recipient, purpose)
        consent.withdraw(client.agency, withdrawn_by=actor)
        self.save(consent)
        return consent.id

    def _consent(self, client_id: UUID, recipient: str, purpose: str) -> Consent | None:
        try:
            return self.repository.get(Consent.create_id(client_id, recipient, purpose))
        except AggregateNotFoundError:
            return None

    def consents(self, client_id: UUID) -> list[Consent]:
        return [self.repository.get(consent_id) for consent_id in self.index.consents_of(client_id)]

    # -- intake decisions -----------------------------------------------------------

    def accept(self, actor: dict, client_id: UUID, worker: str, interpreter: dict | None = None) -> None:
        client = self._client(actor, client_id, COORDINATOR, "accept_intake")
        self._no_duplicate_pending(client.id)
        client.accept(self.agency(client.agency).candidate(worker), interpreter, decided_by=actor)
        self.save(client)

    def decline(self, actor: dict, client_id: UUID, reason: str, note: str = "") -> None:
        client = self._client(actor, client_id, COORDINATOR, "decline_intake")
        client.decline(reason, note, decided_by=actor)
        self.save(client)

    def waitlist(self, actor: dict, client_id: UUID) -> None:
        client = self._client(actor, client_id, COORDINATOR, "waitlist_intake")
        self._no_duplicate_pending(client.id)
        client.waitlist(decided_by=actor)
        self.save(client)

    def reassign(self, actor: dict, client_id: UUID, worker: str, interpreter: dict | None = None) -> None:
        client = self._client(actor, client_id, COORDINATOR, "reassign_client")
        client.reassign(self.agency(client.agency).candidate(worker), interpreter, decided_by=actor)
        self.save(client)

    def transfer(
        self, actor: dict, client_id: UUID, to_agency: str, worker: str | None = None, interpreter: dict | None = None
    ) -> None:
        client = self._client(actor, client_id, COORDINATOR, "transfer_client")
        self._no_duplicate_pending(client.id)
        target = self.agency(to_agency)
        consent = self._consent(client.id, to_agency, "transfer")
        client.transfer(
            to_agency, consent.id if consent is not None and consent.active else None,
            target.candidate(worker) if worker is not None else None, interpreter, decided_by=actor,
        )
        self.save(client)

    # -- corrections: the client's situation over time (issue 20) ----------------------

    def change_legal_situation(
        self, actor: dict, client_id: UUID, effective_from: dt.date, reason: str, legal_position: str | None = None,
        situation: str | None = None, mandating_actor: dict | None = None,
    ) -> dict:
        """A change of where the client stands (from probation to conditional release,
        from interned to released internee on trial), often learnt late: dated when it
        took effect."""
        client = self._client(actor, client_id, CASEWORK, "change_legal_situation")
        changed = client.change_legal_situation(
            effective_from, reason, changed_by=actor, today=self.today(), erased=self._erased(client.id) is not None,
            legal_position=legal_position, situation=situation, mandating_actor=mandating_actor)
        self.save(client)
        return {"client_id": str(client.id), "version": client.version, "changed": changed}

    def change_contact_details(
        self, actor: dict, client_id: UUID, effective_from: dt.date, contact: dict, reason: str = "",
    ) -> dict:
        client = self._client(actor, client_id, CASEWORK, "change_contact_details")
        client.change_contact(effective_from, contact, reason, changed_by=actor, today=self.today(),
                              erased=self._erased(client.id) is not None)
        self.save(client)
        return {"client_id": str(client.id), "version": client.version}

    def reopen_intake(self, actor: dict, client_id: UUID, reason: str) -> dict:
        """A declined client, or one whose trajectory closed, who comes back waits for
        the coordinator's decision again."""
        client = self._client(actor, client_id, COORDINATOR, "reopen_intake")
        client.reopen_intake(reason, reopened_by=actor, erased=self._erased(client.id) is not None)
        self.save(client)
        return {"client_id": str(client.id), "status": client.status}

    @staticmethod
    def today() -> dt.date:
        """The day in Brussels, where the agencies work: a change dated today is never in the future."""
        return dt.datetime.now(BRUSSELS).date()

    # -- erasure (GDPR art. 17) --------------------------------------------------------

    def request_erasure(self, actor: dict, client_id: UUID, legal_basis: str, note: str = "") -> UUID:
        client = self._client(actor, client_id, COORDINATOR, "request_erasure")
        try:
            erasure: Erasure = self.repository.get(Erasure.create_id(client.id))
        except AggregateNotFoundError:
            erasure = Erasure(client_id=client.id, agency=client.agency, legal_basis=legal_basis, note=note,
                              requested_by=actor)
        else:
            erasure.request_again(legal_basis, note, actor)
        self.save(erasure)
        return erasure.id

    def _erasure(self, client_id: UUID) -> Erasure:
        client = self._get(UUID(str(client_id)), Client, "client_id")
        erasure = self._erasure_of(client.id)
        if erasure is None:
            raise NotFound("no erasure of this client was requested", {"client_id": ["no erasure requested"]})
        return erasure

    def _erasure_of(self, client_id: UUID) -> Erasure | None:
        try:
            return self.repository.get(Erasure.create_id(client_id))
        except AggregateNotFoundError:
            return None

    def approve_erasure(self, actor: dict, client_id: UUID) -> UUID:
        """Decided by a second person; carried out at once: the client's data keys are
        destroyed here, and every other service destroys its own when it hears of it.
        The national number is released: it no longer points to the person."""
        allow(actor, DATA_PROTECTION, "approve_erasure")
        erasure = self._erasure(client_id)
        erasure.approve(actor, self._hold_of(erasure.client_id))
        self.save(erasure, *self._released_claim(self.repository.get(erasure.client_id)))
        self.carry_out_erasures()
        return erasure.id

    # -- legal hold (GDPR art. 17(3)) ------------------------------------------------------

    def place_legal_hold(self, actor: dict, client_id: UUID, ground: str, note: str = "") -> dict:
        allow(actor, DATA_PROTECTION, "place_legal_hold")  # across agencies, like an erasure's decision
        client = self._get(client_id, Client, "client_id")
        hold = self._hold_of(client.id)
        if hold is None:
            hold = LegalHold(client_id=client.id, agency=client.agency, ground=ground, note=note, placed_by=actor)
        else:
            hold.place_again(ground, note, actor)
        self.save(hold)
        return {"client_id": str(client.id), "in_force": True, "ground": ground}

    def lift_legal_hold(self, actor: dict, client_id: UUID, note: str = "") -> dict:
        allow(actor, DATA_PROTECTION, "lift_legal_hold")
        client = self._get(client_id, Client, "client_id")
        hold = self._hold_of(client.id)
        if hold is None:
            raise NotFound("no legal hold was placed on this client's data", {"client_id": ["no legal hold"]})
        hold.lift(note, actor)
        self.save(hold)
        return {"client_id": str(client.id), "in_force": False, "ground": hold.ground}

    def _hold_of(self, client_id: UUID) -> LegalHold | None:
        try:
            return self.repository.get(LegalHold.create_id(client_id))
        except AggregateNotFoundError:
            return None

    def _held(self, client_id: UUID) -> bool:
        hold = self._hold_of(client_id)
        return hold is not None and hold.in_force

    def refuse_erasure(self, actor: dict, client_id: UUID, reason: str) -> UUID:
        allow(actor, DATA_PROTECTION, "refuse_erasure")
        erasure = self._erasure(client_id)
        erasure.refuse(reason, actor)
        self.save(erasure)
        return erasure.id

    def own_retention_due(self, now: dt.datetime) -> list[dict]:
        """The clients whose personal data the retention policy says must go now:
        declined intakes older than ``declined_retention``, not erased yet. Their ids,
        the rule and since when; nothing personal."""
        due = {}
        for declined in self.stored(Client.IntakeDeclined):
            since = declined.timestamp + self.declined_retention
            # An erasure asked for, refused or done already: a person decided. A legal
            # hold in force keeps the data until it is lifted.
            if since <= now and self.repository.get(declined.client_id).status == DECLINED \
                    and self._erasure_of(declined.client_id) is None and not self._held(declined.client_id):
                # A client declined twice is due once, from the last decline.
                due[str(declined.client_id)] = {"client_id": str(declined.client_id), "rule": DECLINED_RULE,
                                                "due_since": since.isoformat()}
        return list(due.values())

    def carry_out_own(self, due: list[dict]) -> list[dict]:
        """Erase what is due through the same path as an approved erasure: every
        service destroys the client's keys."""
        done = []
        for item in due:
            client: Client = self.repository.get(UUID(item["client_id"]))
            try:
                self.save(Erasure.fallen_due(client.id, client.agency, item["rule"], RETENTION_POLICY),
                          *self._released_claim(client))
            except IntegrityError:  # an erasure of this client was asked for meanwhile: a person decides it
                continue
            done.append(item)
        self.carry_out_erasures()
        return done

    def _released_claim(self, client: Client) -> list:
        if not client.national_number:
            return []
        claim = self.repository.get(NationalNumberClaim.create_id(
            NationalNumberClaim.digest(client.national_number, self.national_number_key)))
        claim.release()
        return [claim]

    def carry_out_erasures(self) -> int:
        """Destroy the data keys of every approved erasure not carried out yet: after
        each approval, and as the service starts, so that one interrupted by a crash
        completes. Returns how many were carried out now."""
        done = 0
        for approved in self.stored(Erasure.Approved):
            # Done already (the client's keys tombstoned, their ids forgotten): two reads, no writes.
            if self.data_keys.forgotten(approved.client_id):
                continue
            # The client's keys go with those of its links (its number's claim).
            if self.data_keys.shred(approved.client_id, list(RETENTION_CLASSES), str(approved.originator_id)):
                done += 1
        return done

    # -- queries --------------------------------------------------------------------

    def client_file(
        self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, purpose_detail: str = "",
        query: str = "client_file",
    ) -> dict:
        """The file as the actor's agency may read it. After a transfer, the agency the
        client left reads what it recorded itself, as it stood when the client left;
        the agency that received the client reads what was recorded before it only in
        the categories of the transfer consent (issue 16, item 5; shared.consented)."""
        client = self._get(client_id, Client, "client_id")
        events = list(self.repository.event_store.get(client.id))
        left = _last(events, lambda e: isinstance(e, Client.Transferred) and e.from_agency == actor["agency"])
        if actor["agency"] != client.agency and left is not None:
            allow(actor, CASEWORK, "read_client_file")
            client = self.repository.get(client.id, version=left.originator_version)
            events = [e for e in events if e.originator_version <= left.originator_version]
        else:
            left = None
            allow(actor, CASEWORK, "read_client_file", agency=client.agency)
        access_log.record(self, actor, [client.id], purpose, purpose_detail, query)
        answer = {
            "client_id": str(client.id),
            "version": client.version,
            "agency": client.agency,
            "status": client.status,
            "worker": client.worker,
            "trajectory_closed": client.closed_trajectory is not None,
            "interpreter": client.interpreter,
            "personal": _who(client),
            "legal_position": client.legal_position,
            "situation": client.situation,
            "mandating_actor": client.mandating_actor,
            "languages": client.languages,
            "preferred_language": client.preferred_language,
            "interpreter_needed": client.interpreter_needed,
            "help_requests": [{**r, "request_id": str(r["request_id"])} for r in client.help_requests],
            "decisions": client.decisions,
            "legal_situation_history": [_dated(change) for change in client.legal_situation_history],
            "contact_history": [_dated(change) for change in client.contact_history],
            "consents": [
                {"recipient": c.recipient, "purpose": c.purpose, "categories": c.categories,
                 "share_history": c.share_history, "active": c.active, "since": c.modified_on.isoformat()}
                for c in self._consents_read_by(client.id, actor["agency"], left)
            ],
            "erased": self._erased(client.id),
            "legal_hold": self._hold_on_file(client.id),
            "duplicate_check": self._duplicate_check_on_file(client),
            "transferred": None if left is None else {"agency": left.agency, "at": left.timestamp.isoformat()},
            "withheld": {},
        }
        arrived = _last(events, lambda e: isinstance(e, Client.Transferred) and e.agency == actor["agency"])
        if arrived is None:
            return answer
        return _earlier_in_consented_categories(
            answer, events, arrived, actor["agency"], self._categories_at(arrived.consent_id, arrived.timestamp))

    def _consents_read_by(self, client_id: UUID, agency: str, left) -> list[Consent]:
        """The client's consents; for the agency the client left (``left``: its
        transfer), each as that agency last recorded it before the client left, and
        none it never recorded."""
        if left is None:
            return self.consents(client_id)
        shown = []
        for consent_id in self.index.consents_of(client_id):
            own = _last(self.repository.event_store.get(consent_id),
                        lambda e: getattr(e, "agency", None) == agency and e.timestamp <= left.timestamp)
            if own is not None:
                shown.append(self.repository.get(consent_id, version=own.originator_version))
        return shown

    def _categories_at(self, consent_id: UUID, at: dt.datetime) -> list[str]:
        """The categories the consent named when the transfer it allowed took place."""
        givings = (Consent.Given, Consent.GivenAgain)
        given = _last(self.repository.event_store.get(consent_id),
                      lambda e: isinstance(e, givings) and e.timestamp <= at)
        return [] if given is None else list(given.categories)

    def _hold_on_file(self, client_id: UUID) -> dict | None:
        hold = self._hold_of(client_id)
        if hold is None or not hold.in_force:
            return None
        return {"ground": hold.ground, "since": hold.modified_on.isoformat()}

    def _erased(self, client_id: UUID) -> dict | None:
        erasure = self._erasure_of(client_id)
        if erasure is None or erasure.status != "approved":
            return None
        return {"erasure_id": str(erasure.id), "at": erasure.modified_on.isoformat(), "legal_basis": erasure.legal_basis}

    def search(
        self, actor: dict, name: str | None = None, national_number: str | None = None,
        purpose: str = access_log.CASEWORK, purpose_detail: str = "",
    ) -> list[dict]:
        allow(actor, CASEWORK, "search_clients")
        if national_number is not None:
            national_number = self._valid_national_number(national_number)
        found = self.index.search(actor["agency"], name, national_number)
        clients = [self.repository.get(client_id) for client_id in found]
        access_log.record(self, actor, [client.id for client in clients], purpose, purpose_detail,
                          "search_clients")
        results = []
        for client in clients:
            who = _who(client) or dict.fromkeys(("given_names", "family_name", "birth_date"))
            results.append({
                "client_id": str(client.id), "given_names": who["given_names"], "family_name": who["family_name"],
                "birth_date": who["birth_date"], "status": client.status,
            })
        return results

    def waitlist_of(self, actor: dict, agency: str) -> list[dict]:
        allow(actor, COORDINATOR, "read_waitlist", agency=agency)
        return [{"client_id": str(client_id), "since": since.isoformat()} for client_id, since in self.index.waitlist(agency)]

    def pending_intakes(self, actor: dict, agency: str) -> list[dict]:
        """The registrations waiting for the agency's intake decision, oldest first, and
        whether a duplicate check holds each back. One linked as the same person as
        another agency's file is closed: it waits for no decision."""
        allow(actor, COORDINATOR, "read_pending_intakes", agency=agency)
        pending = []
        for client_id, since in self.index.undecided_in(agency):
            check = self._check_of(client_id)
            if check is not None and check.status == duplicate_check_module.LINKED:
                continue
            held = check is not None and check.status == duplicate_check_module.PENDING
            pending.append({"client_id": str(client_id), "since": since.isoformat(), "duplicate_check_pending": held})
        return pending


def _last(events, matches):
    found = None
    for event in events:
        if matches(event):
            found = event
    return found


# What the registration recorded of the languages, and what a worker's decision chose.
_LANGUAGE_FIELDS = ("languages", "preferred_language", "interpreter_needed")


def _earlier_in_consented_categories(answer: dict, events: list, arrived, agency: str, categories: list[str]) -> dict:
    """``answer`` with what agencies before ``agency`` recorded (it came by ``arrived``,
    a transfer) only in the transfer consent's ``categories``: who the person is, where
    they stand and what they speak as registered, and the help requests and decisions
    of other agencies. What ``agency`` recorded since is its own."""
    after = [e for e in events if e.originator_version > arrived.originator_version]
    own_languages = any(isinstance(e, Client.LanguagesRecorded) for e in after)
    own_interpreter = any(isinstance(e, (Client.IntakeAccepted, Client.Reassigned)) for e in after)
    earlier = {name: answer[name] for name in ("personal", "legal_position", "situation", "mandating_actor")}
    # The changes recorded on the file, in their category (an empty history withholds nothing).
    earlier.update({name: answer[name] for name in ("legal_situation_history", "contact_history") if answer[name]})
    if not own_languages:
        earlier.update({name: answer[name] for name in _LANGUAGE_FIELDS})
    if not own_interpreter:
        earlier["interpreter"] = answer["interpreter"]
    lists = {"help_requests": "received_by", "decisions": "by"}
    for name, by in lists.items():
        earlier[name] = [item for item in answer[name] if item[by]["agency"] != agency]
    shown = consented.withhold(earlier, ClientFileShown, categories)
    for name, by in lists.items():
        theirs = iter(shown[name])
        shown[name] = [item if item[by]["agency"] == agency else next(theirs) for item in answer[name]]
    return {**answer, **shown}


def _dated(change: dict) -> dict:
    """A change on the file's history as the answer shows it (dates as text; None once erased)."""
    effective = change["effective_from"]
    return {**change, "effective_from": None if effective is None else effective.isoformat(),
            "recorded": change["recorded"].isoformat()}


def _who(client: Client) -> dict | None:
    """Who the person is, as the file answers it; none for a client registered before
    intake kept it, and once it is erased (the file's ``erased`` says when)."""
    if client.given_names is None:
        return None
    return {"given_names": client.given_names, "family_name": client.family_name,
            "birth_date": client.birth_date.isoformat(), "national_number": client.national_number,
            "contact": client.contact}
