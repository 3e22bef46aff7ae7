"""Contracts of the intake service: the facts it records, declared once, and the
commands, queries and integration events derived from them or written beside them.

Names, national register numbers, contact details and the client's own words stay
inside intake; what crosses the boundary is what other services need to act. Who
the person is, how to reach them, where they stand in the justice system, what they
speak and what help they ask for (health and addiction among the domains) is
personal; the client's question and a decline's note are kept as case notes. A
consent names organisations, purposes and categories: what every follower must
read to respect it. The directory of agencies and staff is not about a client.
"""
from marshmallow import fields, validate, validates_schema, ValidationError

from shared.contracts.base import (
    ACCESS, ActorSchema, CommandSchema, FILE_READ_VERSION, FileReadData,
    ACCESS_REFUSED_VERSION, AccessRefusedData, Purpose, PurposeDetail, integration_event,
    published_event,
)
from shared.contracts.declare import CATEGORIES, Fact, Unpromised, command_fields, declared
from shared.contracts.intake_vocabulary import (
    CODE, CONSENT_PURPOSES, DECLINE_REASONS, DOMAINS, INTERPRETER_KINDS, LANGUAGE, LEGAL_POSITIONS, MANDATING_ACTORS,
    NAME, REQUEST_SOURCES, SHARED_DATA, SITUATIONS, TEXT, URGENCIES, USER_ID,
    spoken_languages, who_acted,
)


def _client_id():
    return declared(fields.UUID(required=True), category=None, given=False)


def _agency(published: bool = True):
    """The agency following the client when it happened (the service knows it)."""
    return declared(fields.String(required=True), category=None, published=published, given=False)


def _worker(**kwargs):
    """A staff member's user id: directory data, not about the client."""
    return declared(fields.String(validate=USER_ID, **kwargs), category=None)


def _interpreter():
    """An interpreter arranged for the client says which language they need."""
    return declared(fields.Nested(InterpreterSchema, load_default=None), category="languages", personal=True)


class ContactSchema(CommandSchema):
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9 ./()-]{6,20}$", error="is not a phone number"))
    email = fields.Email()
    address = fields.String(validate=validate.Length(min=3, max=300))


class MandatingActorSchema(CommandSchema):
    kind = fields.String(required=True, validate=validate.OneOf(MANDATING_ACTORS))
    name = fields.String(validate=TEXT)
    organisation = fields.String(validate=TEXT)


class InterpreterSchema(CommandSchema):
    language = fields.String(required=True, validate=LANGUAGE)
    kind = fields.String(required=True, validate=validate.OneOf(INTERPRETER_KINDS))


class ActorCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)


class ClientCommand(ActorCommand):
    client_id = fields.UUID(required=True)


def _command(fact: type[Fact], base: type[CommandSchema] = ClientCommand) -> type[CommandSchema]:
    """The command that records ``fact``: who asks (and about which client) and what
    the caller gives of the fact."""
    return type(f"{fact.__name__}Given", (base,), command_fields(fact))


# -- a client's facts ------------------------------------------------------------------

class SpokenLanguages(Fact):
    """What the client speaks, which language they prefer and whether they need an
    interpreter: every service that meets the client needs it."""

    languages = declared(spoken_languages(), category="languages", personal=True)
    preferred_language = declared(fields.String(required=True, validate=LANGUAGE), category="languages",
                                  personal=True)
    interpreter_needed = declared(fields.Boolean(required=True), category="languages", personal=True)


class Languages(SpokenLanguages):
    """The languages recorded again on a client's file."""

    client_id = _client_id()
    agency = _agency(published=False)  # version 1 did not name it
    recorded_by = who_acted()


