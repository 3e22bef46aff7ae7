"""Contracts of the guidance service: its commands, its queries and the integration
events it publishes. Confidential conversation notes never leave guidance."""
from marshmallow import fields, validate, validates_schema, ValidationError

from shared.contracts.base import ActorOnly, ActorSchema, CommandSchema, EventSchema, FileReadData, Purpose, integration_event
from shared.contracts.intake import InterpreterSchema
from shared.contracts.reference import intervention_domains, methods

DOMAINS = tuple(intervention_domains())
METHODS = tuple(methods())
# The sub-kinds of each way of intervening (DOMAIN.md, "The five ways of intervening").
SUB_KINDS = {
    "listening_support": ("listening_ear", "psychosocial_support"),
    "information_guidance": (
        "information_investigation_trial", "information_sentence_execution", "information_internment",
        "information_justice_assistants", "probation_conditions_support", "reintegration_support",
        "rehabilitation_request", "budget_support", "civil_parties_repayment", "bank_problems",
        "provisional_administrator", "debt_mediation_start", "residence_status_application",
        "urgent_medical_aid_application",
    ),
    "assistance_contacts": (
        "administrative_support", "accompaniment_lawyer", "accompaniment_ocmw_cpas", "accompaniment_judicial_body",
        "accompaniment_justice_assistant", "accompaniment_municipality", "accompaniment_health_insurance",
        "accompaniment_during_leave_permit",
    ),
    "relational_network": ("partner_contact", "children_contact", "family_contact", "return_home_preparation"),
    "referral_coordination": ("referral", "coordination_of_help", "follow_up"),
}
PLACES = ("office", "home_visit", "prison", "phone", "video", "elsewhere")
INTENSITIES = ("weekly", "fortnightly", "monthly")
CLOSING_REASONS = (
    "goals_reached", "ended_by_client", "not_reachable", "reimprisoned", "moved", "transferred", "deceased",
)
PROFILES = ("social_assistant", "criminologist", "jurist", "coordinator")
CONDITION_KINDS = ("condition", "prohibition")
AUTHORITIES = (
    "investigating_judge", "council_chamber", "court", "sentence_enforcement_court", "internment_chamber",
    "public_prosecutor", "minister", "other",
)
APPOINTMENT_ACTORS = (
    "lawyer", "ocmw_cpas", "court", "justice_assistant", "municipality", "health_insurance_fund", "doctor",
    "sentence_enforcement_court", "internment_chamber", "other",
)
OUTCOMES = ("held", "missed", "cancelled")
RELATIONS = ("partner", "child", "parent", "sibling", "other_family", "close_one")
CONTACT_KINDS = ("phone", "visit", "meeting", "letter", "video")
PROCEDURE_KINDS = ("rehabilitation", "residence_status")
PROCEDURE_OUTCOMES = ("granted", "refused", "withdrawn")
CERTIFICATE_LANGUAGES = ("nl", "fr")
CERTIFICATE_RECIPIENTS = ("justice_assistant", "court", "sentence_enforcement_court", "internment_chamber",
                          "public_prosecutor", "lawyer", "client")


class GoalSchema(CommandSchema):
    domain = fields.String(required=True, validate=validate.OneOf(DOMAINS))
    goal = fields.String(required=True, validate=validate.Length(min=1, max=500))


class TrajectoryCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)


class AgreePlan(TrajectoryCommand):
    goals = fields.List(fields.Nested(GoalSchema), required=True, validate=validate.Length(min=1))
    intensity = fields.String(required=True, validate=validate.OneOf(INTENSITIES))
    expected_weeks = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=520))


class ReviewPlan(AgreePlan):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RecordIntervention(TrajectoryCommand):
    at = fields.AwareDateTime(required=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=24 * 60))
    place = fields.String(required=True, validate=validate.OneOf(PLACES))
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    sub_kind = fields.String(required=True)
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True, validate=validate.Length(min=1))
    interpreter = fields.Nested(InterpreterSchema, load_default=None)
    note = fields.String(load_default="", validate=validate.Length(max=10_000))
    next_steps = fields.String(load_default="", validate=validate.Length(max=2_000))

    @validates_schema
    def sub_kind_of_method(self, data, **kwargs):
        method, sub_kind = data.get("method"), data.get("sub_kind")
        if method in SUB_KINDS and sub_kind not in SUB_KINDS[method]:
            raise ValidationError(f"must be one of: {', '.join(SUB_KINDS[method])}", "sub_kind")


class RecommendPsychologist(TrajectoryCommand):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CloseTrajectory(TrajectoryCommand):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSING_REASONS))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ReopenTrajectory(TrajectoryCommand):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class GetTrajectory(TrajectoryCommand):
    purpose = Purpose()


