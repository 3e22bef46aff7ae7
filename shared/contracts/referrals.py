"""Contracts of the referrals service: the facts it records, declared once, and the
commands, queries and integration events derived from them or written beside them.
Reasons, decisions and the coordination plan's words never leave referrals.

Who a referral is for, which partner and for what help is personal: the partner a
person is sent to (an addiction service, a psychologist) says what help they need,
as the domains do. Free text a worker wrote is kept as case notes. Every personal
field is stored sealed under its client's data key of its retention class
(services/referrals/integration.py names, per domain event, the fact it records)."""
from marshmallow import fields, validate, validates_schema, ValidationError

from shared.contracts.base import (
    ACCESS, ActorOnly, ActorSchema, CommandSchema, EventSchema, FILE_READ_VERSION, FileReadData,
    ACCESS_REFUSED_VERSION, AccessRefusedData, Purpose, PurposeDetail, ROLES,
    integration_event, published_event,
)
from shared.contracts.declare import Fact, Unpromised, command_fields, declared
from shared.contracts.intake import ErasureCarriedOut
from shared.contracts.intake_vocabulary import LANGUAGE
from shared.contracts.reference import intervention_domains

DOMAINS = tuple(intervention_domains())
PURPOSES = ("referral",)  # the consent purpose a referral shares data under
ANSWERS = ("acknowledged", "accepted", "declined", "waitlisted", "started", "completed", "dropped_out")
STEPS = ("sent",) + ANSWERS
OUTCOMES = ("effective", "partly_effective", "not_effective")
COORDINATION_ROLES = (
    "lawyer", "justice_assistant", "ocmw_cpas", "partner", "psychologist", "doctor", "family", "employer", "other",
)
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", error="must be a short lower-case code")
# How a partner takes referrals: on this platform (its own users answer them: the role
# "partner"), inside an agency, or outside the platform (staff record its answers).
PLATFORM = "platform"
KIND = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="must be a short lower-case code such as 'addiction'")
CHANNELS = (PLATFORM, "internal", "phone", "email", "portal", "visit")


class Acted(Fact):
    """Who recorded a fact: a staff member of the agency that guides the client, set
    by the service from the verified actor. Directory data, not about the client."""

    by = declared(fields.String(required=True), category=None, published=False, retention="directory", given=False)
    by_role = declared(fields.String(required=True, validate=validate.OneOf(ROLES)), category=None,
                       published=False, retention="directory", given=False)


# -- what referrals keeps of a client, from intake's facts -------------------------------

class RegisteredClient(Fact):
    """A client intake registered, as referrals keeps them: the languages they speak,
    declared as intake declares them (shared.contracts.intake.SpokenLanguages)."""

    client_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    languages = declared(fields.List(fields.String(), required=True), category="languages", personal=True,
                         published=False, given=False)
    preferred_language = declared(fields.String(required=True), category="languages", personal=True,
                                  published=False, given=False)


class NotedConsent(Fact):
    """A consent intake recorded as given or withdrawn: to share the client's data with
    a recipient for a purpose. Whom a person consents to be referred to (an addiction
    service, a psychologist) says what help they need, as a referral's partner does."""

    client_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    recipient = declared(fields.String(required=True), category="referrals", personal=True, published=False,
                         given=False)
    purpose = declared(fields.String(required=True), category=None, published=False, given=False)
    active = declared(fields.Boolean(required=True), category=None, published=False, given=False)


class NotedTransferConsent(Fact):
    """The categories a consent of the client to a transfer to ``agency`` names; none:
    withdrawn. Like intake's facts about a consent, not personal: the recipient of a
    transfer is an agency, not a partner whose kind says what help the person needs."""

    agency = declared(fields.String(required=True), category=None, published=False, given=False)
    categories = declared(fields.List(fields.String(), required=True, allow_none=True), category=None,
                          published=False, given=False)


class NotedTransfer(Fact):
    """Intake transferred the client from one agency to another, at ``at``, under a
    consent naming ``categories``: the new agency reads the earlier referrals in those."""

    from_agency = declared(fields.String(required=True), category=None, published=False, given=False)
    agency = declared(fields.String(required=True), category=None, published=False, given=False)
    at = declared(fields.String(required=True), category=None, published=False, given=False)
    categories = declared(fields.List(fields.String(), required=True), category=None, published=False, given=False)


# -- a referral's facts ---------------------------------------------------------------

