"""What the referrals service answers: a client's referrals and their history, the
coordination plan, the partner directory and figures, and the acknowledgements of
its commands."""
from marshmallow import fields, validate

from shared.contracts import referrals as facts
from shared.contracts.base import ROLES, AnswerSchema, count
from shared.contracts.declare import answer_fields
from shared.contracts.intake import LANGUAGE
from shared.contracts.referrals import DOMAINS, OUTCOMES, STEPS

# A referral is proposed, then moves by its steps (services/referrals/domain.py); a
# correction may end it (cancelled, withdrawn) or reopen it (issue 20).
ENDED_BY_CORRECTION = ("cancelled", "withdrawn")
STATES = ("proposed",) + STEPS + ENDED_BY_CORRECTION
CORRECTIONS = ENDED_BY_CORRECTION + ("reopened",)


class ReferralProposed(AnswerSchema):
    referral_id = fields.UUID(required=True)


class ReferralState(AnswerSchema):
    referral_id = fields.UUID(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))


class ReferralStep(AnswerSchema):
    """One state the referral entered, when and by whom (a user id, and their role:
    "partner" for the partner's own users). Steps after the proposal say why (a
    decline, a drop-out) and how it ended (completed)."""

    state = fields.String(required=True, validate=validate.OneOf(STATES))
    at = fields.AwareDateTime(required=True)
    by = fields.String(required=True)
    by_role = fields.String(required=True, validate=validate.OneOf(ROLES))
    reason = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True, validate=validate.OneOf(OUTCOMES))
    # Set on a state a correction put the referral in: absent on the lifecycle's own steps.
    correction = fields.String(validate=validate.OneOf(CORRECTIONS))


def _shown(name: str, fact: type, omit: list[str]) -> type:
    """An answer showing ``fact``, less what the answer around it already says and
    who recorded it (a referral's history says who took each step). A personal
    field is null once the client's data were erased (their keys shredded)."""
    return type(name, (AnswerSchema,), {
        **answer_fields(fact, omit=[*omit, "by", "by_role"]), "__module__": __name__})


class ReferralNote(AnswerSchema):
    """A note on a referral: when, by whom (a user id and role) and what it says
    (null once the client's data were erased)."""

    at = fields.AwareDateTime(required=True)
    by = fields.String(required=True)
    by_role = fields.String(required=True, validate=validate.OneOf(ROLES))
    note = fields.String(required=True, allow_none=True)


# A referral's handling is its category's (shared.contracts.referrals.ReferralStep), as its proposal is.
_REFERRALS = {"category": "referrals"}


class ReferralHistoryEntry(_shown("ReferralProposalShown", facts.ReferralProposal,
                                  omit=["client_id", "agency", "origin", "purpose", "at"])):
    """A referral: the proposal as the worker gave it (whose it is, the history
    says; who proposed it, its first step), where it stands now and how it got there.

    After a transfer, the agency the client left reads its own referrals only; the
    new agency reads the earlier agency's only in the categories of the client's
    transfer consent: every other field is null, and ``withheld`` names each with why
    (shared.consented)."""

    state = fields.String(required=True, allow_none=True, validate=validate.OneOf(STATES),
                          metadata=_REFERRALS)
    outcome = fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES), metadata=_REFERRALS)
    consent_withdrawn = fields.Boolean(required=True, allow_none=True, metadata=_REFERRALS)
    history = fields.List(fields.Nested(ReferralStep), required=True, allow_none=True, metadata=_REFERRALS)
    # Each stay reported stalled, as "<state>@<since, ISO 8601>".
    stalled = fields.List(fields.String(), required=True, allow_none=True, metadata=_REFERRALS)
    notes = fields.List(fields.Nested(ReferralNote), required=True, allow_none=True, metadata=_REFERRALS)
    withheld = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={"category": None})


class ReferralNoteAdded(AnswerSchema):
    referral_id = fields.UUID(required=True)
    notes = count(required=True)  # how many the referral has now


class ClientAsPartnerSees(AnswerSchema):
    """What referrals knows of the client that helps the partner: the languages they speak."""

    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    preferred_language = fields.String(required=True, allow_none=True)


class PartnerReferral(AnswerSchema):
    """A referral as the partner it was sent to sees it. Its handling always; the
    reason, the words of its steps and notes and the client's languages only while
    the client's consent to share their data with this partner for a referral is in
    force (``consent_in_force``), else null."""

    referral_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    agency = fields.String(required=True)  # the agency that referred the client
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    since = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True)
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True, allow_none=True)
    consent_in_force = fields.Boolean(required=True)
    consent_withdrawn = fields.Boolean(required=True)
    steps = fields.List(fields.Nested(ReferralStep), required=True)
    reason = fields.String(required=True, allow_none=True)
    client = fields.Nested(ClientAsPartnerSees, required=True, allow_none=True)
    notes = fields.List(fields.Nested(ReferralNote), required=True, allow_none=True)


CoordinationActor = _shown("CoordinationActor", facts.CoordinationActor, omit=["client_id"])  # the plan's


class ConferenceAction(AnswerSchema):
    action = fields.String(required=True)
    owner = fields.String(required=True)
    due = fields.Date(required=True)
    done = fields.Date(required=True, allow_none=True)  # null: still to do


class CaseConference(_shown("CaseConferenceShown", facts.CaseConference,
                            omit=["client_id", "agency", "actions", "actions_due"])):
    """A conference as held; each action says whether it was done."""

    actions = fields.List(fields.Nested(ConferenceAction), required=True)


# Another agency in the plan under the client's consent for coordination (issue 16, item 4).
CoordinatingAgency = _shown("CoordinatingAgency", facts.CoordinatingAgency, omit=["client_id"])


class Coordination(AnswerSchema):
    """The plan and the case conferences: all of them for the agency that guides the
    client; for an agency in the plan, only those whose participants name it."""

    client_id = fields.UUID(required=True)
    actors = fields.List(fields.Nested(CoordinationActor), required=True)
    agencies = fields.List(fields.Nested(CoordinatingAgency), required=True)
    case_conferences = fields.List(fields.Nested(CaseConference), required=True)


class CoordinationActorKey(AnswerSchema):
    actor_id = fields.String(required=True)


class CoordinatingAgencyKey(AnswerSchema):
    agency = fields.String(required=True)


class CaseConferenceHeld(AnswerSchema):
    conference_id = fields.UUID(required=True)


class ConferenceActionDone(AnswerSchema):
    conference_id = fields.UUID(required=True)
    index = count(required=True)


class Partner(AnswerSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    agency = fields.String(required=True, allow_none=True)  # set: a service inside that agency
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True)
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    channel = fields.String(required=True)
    typical_wait_days = count(required=True)
    sample = fields.Boolean(required=True)


class PartnerKept(AnswerSchema):
    """A partner of the directory after a change: active takes new referrals."""

    code = fields.String(required=True)
    active = fields.Boolean(required=True)


class PartnerFiguresEntry(AnswerSchema):
    """One partner's referrals from the agency over a period; the rate and median
    are null while nothing was answered or started."""

    partner = fields.String(required=True)
    sent = count(required=True)
    accepted = count(required=True)
    declined = count(required=True)
    outcomes = fields.Dict(keys=fields.String(validate=validate.OneOf(OUTCOMES)), values=count(), required=True)
    acceptance_rate = fields.Float(required=True, allow_none=True, validate=validate.Range(min=0, max=1))
    median_days_to_start = fields.Float(required=True, allow_none=True)