class RecordCondition(TrajectoryCommand):
    kind = fields.String(required=True, validate=validate.OneOf(CONDITION_KINDS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    starts = fields.Date(required=True)
    ends = fields.Date(load_default=None)
    authority = fields.String(required=True, validate=validate.OneOf(AUTHORITIES))

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data.get("ends") and data.get("starts") and data["ends"] < data["starts"]:
            raise ValidationError("must not be before starts", "ends")


class SupportCondition(TrajectoryCommand):
    condition_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    support = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    on = fields.Date(required=True)


class LeavePermitSchema(CommandSchema):
    starts = fields.AwareDateTime(required=True, data_key="from")
    ends = fields.AwareDateTime(required=True, data_key="until")

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            raise ValidationError("must be after from", "until")


class PlanAppointment(TrajectoryCommand):
    at = fields.AwareDateTime(required=True)
    with_actor = fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=500))
    accompanied_by = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    leave_permit = fields.Nested(LeavePermitSchema, load_default=None)

    @validates_schema
    def during_the_leave(self, data, **kwargs):
        permit, at = data.get("leave_permit"), data.get("at")
        if permit and at and not permit["starts"] <= at <= permit["ends"]:
            raise ValidationError("must fall within the leave permit", "at")


class RecordAppointmentOutcome(TrajectoryCommand):
    appointment_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))


class AddNetworkMember(TrajectoryCommand):
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    known_as = fields.String(required=True, validate=validate.Length(min=1, max=100))


class RecordNetworkContact(TrajectoryCommand):
    member_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    on = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CONTACT_KINDS))
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class PrepareReturnHome(TrajectoryCommand):
    member_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    leave_permit = fields.Nested(LeavePermitSchema, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class StartProcedure(TrajectoryCommand):
    kind = fields.String(required=True, validate=validate.OneOf(PROCEDURE_KINDS))
    on = fields.Date(required=True)


class RecordProcedureStep(TrajectoryCommand):
    procedure_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    step = fields.String(required=True, validate=validate.Length(min=1, max=300))
    on = fields.Date(required=True)


class EndProcedure(TrajectoryCommand):
    procedure_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    outcome = fields.String(required=True, validate=validate.OneOf(PROCEDURE_OUTCOMES))
    on = fields.Date(required=True)


class IssueAttendanceCertificate(TrajectoryCommand):
    language = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_LANGUAGES))
    recipient = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_RECIPIENTS))
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    person_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


CheckTime = ActorOnly


class ActivityReport(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)


class Caseload(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    worker = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


# -- integration events ---------------------------------------------------------------

class TrajectoryEvent(EventSchema):
    client_id = fields.UUID(required=True)
    trajectory_id = fields.UUID(required=True)
    agency = fields.String(required=True)


@integration_event("guidance", "trajectory-opened", 1)
class TrajectoryOpenedV1(TrajectoryEvent):
    worker = fields.String(required=True)


@integration_event("guidance", "intervention-recorded", 1)
class InterventionRecordedV1(TrajectoryEvent):
    """Activity, not content: when, how long, how and about what; never the note."""

    intervention_id = fields.UUID(required=True)
    at = fields.AwareDateTime(required=True)
    minutes = fields.Integer(required=True)
    place = fields.String(required=True, validate=validate.OneOf(PLACES))
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    sub_kind = fields.String(required=True)
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True)
    worker = fields.String(required=True)
    worker_profile = fields.String(required=True, validate=validate.OneOf(PROFILES))
    interpreter = fields.Nested(InterpreterSchema, required=True, allow_none=True)


@integration_event("guidance", "psychologist-recommended", 1)
class PsychologistRecommendedV1(TrajectoryEvent):
    """The worker sees the person would benefit from a psychologist: psychosocial
    support, not therapy, so referrals can propose one (inside the agency first)."""

    worker = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)


@integration_event("guidance", "trajectory-closed", 1)
class TrajectoryClosedV1(TrajectoryEvent):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSING_REASONS))


@integration_event("guidance", "trajectory-reopened", 1)
class TrajectoryReopenedV1(TrajectoryEvent):
    pass


@integration_event("guidance", "trajectory-worker-changed", 1)
class TrajectoryWorkerChangedV1(TrajectoryEvent):
    """The client's worker changed (intake reassigned them); without this, who guides
    the client now could only be guessed from intake's facts."""

    worker = fields.String(required=True)


@integration_event("guidance", "condition-period-ending", 1)
class ConditionPeriodEndingV1(TrajectoryEvent):
    condition_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CONDITION_KINDS))
    ends = fields.Date(required=True)
    worker = fields.String(required=True)


@integration_event("guidance", "appointment-planned", 1)
class AppointmentPlannedV1(TrajectoryEvent):
    appointment_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    with_actor = fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS))
    worker = fields.String(required=True)
    accompanied_by = fields.String(required=True, allow_none=True)
    interpreter = fields.Nested(InterpreterSchema, required=True, allow_none=True)
    during_leave_permit = fields.Boolean(required=True)


@integration_event("guidance", "continuity-gap", 1)
class ContinuityGapV1(TrajectoryEvent):
    worker = fields.String(required=True)
    due = fields.AwareDateTime(required=True)
    last_contact = fields.AwareDateTime(required=True, allow_none=True)


@integration_event("guidance", "attendance-certificate-issued", 1)
class AttendanceCertificateIssuedV1(TrajectoryEvent):
    certificate_id = fields.String(required=True)
    language = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_LANGUAGES))
    recipient = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_RECIPIENTS))
    dates = fields.List(fields.Date(), required=True)


@integration_event("guidance", "client-file-read", 1)
class ClientFileReadV1(FileReadData):
    pass