class AboutAReferral(Fact):
    """What every fact about a referral names: whose, which, which agency's and to
    which partner (fixed for the referral's whole life)."""

    identity = "referral_id"
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    referral_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)
    partner = declared(fields.String(required=True), category="referrals", personal=True, given=False)


class ReferralProposal(AboutAReferral, Acted):
    """A client proposed for a partner's help, in some domains, and why."""

    # A partner is named by its code in the directory.
    partner = declared(fields.String(required=True, validate=Unpromised(CODE)), category="referrals", personal=True)
    domains = declared(
        fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True, validate=validate.Length(min=1)),
        category="referrals", personal=True)
    reason = declared(fields.String(required=True, validate=validate.Length(min=1, max=1000)), category="referrals",
                      personal=True, published=False, retention="case_notes")
    # A worker's proposal, or the upstream fact a policy proposed it on: the latter
    # says that a psychologist was recommended, as the published flag does.
    origin = declared(fields.String(required=True), category="referrals", personal=True, published=False,
                      given=False)
    purpose = declared(fields.String(required=True, validate=validate.OneOf(PURPOSES)), category=None,
                       published=False, given=False)
    at = declared(fields.AwareDateTime(required=True), category="referrals", published=False, given=False)


class ReferralStep(AboutAReferral, Acted):
    """Sent, then the partner's answers and the end. The steps are the referral's
    handling, which its rules and the partner figures work from; how the help
    worked for the person (the outcome) and why it ended are personal."""

    step = declared(fields.String(required=True, validate=validate.OneOf(STEPS)), category="referrals")
    reason = declared(fields.String(load_default=None, validate=validate.Length(min=1, max=500)),
                      category="referrals", personal=True, published=False, retention="case_notes")
    outcome = declared(fields.String(load_default=None, validate=validate.OneOf(OUTCOMES)), category="referrals",
                       personal=True)
    at = declared(fields.AwareDateTime(required=True), category="referrals", published=False, given=False)


class ReferralStall(AboutAReferral):
    """A referral stuck in a state beyond the stay expected there; the service
    notices it, nobody acted."""

    state = declared(fields.String(required=True), category="referrals", given=False)
    since = declared(fields.AwareDateTime(required=True), category="referrals", given=False)
    expected_days = declared(fields.Integer(required=True), category=None, given=False)  # a deployment setting


class ReferralConsentWithdrawal(AboutAReferral):
    """The client withdrew consent after sending: nothing more goes to the partner.
    Intake recorded who acted; here it is a consequence."""


class ReferralNote(AboutAReferral, Acted):
    """A note on a referral, by the partner's user or the agency's staff: what was
    said on the phone, a date agreed. Its words are about the person: case notes that
    stay here; that a note was added (and by whom, in the envelope) is published."""

    note = declared(fields.String(required=True, validate=validate.Length(min=1, max=2000)), category="referrals",
                    personal=True, published=False, retention="case_notes")
    at = declared(fields.AwareDateTime(required=True), category="referrals", published=False, given=False)


# -- corrections of a referral (issue 20): each a fact of its own, the steps before it
# stay. That it happened, and from which state, is the referral's handling (published,
# and told to the partner through its feed while the consent is in force); why is a
# case note that stays here.

CANCELLABLE = ("proposed", "sent", "acknowledged")  # before the partner answered
WITHDRAWABLE = ("waitlisted", "accepted", "started")  # after it answered
REOPENED_TO = "acknowledged"  # waiting for the partner's answer again (services/referrals/domain/referral.py)


def _why() -> fields.Field:
    """Why the agency corrected the referral: required, a case note."""
    return declared(fields.String(required=True, validate=validate.Length(min=1, max=500)), category="referrals",
                    personal=True, published=False, retention="case_notes")


class ReferralCancellation(AboutAReferral, Acted):
    """The agency cancelled the referral before the partner answered: it takes no further step."""

    from_state = declared(fields.String(required=True, validate=validate.OneOf(CANCELLABLE)), category="referrals",
                          given=False)
    reason = _why()
    at = declared(fields.AwareDateTime(required=True), category="referrals", published=False, given=False)


class ReferralWithdrawal(AboutAReferral, Acted):
    """The agency withdrew the referral after the partner answered (a place kept, help
    under way): it takes no further step."""

    from_state = declared(fields.String(required=True, validate=validate.OneOf(WITHDRAWABLE)), category="referrals",
                          given=False)
    reason = _why()
    at = declared(fields.AwareDateTime(required=True), category="referrals", published=False, given=False)


