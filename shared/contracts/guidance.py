"""Contracts of the guidance service: the facts it records, declared once, and the
commands, queries and integration events derived from them or written beside them.
Confidential conversation notes never leave guidance."""
from marshmallow import fields, validate, validates_schema, ValidationError

from shared.contracts.base import (
    ACCESS, ActorOnly, ActorSchema, CommandSchema, EventSchema, FILE_READ_VERSION, FileReadData, Purpose, PurposeDetail,
    integration_event, published_event,
)
from shared.contracts.declare import Fact, command_fields, declared
from shared.contracts.guidance_vocabulary import (
    APPOINTMENT_ACTORS, AUTHORITIES, CERTIFICATE_LANGUAGES, CERTIFICATE_RECIPIENTS, CLOSING_REASONS, CONDITION_KINDS,
    CONTACT_KINDS, DOMAINS, INTENSITIES, METHODS, OUTCOMES, PLACES, PROCEDURE_KINDS, PROCEDURE_OUTCOMES, PROFILES,
    RELATIONS, SUB_KINDS,
)
from shared.contracts.intake import InterpreterSchema


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


class Intervention(Fact):
    """One contact with the client: when, how long, where, how and about what. Other
    services learn that it happened; the note and next steps stay with guidance."""

    identity = "intervention_id"
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    trajectory_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)
    intervention_id = declared(fields.UUID(required=True), category=None, given=False)
    at = declared(fields.AwareDateTime(required=True), category="interventions")
    minutes = declared(fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=24 * 60)),
                       category="interventions")
    place = declared(fields.String(required=True, validate=validate.OneOf(PLACES)), category="interventions")
    method = declared(fields.String(required=True, validate=validate.OneOf(METHODS)), category="interventions")
    sub_kind = declared(fields.String(required=True), category="interventions", personal=True)
    domains = declared(
        fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True, validate=validate.Length(min=1)),
        category="interventions", personal=True)
    interpreter = declared(fields.Nested(InterpreterSchema, load_default=None), category="languages", personal=True)
    note = declared(fields.String(load_default="", validate=validate.Length(max=10_000)), category="interventions",
                    personal=True, published=False, retention="case_notes")
    next_steps = declared(fields.String(load_default="", validate=validate.Length(max=2_000)),
                          category="interventions", personal=True, published=False, retention="case_notes")
    worker = declared(fields.String(required=True), category=None, given=False)
    worker_profile = declared(fields.String(required=True, validate=validate.OneOf(PROFILES)), category=None,
                              given=False)


class RecordIntervention(type("InterventionGiven", (TrajectoryCommand,), command_fields(Intervention))):
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
    purpose_detail = PurposeDetail()


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
    """What every fact about a trajectory names: whose, which, and which agency's."""

    client_id = declared(fields.UUID(required=True), category=None)
    trajectory_id = declared(fields.UUID(required=True), category=None)
    agency = declared(fields.String(required=True), category=None)


@integration_event("guidance", "trajectory-opened", 1)
class TrajectoryOpenedV1(TrajectoryEvent):
    worker = declared(fields.String(required=True), category=None)


InterventionRecordedV1 = published_event("guidance", "intervention-recorded", 1, Intervention)


@integration_event("guidance", "psychologist-recommended", 1)
class PsychologistRecommendedV1(TrajectoryEvent):
    """The worker sees the person would benefit from a psychologist: psychosocial
    support, not therapy, so referrals can propose one (inside the agency first)."""

    worker = declared(fields.String(required=True), category=None)
    languages = declared(fields.List(fields.String(), required=True), category="languages", personal=True)


@integration_event("guidance", "trajectory-closed", 1)
class TrajectoryClosedV1(TrajectoryEvent):
    reason = declared(fields.String(required=True, validate=validate.OneOf(CLOSING_REASONS)),
                      category="trajectory_summary", personal=True)


@integration_event("guidance", "trajectory-reopened", 1)
class TrajectoryReopenedV1(TrajectoryEvent):
    pass


@integration_event("guidance", "trajectory-worker-changed", 1)
class TrajectoryWorkerChangedV1(TrajectoryEvent):
    """The client's worker changed (intake reassigned them); without this, who guides
    the client now could only be guessed from intake's facts."""

    worker = declared(fields.String(required=True), category=None)


@integration_event("guidance", "condition-period-ending", 1)
class ConditionPeriodEndingV1(TrajectoryEvent):
    condition_id = declared(fields.String(required=True), category=None)
    kind = declared(fields.String(required=True, validate=validate.OneOf(CONDITION_KINDS)), category="conditions",
                    personal=True)
    ends = declared(fields.Date(required=True), category="conditions", personal=True)
    worker = declared(fields.String(required=True), category=None)


@integration_event("guidance", "appointment-planned", 1)
class AppointmentPlannedV1(TrajectoryEvent):
    appointment_id = declared(fields.String(required=True), category=None)
    at = declared(fields.AwareDateTime(required=True), category="appointments", personal=True)
    with_actor = declared(fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS)),
                          category="appointments", personal=True)
    worker = declared(fields.String(required=True), category=None)
    accompanied_by = declared(fields.String(required=True, allow_none=True), category=None)
    interpreter = declared(fields.Nested(InterpreterSchema, required=True, allow_none=True), category="languages",
                           personal=True)
    during_leave_permit = declared(fields.Boolean(required=True), category="appointments", personal=True)


@integration_event("guidance", "continuity-gap", 1)
class ContinuityGapV1(TrajectoryEvent):
    worker = declared(fields.String(required=True), category=None)
    due = declared(fields.AwareDateTime(required=True), category="trajectory_summary")
    last_contact = declared(fields.AwareDateTime(required=True, allow_none=True), category="trajectory_summary")


@integration_event("guidance", "attendance-certificate-issued", 1)
class AttendanceCertificateIssuedV1(TrajectoryEvent):
    certificate_id = declared(fields.String(required=True), category=None)
    language = declared(fields.String(required=True, validate=validate.OneOf(CERTIFICATE_LANGUAGES)),
                        category="attendance")
    recipient = declared(fields.String(required=True, validate=validate.OneOf(CERTIFICATE_RECIPIENTS)),
                         category="attendance", personal=True)
    dates = declared(fields.List(fields.Date(), required=True), category="attendance", personal=True)


@integration_event("guidance", "client-file-read", FILE_READ_VERSION, stream=ACCESS)
class ClientFileRead(FileReadData):
    pass