class Registration(SpokenLanguages):
    """A client registered: who the person is and how to reach them (in intake's own
    file only), where they stand in the justice system, and what they speak."""

    client_id = _client_id()
    agency = _agency()
    given_names = declared(fields.String(required=True, validate=NAME), category="identity", personal=True,
                           published=False)
    family_name = declared(fields.String(required=True, validate=NAME), category="identity", personal=True,
                           published=False)
    birth_date = declared(fields.Date(required=True), category="identity", personal=True, published=False)
    national_number = declared(fields.String(load_default=None, validate=validate.Length(min=11, max=20)),
                               category="identity", personal=True, published=False)
    contact = declared(fields.Nested(ContactSchema, load_default=dict), category="contact", personal=True,
                       published=False)
    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True)
    situation = declared(fields.String(required=True, validate=validate.OneOf(SITUATIONS)),
                         category="legal_situation", personal=True, published=False)
    # Who mandated the guidance (a justice assistant, a court) tells the legal situation.
    mandating_actor = declared(fields.Nested(MandatingActorSchema, load_default=None), category="legal_situation",
                               personal=True, published=False)
    # Often not known yet at registration: none unless the worker says so.
    interpreter_needed = declared(fields.Boolean(load_default=False), category="languages", personal=True)
    registered_by = who_acted()


class HelpRequest(Fact):
    """What the client asks help for. Who sent them (a prison's psychosocial service,
    a justice assistant) tells their situation; the question is their own words."""

    client_id = _client_id()
    agency = _agency()
    request_id = declared(fields.UUID(required=True), category=None, given=False)
    source = declared(fields.String(required=True, validate=validate.OneOf(REQUEST_SOURCES)),
                      category="help_request", personal=True)
    domains = declared(
        fields.List(fields.String(validate=Unpromised(validate.OneOf(DOMAINS))), required=True,
                 validate=validate.Length(min=1)),
        category="help_request", personal=True)
    question = declared(fields.String(required=True, validate=validate.Length(min=1, max=4000)),
                        category="help_request", personal=True, published=False, retention="case_notes")
    urgency = declared(fields.String(load_default="normal", validate=validate.OneOf(URGENCIES)),
                       category="help_request")
    received_by = who_acted()


class Acceptance(Fact):
    """An intake accepted: the worker assigned, and the case as it stood, so the
    services that take it up need nothing else."""

    client_id = _client_id()
    agency = _agency()
    worker = _worker(required=True)
    interpreter = _interpreter()
    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True, given=False)
    situation = declared(fields.String(required=True), category="legal_situation", personal=True, given=False)
    languages = declared(fields.List(fields.String(validate=LANGUAGE), required=True), category="languages",
                         personal=True, given=False)
    preferred_language = declared(fields.String(required=True, validate=LANGUAGE), category="languages",
                                  personal=True, given=False)
    domains = declared(fields.List(fields.String(), required=True), category="help_request", personal=True,
                       given=False)
    decided_by = who_acted()


class Decline(Fact):
    """An intake declined, and why; the coordinator's note stays in intake."""

    client_id = _client_id()
    agency = _agency()
    reason = declared(fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS)),
                      category="help_request", personal=True)
    note = declared(fields.String(load_default="", validate=validate.Length(max=2000)), category="help_request",
                    personal=True, published=False, retention="case_notes")
    decided_by = who_acted()


class Waitlisting(Fact):
    """A client put on the agency's waitlist."""

    client_id = _client_id()
    agency = _agency()
    decided_by = who_acted()


class Reassignment(Fact):
    """A client assigned to another worker of the same agency."""

    client_id = _client_id()
    agency = _agency()
    from_worker = declared(fields.String(required=True, allow_none=True), category=None, given=False)
    worker = _worker(required=True)
    interpreter = _interpreter()
    decided_by = who_acted()


class Transfer(Fact):
    """A client transferred to another agency, under the client's consent, to a worker
    there or to its waitlist."""

    client_id = _client_id()
    from_agency = declared(fields.String(required=True), category=None, given=False)
    agency = _agency()  # the receiving agency: the caller names it ``to_agency``
    worker = _worker(load_default=None)
    consent_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    decided_by = who_acted()


# -- corrections: the client's situation over time (issue 20) --------------------------

def _effective_from(category: str):
    """When a change took effect: often learnt late, so a past date (never a future one)."""
    return declared(fields.Date(required=True), category=category, personal=True)