class ReferralReopening(AboutAReferral, Acted):
    """A client who dropped out comes back: the referral is in the partner's hands
    again, in ``state``, waiting for its answer."""

    state = declared(fields.String(required=True, validate=validate.OneOf((REOPENED_TO,))), category="referrals",
                     given=False)
    reason = _why()
    at = declared(fields.AwareDateTime(required=True), category="referrals", published=False, given=False)


# -- the partner directory's facts: not about a client; each is published (intake and
# the sharing follow them), with the partner's code as the envelope's subject. ----------

def _directory(field: fields.Field, **properties) -> fields.Field:
    return declared(field, category=None, retention="directory", **properties)


def _who() -> fields.Field:
    """Who changed the directory, from the verified actor (none: the sample file,
    loaded at first start). In the envelope, never in the data."""
    return _directory(fields.String(load_default=None, allow_none=True), published=False, given=False)


class PartnerDescription(Fact):
    """A partner as the directory describes it: its code (which never changes), name,
    kind, the agency it is part of (none: an organisation of its own), the domains
    it helps in, the languages spoken there, how it takes referrals and how long one
    typically waits."""

    code = _directory(fields.String(required=True, validate=Unpromised(CODE)))
    name = _directory(fields.String(required=True, validate=validate.Length(min=1, max=200)))
    kind = _directory(fields.String(required=True, validate=Unpromised(KIND)))  # a list that grows
    agency = _directory(fields.String(load_default=None, allow_none=True, validate=Unpromised(CODE)))
    domains = _directory(fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True,
                                     validate=validate.Length(min=1)))
    languages = _directory(fields.List(fields.String(validate=LANGUAGE), required=True,
                                       validate=validate.Length(min=1, max=10)))
    channel = _directory(fields.String(required=True, validate=validate.OneOf(CHANNELS)))
    typical_wait_days = _directory(fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=365)))


class PartnerRegistration(PartnerDescription):
    sample = _directory(fields.Boolean(load_default=False), published=False, given=False)  # invented, for development
    by = _who()
    by_role = _who()


class PartnerChange(PartnerDescription):
    """The whole new description of a partner (its code stays)."""

    by = _who()
    by_role = _who()


class PartnerDeactivation(Fact):
    """A partner takes no new referrals; those in its hands go on."""

    code = _directory(fields.String(required=True, validate=Unpromised(CODE)))
    by = _who()
    by_role = _who()


# -- the coordination of help's facts: published are a conference (when, and when its
# actions fall due) and the role of each actor added to the plan; who they are, what
# they do and what was said stay here. ---------------------------------------------------

class CoordinationActor(Acted):
    """Someone in the person's network who helps, and with what. Who they are says
    something about the person (a doctor, their family, an employer)."""

    client_id = declared(fields.UUID(required=True), category=None, given=False)
    actor_id = declared(fields.String(required=True), category=None, given=False)
    role = declared(fields.String(required=True, validate=validate.OneOf(COORDINATION_ROLES)), category="referrals",
                    personal=True)
    organisation = declared(fields.String(required=True, validate=validate.Length(min=1, max=200)),
                            category="referrals", personal=True, published=False)
    # A professional's own contact details: withheld from the client's copy.
    contact = declared(fields.String(load_default="", validate=validate.Length(max=200)), category="referrals",
                       personal=True, published=False, third_party=True)
    does = declared(fields.String(required=True, validate=validate.Length(min=1, max=500)), category="referrals",
                    personal=True, published=False, retention="case_notes")


class CoordinationActorRemoval(Acted):
    """Someone no longer helps in the person's network."""

    actor_id = declared(fields.String(required=True, validate=validate.Length(min=1, max=64)), category=None,
                        published=False)


class ActionSchema(CommandSchema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=500))
    owner = fields.String(required=True, validate=validate.Length(min=1, max=200))
    due = fields.Date(required=True)


class CaseConference(Acted):
    """A meeting of the actors around a client: who took part, what they decided and
    the follow-up actions. Other services learn when the actions fall due, which the
    fact keeps apart from the actions' words: the dates outlive the notes."""

    identity = "conference_id"
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    conference_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)
    on = declared(fields.Date(required=True), category="referrals")
    participants = declared(  # who else sat at the table: withheld from the client's copy
        fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                    validate=validate.Length(min=2)),
        category="referrals", personal=True, published=False, third_party=True)
    decisions = declared(
        fields.List(fields.String(validate=validate.Length(min=1, max=1000)), required=True,
                    validate=validate.Length(min=1)),
        category="referrals", personal=True, published=False, retention="case_notes")
    actions = declared(fields.List(fields.Nested(ActionSchema), load_default=list), category="referrals",
                       personal=True, published=False, retention="case_notes")
    actions_due = declared(fields.List(fields.Date(), required=True), category="referrals", given=False)


