"""Contracts of the referrals service: its commands, its queries and the integration
events it publishes."""
from marshmallow import fields, validate, validates_schema, ValidationError

from shared.contracts.base import ActorOnly, ActorSchema, CommandSchema, EventSchema, FileReadData, Purpose, integration_event
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


class ClientCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)


class ProposeReferral(ClientCommand):
    partner = fields.String(required=True, validate=CODE)
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True,
                          validate=validate.Length(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RecordReferralStep(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    referral_id = fields.UUID(required=True)
    step = fields.String(required=True, validate=validate.OneOf(STEPS))
    reason = fields.String(load_default=None, validate=validate.Length(min=1, max=500))
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))

    @validates_schema
    def what_each_step_needs(self, data, **kwargs):
        step = data.get("step")
        if step in ("declined", "dropped_out") and not data.get("reason"):
            raise ValidationError(f"is required when the step is {step}", "reason")
        if step == "completed" and not data.get("outcome"):
            raise ValidationError("is required when the referral is completed", "outcome")
        if step != "completed" and data.get("outcome"):
            raise ValidationError("is given only when the referral is completed", "outcome")


class ReferralHistory(ClientCommand):
    purpose = Purpose()


class AddCoordinationActor(ClientCommand):
    role = fields.String(required=True, validate=validate.OneOf(COORDINATION_ROLES))
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact = fields.String(load_default="", validate=validate.Length(max=200))
    does = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RemoveCoordinationActor(ClientCommand):
    actor_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ActionSchema(CommandSchema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=500))
    owner = fields.String(required=True, validate=validate.Length(min=1, max=200))
    due = fields.Date(required=True)


class HoldCaseConference(ClientCommand):
    on = fields.Date(required=True)
    participants = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                               validate=validate.Length(min=2))
    decisions = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), required=True,
                            validate=validate.Length(min=1))
    actions = fields.List(fields.Nested(ActionSchema), load_default=list)


class CompleteConferenceAction(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    conference_id = fields.UUID(required=True)
    index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    on = fields.Date(required=True)


class CoordinationQuery(ClientCommand):
    purpose = Purpose()


class PartnerFigures(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    partner = fields.String(load_default=None, validate=CODE)


CheckTime = ActorOnly


# -- integration events ---------------------------------------------------------------

class ReferralEvent(EventSchema):
    client_id = fields.UUID(required=True)
    referral_id = fields.UUID(required=True)
    agency = fields.String(required=True)
    partner = fields.String(required=True)


@integration_event("referrals", "referral-proposed", 1)
class ReferralProposedV1(ReferralEvent):
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True)
    from_psychologist_recommendation = fields.Boolean(required=True)


@integration_event("referrals", "referral-step-recorded", 1)
class ReferralStepRecordedV1(ReferralEvent):
    """Sent, then the partner's answers and the end; ``answered`` marks an answer
    the caseworker is waiting for (accepted, declined, waitlisted)."""

    step = fields.String(required=True, validate=validate.OneOf(STEPS))
    answered = fields.Boolean(required=True)
    outcome = fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES))


@integration_event("referrals", "referral-stalled", 1)
class ReferralStalledV1(ReferralEvent):
    state = fields.String(required=True)
    since = fields.AwareDateTime(required=True)
    expected_days = fields.Integer(required=True)


@integration_event("referrals", "referral-consent-withdrawn", 1)
class ReferralConsentWithdrawnV1(ReferralEvent):
    """The client withdrew consent after sending: nothing more goes to the partner."""


@integration_event("referrals", "case-conference-held", 1)
class CaseConferenceHeldV1(EventSchema):
    client_id = fields.UUID(required=True)
    conference_id = fields.UUID(required=True)
    agency = fields.String(required=True)
    on = fields.Date(required=True)
    actions_due = fields.List(fields.Date(), required=True)


@integration_event("referrals", "client-file-read", 1)
class ClientFileReadV1(FileReadData):
    pass