class LegalSituationChange(Fact):
    """Where the client stands in the justice system, from ``effective_from`` on: each
    value as it is now (the caller gives what changed), and which ``changed``. Published
    as the acceptance publishes it: the legal position and the situation, never the
    mandating actor nor the reason in words."""

    client_id = _client_id()
    agency = _agency()
    effective_from = _effective_from("legal_situation")
    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True)
    situation = declared(fields.String(required=True, validate=validate.OneOf(SITUATIONS)),
                         category="legal_situation", personal=True)
    mandating_actor = declared(fields.Nested(MandatingActorSchema, load_default=None), category="legal_situation",
                               personal=True, published=False)
    changed = declared(fields.List(fields.String(validate=validate.OneOf(
        ("legal_position", "situation", "mandating_actor"))), required=True), category=None, given=False)
    reason = declared(fields.String(required=True, validate=validate.Length(min=3, max=2000)),
                      category="legal_situation", personal=True, published=False)
    changed_by = who_acted()


class ContactDetailsChange(Fact):
    """How to reach the client, whole, from ``effective_from`` on. Like the contact
    details at registration, they stay in intake: the published fact says only that
    and when they changed."""

    client_id = _client_id()
    agency = _agency()
    effective_from = _effective_from("contact")
    contact = declared(fields.Nested(ContactSchema, required=True), category="contact", personal=True,
                       published=False)
    reason = declared(fields.String(load_default="", validate=validate.Length(max=2000)), category="contact",
                      personal=True, published=False)
    changed_by = who_acted()


class IntakeReopening(Fact):
    """A declined client back in the agency's queue for an intake decision; why stays
    in intake, as a decline's note does."""

    client_id = _client_id()
    agency = _agency()
    previous_status = declared(fields.String(required=True, validate=validate.OneOf(("declined",))),
                               category=None, given=False)
    reason = declared(fields.String(required=True, validate=validate.Length(min=3, max=2000)),
                      category="help_request", personal=True, published=False, retention="case_notes")
    reopened_by = who_acted()


class IntakeReopeningAfterClosing(Fact):
    """A client whose trajectory at the agency closed (not on a transfer) back in its
    queue for an intake decision: a new intake, after the guidance that ended; why
    stays in intake."""

    client_id = _client_id()
    agency = _agency()
    trajectory_id = declared(fields.UUID(required=True), category=None, given=False)  # the one that closed
    reason = declared(fields.String(required=True, validate=validate.Length(min=3, max=2000)),
                      category="help_request", personal=True, published=False, retention="case_notes")
    reopened_by = who_acted()


class GuidanceEnding(Fact):
    """What intake learns from guidance (not published again, so no field is marked
    private): the client's trajectory at their agency closed, or was reopened. The file
    takes no correction while it is closed."""

    client_id = _client_id()
    agency = _agency()
    trajectory_id = declared(fields.UUID(required=True), category=None, given=False)


class AboutAConsent(Fact):
    """What every fact about a consent names: whose, which, to share with whom and why."""

    identity = "consent_id"
    client_id = _client_id()
    agency = _agency(published=False)  # version 1 did not name it
    consent_id = declared(fields.UUID(required=True), category=None, given=False)
    recipient = declared(fields.String(required=True, validate=Unpromised(CODE)), category=None)
    purpose = declared(fields.String(required=True, validate=validate.OneOf(CONSENT_PURPOSES)), category=None)


class ConsentGiven(AboutAConsent):
    """A consent to share the data ``categories`` (WAVE2 9), given (or given again),
    and whether the recipient may receive the client's facts recorded before it: a
    stated choice, none unless said (``share_history``). Published as version 2."""

    categories = declared(
        fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                    validate=validate.Length(min=1)),
        category=None, since=2, given=False)  # the caller names them ``scope`` (GiveConsent)
    share_history = declared(fields.Boolean(load_default=False), category=None, since=2)
    given_by = who_acted()


class ConsentGivenInV1Terms(AboutAConsent):
    """The same giving in version 1's words (``scope``: SHARED_DATA), recorded right
    after it only so that consent-given.v1 is published beside v2 while consumers
    move over (WAVE2 18): each published event has a log position of its own, and
    followers drop a second event at one position as a redelivery. Not a fact of its
    own: the consent's state reads nothing from it. Retired with version 1."""

    scope = declared(
        fields.List(fields.String(validate=validate.OneOf(SHARED_DATA)), required=True,
                    validate=validate.Length(min=1)),
        category=None, given=False)
    given_by = who_acted()