class ConferenceActionDone(Acted):
    """A follow-up action of a case conference was done, on that day."""

    identity = "conference_id"
    conference_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    index = declared(fields.Integer(required=True, strict=True, validate=validate.Range(min=0)), category=None,
                     published=False)
    on = declared(fields.Date(required=True), category="referrals", published=False)


class ConferenceActionFallingDue(Fact):
    """A follow-up action of a case conference falls due and is not done yet: the
    worker is reminded, once. Which action (its place), never its words."""

    identity = "conference_id"
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    conference_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)
    index = declared(fields.Integer(required=True), category=None, given=False)
    due = declared(fields.Date(required=True), category="referrals", given=False)


class ConferenceActionsDue(CommandSchema):
    """The agency's case-conference actions not done that fall due between two days,
    for the clients named (a worker's), or all of them (a coordinator)."""

    actor = fields.Nested(ActorSchema, required=True)
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    client_ids = fields.List(fields.UUID(), load_default=None)


# -- joint guidance: another agency in the client's coordination plan (issue 16, item 4).
# Published are which agency joined and left, and why it left; what it does there stays. --

COORDINATION_PURPOSE = "coordination"  # the consent purpose an agency joins the plan under
# Why an agency left the plan: the guiding agency's staff removed it, or the client
# withdrew the consent it joined under (intake recorded who acted on that).
LEFT_BECAUSE = ("removed", "consent_withdrawn")


class CoordinatingAgency(Acted):
    """Another agency joins the guidance around the client, under the client's consent
    to share with it for coordination: it reads the plan and the case conferences it
    took part in. Which agency it is names the coordination, as a referral's partner
    does; what it does for the person stays here."""

    client_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True, validate=Unpromised(CODE)), category="referrals")
    does = declared(fields.String(required=True, validate=validate.Length(min=1, max=500)), category="referrals",
                    personal=True, published=False, retention="case_notes")


class CoordinatingAgencyLeaving(Fact):
    """An agency leaves the client's coordination plan. No one acted here when it left
    because the consent was withdrawn: ``by`` is none then."""

    client_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True, validate=Unpromised(CODE)), category="referrals")
    why = declared(fields.String(required=True, validate=validate.OneOf(LEFT_BECAUSE)), category="referrals",
                   given=False)
    by = declared(fields.String(load_default=None, allow_none=True), category=None, published=False,
                  retention="directory", given=False)
    by_role = declared(fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ROLES)),
                       category=None, published=False, retention="directory", given=False)


# -- commands and queries ---------------------------------------------------------------

class ClientCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)


class ReferralCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    referral_id = fields.UUID(required=True)


class ConferenceCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    conference_id = fields.UUID(required=True)


def _command(name: str, base: type[CommandSchema], fact: type[Fact]) -> type:
    """The command recording ``fact``: ``base`` names the record and who acts, the
    fact's given fields the rest."""
    return type(name, (base,), {**command_fields(fact), "__module__": __name__})


ProposeReferral = _command("ProposeReferral", ClientCommand, ReferralProposal)


class RecordReferralStep(_command("ReferralStepGiven", ReferralCommand, ReferralStep)):
    @validates_schema
    def what_each_step_needs(self, data, **kwargs):
        step = data.get("step")
        if step in ("declined", "dropped_out") and not data.get("reason"):
            raise ValidationError(f"is required when the step is {step}", "reason")
        if step == "completed" and not data.get("outcome"):
            raise ValidationError("is required when the referral is completed", "outcome")
        if step != "completed" and data.get("outcome"):
            raise ValidationError("is given only when the referral is completed", "outcome")


class RecordPartnerStep(RecordReferralStep):
    """A partner's user answers a referral addressed to its organisation: only the
    partner's side of the lifecycle (sending is the agency's)."""

    step = fields.String(required=True, validate=validate.OneOf(ANSWERS))