class ConsentWithdrawn(AboutAConsent):
    withdrawn_by = who_acted()


class NumberClaim(Fact):
    """A national register number's claim on one client file, known by a keyed hash
    of the number. Which file it points to is sealed under a key of that link's own
    (shared.sealing.link_owner), which an erasure destroys with the client's: the
    hash alone then leads nowhere (WAVE2 11)."""

    sealed_with = "link"
    client_id = declared(fields.UUID(required=True, allow_none=True), category="identity", personal=True,
                         published=False)


# -- erasure (GDPR art. 17) -------------------------------------------------------------

# Art. 17(1)(a)-(f): why a person's data must be erased.
ERASURE_GROUNDS = (
    "no_longer_necessary", "consent_withdrawn", "objection", "unlawful_processing", "legal_obligation",
    "offered_to_a_child",
)


class AboutAnErasure(Fact):
    """What every fact about an erasure names: whose data, which erasure, on what ground."""

    identity = "erasure_id"
    client_id = declared(fields.UUID(required=True), category=None)
    agency = _agency()
    erasure_id = declared(fields.UUID(required=True), category=None, given=False)
    legal_basis = declared(fields.String(required=True, validate=validate.OneOf(ERASURE_GROUNDS)), category=None)


class ErasureRequest(AboutAnErasure):
    # What the coordinator writes about the request may describe the person: erased
    # with the rest.
    note = declared(fields.String(load_default="", validate=validate.Length(max=2000)), category="legal_situation",
                    personal=True, published=False)
    requested_by = who_acted()


class ErasureApproval(AboutAnErasure):
    legal_basis = declared(fields.String(required=True, validate=validate.OneOf(ERASURE_GROUNDS)), category=None,
                           given=False)
    approved_by = who_acted()


class ErasureCarriedOut(Fact):
    """A service that follows intake destroyed a client's data keys (shared.erasure):
    on an approved erasure, or by a retention rule of its own (``erasure_id`` is then
    that rule's decision). What it keeps of the client reads as erased from then on.
    Each such service publishes its own, so the client's timeline shows where the
    erasure was carried out; intake's own is its ``erasure-approved``."""

    client_id = declared(fields.UUID(required=True), category=None)
    erasure_id = declared(fields.UUID(required=True), category=None)


class ErasureRefusal(Fact):
    """An erasure refused (art. 17(3)): the request stays on the file, the data too."""

    identity = "erasure_id"
    client_id = declared(fields.UUID(required=True), category=None)
    agency = _agency()
    erasure_id = declared(fields.UUID(required=True), category=None, given=False)
    # Why the data is kept (art. 17(3)): may name the person's case.
    reason = declared(fields.String(required=True, validate=validate.Length(min=3, max=2000)),
                      category="legal_situation", personal=True, published=False)
    refused_by = who_acted()


# -- legal hold (GDPR art. 17(3)) --------------------------------------------------------

# Art. 17(3)(a)-(e): why personal data is kept although its erasure could be asked for.
HOLD_GROUNDS = ("freedom_of_expression", "legal_obligation", "public_health", "archiving", "legal_claims")


class AboutALegalHold(Fact):
    """What every fact about a legal hold names: whose data, held on what ground."""

    client_id = declared(fields.UUID(required=True), category=None)
    agency = _agency()
    ground = declared(fields.String(required=True, validate=validate.OneOf(HOLD_GROUNDS)), category=None)
    # Which case or obligation: may name the person's case, so it is erased with the rest.
    note = declared(fields.String(load_default="", validate=validate.Length(max=2000)), category="legal_situation",
                    personal=True, published=False)


class LegalHoldPlacement(AboutALegalHold):
    placed_by = who_acted()


class LegalHoldLifting(AboutALegalHold):
    ground = declared(fields.String(required=True, validate=validate.OneOf(HOLD_GROUNDS)), category=None,
                      given=False)
    lifted_by = who_acted()


# -- a possible duplicate (WAVE2 15; services/intake/domain/duplicate_check.py) -----------

# How the coordinators of the two agencies find a held registration, and what follows.
DUPLICATE_FINDINGS = ("same_person", "different_person")
DUPLICATE_OUTCOMES = ("linked", "released")