AddReferralNote = _command("AddReferralNote", ReferralCommand, ReferralNote)
CancelReferral = _command("CancelReferral", ReferralCommand, ReferralCancellation)
WithdrawReferral = _command("WithdrawReferral", ReferralCommand, ReferralWithdrawal)
ReopenReferral = _command("ReopenReferral", ReferralCommand, ReferralReopening)


class PartnerReferrals(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)


class DirectoryCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)


RegisterPartner = type("RegisterPartner", (DirectoryCommand,), command_fields(PartnerRegistration))
ChangePartner = type("ChangePartner", (DirectoryCommand,), command_fields(PartnerChange))
DeactivatePartner = type("DeactivatePartner", (DirectoryCommand,), command_fields(PartnerDeactivation))


class ReferralHistory(ClientCommand):
    purpose = Purpose()
    purpose_detail = PurposeDetail()


AddCoordinationActor = _command("AddCoordinationActor", ClientCommand, CoordinationActor)
RemoveCoordinationActor = _command("RemoveCoordinationActor", ClientCommand, CoordinationActorRemoval)
HoldCaseConference = _command("HoldCaseConference", ClientCommand, CaseConference)
CompleteConferenceAction = _command("CompleteConferenceAction", ConferenceCommand, ConferenceActionDone)
AddCoordinatingAgency = _command("AddCoordinatingAgency", ClientCommand, CoordinatingAgency)
RemoveCoordinatingAgency = _command("RemoveCoordinatingAgency", ClientCommand, CoordinatingAgencyLeaving)


class CoordinationQuery(ClientCommand):
    purpose = Purpose()
    purpose_detail = PurposeDetail()


class PartnerFigures(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    partner = fields.String(load_default=None, validate=CODE)


CheckTime = ActorOnly


# -- integration events ---------------------------------------------------------------

class ProposalAsPublished(EventSchema):
    """What the published proposal says that the fact holds in another form (its origin)."""

    from_psychologist_recommendation = declared(fields.Boolean(required=True), category="referrals", personal=True)


class StepAsPublished(EventSchema):
    """``answered`` marks an answer the caseworker is waiting for (accepted, declined,
    waitlisted), read from the step."""

    answered = declared(fields.Boolean(required=True), category="referrals")


ReferralProposedV1 = published_event("referrals", "referral-proposed", 1, ReferralProposal, ProposalAsPublished)
ReferralStepRecordedV1 = published_event("referrals", "referral-step-recorded", 1, ReferralStep, StepAsPublished)
ReferralStalledV1 = published_event("referrals", "referral-stalled", 1, ReferralStall)
ReferralConsentWithdrawnV1 = published_event("referrals", "referral-consent-withdrawn", 1, ReferralConsentWithdrawal)
CaseConferenceHeldV1 = published_event("referrals", "case-conference-held", 1, CaseConference)
ConferenceActionFallingDueV1 = published_event("referrals", "case-conference-action-due", 1,
                                               ConferenceActionFallingDue)
CoordinationActorAddedV1 = published_event("referrals", "coordination-actor-added", 1, CoordinationActor)
CoordinatingAgencyJoinedV1 = published_event("referrals", "coordinating-agency-joined", 1, CoordinatingAgency)
CoordinatingAgencyLeftV1 = published_event("referrals", "coordinating-agency-left", 1, CoordinatingAgencyLeaving)
ErasureCarriedOutV1 = published_event("referrals", "erasure-carried-out", 1, ErasureCarriedOut)
ReferralNoteAddedV1 = published_event("referrals", "referral-note-added", 1, ReferralNote)
ReferralCancelledV1 = published_event("referrals", "referral-cancelled", 1, ReferralCancellation)
ReferralWithdrawnV1 = published_event("referrals", "referral-withdrawn", 1, ReferralWithdrawal)
ReferralReopenedV1 = published_event("referrals", "referral-reopened", 1, ReferralReopening)
PartnerRegisteredV1 = published_event("referrals", "partner-registered", 1, PartnerRegistration)
PartnerChangedV1 = published_event("referrals", "partner-changed", 1, PartnerChange)
PartnerDeactivatedV1 = published_event("referrals", "partner-deactivated", 1, PartnerDeactivation)


@integration_event("referrals", "client-file-read", FILE_READ_VERSION, stream=ACCESS)
class ClientFileRead(FileReadData):
    pass


@integration_event("referrals", "client-access-refused", ACCESS_REFUSED_VERSION, stream=ACCESS)
class ClientAccessRefused(AccessRefusedData):
    pass