class AboutADuplicateCheck(Fact):
    """What every fact about a duplicate check names: the held registration (the new
    file) and the registering agency. Never the other agency nor the other file: a
    published copy must not tell anyone where else the person is known."""

    client_id = _client_id()
    agency = _agency()


class DuplicateHold(AboutADuplicateCheck):
    """A registration held pending a duplicate check: its national number is on a file
    another agency follows. Which file and which agency stay in intake, sealed under
    the new file's keys."""

    existing_client_id = declared(fields.UUID(required=True), category="identity", personal=True,
                                  published=False, given=False)
    existing_agency = declared(fields.String(required=True), category="legal_situation", personal=True,
                               published=False, given=False)
    held_by = who_acted()


class DuplicateFinding(AboutADuplicateCheck):
    """One coordinator's finding, which a coordinator of the other agency must confirm."""

    finding = declared(fields.String(required=True, validate=validate.OneOf(DUPLICATE_FINDINGS)),
                       category=None, published=False)
    stated_by = who_acted()


class DuplicateSettlement(AboutADuplicateCheck):
    """A duplicate check settled by the coordinators of both agencies: ``linked`` (the
    same person: the new registration is closed as a duplicate) or ``released`` (not
    the same person: the hold is lifted). Both coordinators are in the envelope's
    history (``proposed_by``, ``settled_by``), never in the data."""

    finding = declared(fields.String(required=True, validate=validate.OneOf(DUPLICATE_FINDINGS)),
                       category=None, published=False)
    outcome = declared(fields.String(required=True, validate=validate.OneOf(DUPLICATE_OUTCOMES)),
                       category=None, given=False)
    proposed_by = who_acted()
    settled_by = who_acted()


# -- commands and queries ----------------------------------------------------------------

class RegisterClient(_command(Registration, ActorCommand)):
    @validates_schema
    def preferred_is_spoken(self, data, **kwargs):
        if data.get("preferred_language") and data.get("languages") and data["preferred_language"] not in data["languages"]:
            raise ValidationError("must be one of the languages spoken", "preferred_language")


class RecordLanguages(_command(Languages)):
    expected_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


ReceiveHelpRequest = _command(HelpRequest)


class GiveConsent(_command(ConsentGiven)):
    """The caller names the categories to share as ``scope``: categories, or version
    1's ``guidance_progress``, which stands for the categories it covered (V1_SCOPES)."""

    scope = fields.List(fields.String(validate=validate.OneOf(CATEGORIES + ("guidance_progress",))), required=True,
                        validate=validate.Length(min=1))


WithdrawConsent = _command(ConsentWithdrawn)
AcceptIntake = _command(Acceptance)
DeclineIntake = _command(Decline)
WaitlistIntake = _command(Waitlisting)
ReassignClient = _command(Reassignment)


class TransferClient(_command(Transfer)):
    """The caller names the receiving agency; an interpreter given is checked against
    the worker chosen there."""

    to_agency = fields.String(required=True, validate=CODE)
    interpreter = fields.Nested(InterpreterSchema, load_default=None)


class RequestErasure(_command(ErasureRequest, ActorCommand)):
    pass


class ApproveErasure(ClientCommand):
    pass


class RefuseErasure(_command(ErasureRefusal, ActorCommand)):
    pass


PlaceLegalHold = _command(LegalHoldPlacement)
LiftLegalHold = _command(LegalHoldLifting)


class ChangeLegalSituation(_command(LegalSituationChange)):
    """The caller gives what changed, at least one of the three; what it leaves out
    stays as it is (ChangeLegalSituation cannot clear a mandating actor)."""

    legal_position = fields.String(load_default=None, validate=validate.OneOf(LEGAL_POSITIONS))
    situation = fields.String(load_default=None, validate=validate.OneOf(SITUATIONS))


ChangeContactDetails = _command(ContactDetailsChange)
ReopenIntake = _command(IntakeReopening)


class GetClientFile(ClientCommand):
    purpose = Purpose()
    purpose_detail = PurposeDetail()


class SearchClients(ActorCommand):
    """What a search names is personal: it travels in a body (``POST /clients/search``),
    never in a URL, which proxies and access logs keep."""

    name = fields.String(validate=validate.Length(min=2, max=100))
    national_number = fields.String(validate=validate.Length(min=11, max=20))
    purpose = Purpose()
    purpose_detail = PurposeDetail()

    @validates_schema
    def something_to_search(self, data, **kwargs):
        if not data.get("name") and not data.get("national_number"):
            raise ValidationError("give a name or a national number to search for", "name")


class Waitlist(ActorCommand):
    agency = fields.String(required=True, validate=CODE)


class PendingIntakes(ActorCommand):
    """The agency's registrations waiting for an intake decision (its coordinators)."""

    agency = fields.String(required=True, validate=CODE)


class SettleDuplicateCheck(ActorCommand):
    """A coordinator of either agency states a finding on a held registration."""

    check_id = fields.UUID(required=True)
    finding = fields.String(required=True, validate=validate.OneOf(DUPLICATE_FINDINGS))


class DuplicateChecks(ActorCommand):
    """The duplicate checks the coordinator's agency is a party to."""


# -- integration events ------------------------------------------------------------------

ClientRegisteredV1 = published_event("intake", "client-registered", 1, Registration)
ClientLanguagesRecordedV1 = published_event("intake", "client-languages-recorded", 1, Languages)
HelpRequestReceivedV1 = published_event("intake", "help-request-received", 1, HelpRequest)
IntakeAcceptedV1 = published_event("intake", "intake-accepted", 1, Acceptance)
IntakeDeclinedV1 = published_event("intake", "intake-declined", 1, Decline)
IntakeWaitlistedV1 = published_event("intake", "intake-waitlisted", 1, Waitlisting)
ConsentGivenV1 = published_event("intake", "consent-given", 1, ConsentGivenInV1Terms)
# Categories instead of scopes, and whether history is shared (WAVE2 9, 18).
ConsentGivenV2 = published_event("intake", "consent-given", 2, ConsentGiven)
ConsentWithdrawnV1 = published_event("intake", "consent-withdrawn", 1, ConsentWithdrawn)
ClientReassignedV1 = published_event("intake", "client-reassigned", 1, Reassignment)
ClientTransferredV1 = published_event("intake", "client-transferred", 1, Transfer)
# Every service destroys the client's data keys when it hears of it.
ErasureApprovedV1 = published_event("intake", "erasure-approved", 1, ErasureApproval)
# A request and a refusal change the client's file too (audit's timeline shows them):
# on what ground, never the coordinator's note or the reason for keeping the data.
ErasureRequestedV1 = published_event("intake", "erasure-requested", 1, ErasureRequest)
ErasureRefusedV1 = published_event("intake", "erasure-refused", 1, ErasureRefusal)
# The services that erase by a retention rule of their own keep the client's data meanwhile.
LegalHoldPlacedV1 = published_event("intake", "legal-hold-placed", 1, LegalHoldPlacement)
LegalHoldLiftedV1 = published_event("intake", "legal-hold-lifted", 1, LegalHoldLifting)
# A registration held, and a hold settled: the client's timeline shows both; neither
# names the other agency or file (WAVE2 15).
PossibleDuplicateHeldV1 = published_event("intake", "possible-duplicate-held", 1, DuplicateHold)
DuplicateCheckSettledV1 = published_event("intake", "duplicate-check-settled", 1, DuplicateSettlement)


# Corrections (issue 20): where the client stands from a date, how to reach them (that
# they changed only), and a declined intake reopened.
LegalSituationChangedV1 = published_event("intake", "legal-situation-changed", 1, LegalSituationChange)
ContactDetailsChangedV1 = published_event("intake", "contact-details-changed", 1, ContactDetailsChange)
IntakeReopenedV1 = published_event("intake", "intake-reopened", 1, IntakeReopening)
IntakeReopenedAfterClosingV1 = published_event("intake", "intake-reopened-after-closing", 1,
                                               IntakeReopeningAfterClosing)


@integration_event("intake", "client-file-read", FILE_READ_VERSION, stream=ACCESS)
class ClientFileRead(FileReadData):
    pass


@integration_event("intake", "client-access-refused", ACCESS_REFUSED_VERSION, stream=ACCESS)
class ClientAccessRefused(AccessRefusedData):
    pass
