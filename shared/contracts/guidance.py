"""Contracts of the guidance service: the facts it records, declared once, and the
commands, queries and integration events derived from them or written beside them.
Confidential conversation notes never leave guidance.

Every domain event of guidance records one fact declared here (``SEALED`` in
services/guidance/integration.py names those with personal fields, which are stored
sealed under the client's data keys). Where the person stands in the justice
system, what they speak, what they need help with, the plan's goals, their
conditions, appointments and procedures, the people around them and every word a
worker wrote about them is personal; who acted is staff data, kept with the
directory. What was said in a conversation (an intervention's note and next steps,
a contact with the network) is kept as case notes; the rest of the file as the case
file."""
import copy

from marshmallow import fields, validate, validates_schema, ValidationError
from marshmallow.utils import missing

from shared.contracts.base import (
    ACCESS, ActorOnly, ActorSchema, CommandSchema, EventSchema, FILE_READ_VERSION, FileReadData,
    ACCESS_REFUSED_VERSION, AccessRefusedData, Purpose, PurposeDetail,
    integration_event, published_event,
)
from shared.contracts.declare import CATEGORIES, Fact, command_fields, declared
from shared.contracts.guidance_vocabulary import (
    APPOINTMENT_ACTORS, AUTHORITIES, CERTIFICATE_LANGUAGES, CERTIFICATE_RECIPIENTS, CLOSING_REASONS, CONDITION_KINDS,
    CONTACT_KINDS, DOMAINS, INTENSITIES, METHODS, OUTCOMES, PLACES, PROCEDURE_KINDS, PROCEDURE_OUTCOMES, PROFILES,
    RELATIONS, SUB_KINDS,
)
from shared.contracts.intake import ErasureCarriedOut, InterpreterSchema
from shared.contracts.intake_vocabulary import LANGUAGE, LEGAL_POSITIONS


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


# How far a goal of the plan was reached, recorded per goal at a review and at closing.
GOAL_OUTCOMES = ("reached", "partly", "not_reached")
GOAL_OUTCOME_MOMENTS = ("review", "closing")


class GoalOutcomeGiven(CommandSchema):
    """The outcome of one goal of the plan in force, named by its place in the plan (1: the first)."""

    goal_number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    outcome = fields.String(required=True, validate=validate.OneOf(GOAL_OUTCOMES))


def _goal_outcomes() -> fields.Field:
    return fields.List(fields.Nested(GoalOutcomeGiven), load_default=None, validate=validate.Length(min=1, max=100),
                       metadata={"description": "optional: the outcome of goals of the plan in force"})


class ReviewPlan(AgreePlan):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    goal_outcomes = _goal_outcomes()


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
    # Recorded again here after it was recorded on the wrong client and retracted there
    # (issue 20): the intervention it replaces. Kept here, so version 1 stays as published;
    # the retraction publishes the link (``InterventionRetraction.recorded_again_as``).
    replaces = declared(fields.UUID(required=True, allow_none=True), category=None, published=False, given=False)


class RecordIntervention(type("InterventionGiven", (TrajectoryCommand,), command_fields(Intervention))):
    @validates_schema
    def sub_kind_of_method(self, data, **kwargs):
        method, sub_kind = data.get("method"), data.get("sub_kind")
        if method in SUB_KINDS and sub_kind not in SUB_KINDS[method]:
            raise ValidationError(f"must be one of: {', '.join(SUB_KINDS[method])}", "sub_kind")


# What an amendment may correct: every field a worker gives when recording an intervention.
AMENDABLE = ("at", "minutes", "place", "method", "sub_kind", "domains", "interpreter", "note", "next_steps")
CORRECTION_REASON = validate.Length(min=1, max=1000)


def _optional(field: fields.Field) -> fields.Field:
    """A given field that an amendment may leave out (left out: unchanged)."""
    field = copy.deepcopy(field)
    field.required, field.load_default = False, missing
    return field


class AmendIntervention(type("InterventionAmendmentGiven", (CommandSchema,), {
        name: _optional(field) for name, field in command_fields(Intervention).items()})):
    """Correct an intervention: the fields given replace the recorded ones; the rest stay."""

    actor = fields.Nested(ActorSchema, required=True)
    intervention_id = fields.UUID(required=True)
    reason = fields.String(required=True, validate=CORRECTION_REASON)

    @validates_schema
    def something_to_amend(self, data, **kwargs):
        if not set(data) & set(AMENDABLE):
            raise ValidationError(f"give at least one of: {', '.join(AMENDABLE)}", "_schema")


class RetractIntervention(CommandSchema):
    """Retract an intervention recorded in error; with ``client_id``, it was recorded on
    the wrong client and is recorded again on that one, linked both ways."""

    actor = fields.Nested(ActorSchema, required=True)
    intervention_id = fields.UUID(required=True)
    reason = fields.String(required=True, validate=CORRECTION_REASON)
    client_id = fields.UUID(load_default=None, metadata={"description": "the right client, to record it again on"})


class RecommendPsychologist(TrajectoryCommand):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CloseTrajectory(TrajectoryCommand):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSING_REASONS))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    goal_outcomes = _goal_outcomes()


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


class RescheduleAppointment(TrajectoryCommand):
    appointment_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=CORRECTION_REASON)


class CancelAppointment(TrajectoryCommand):
    appointment_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=CORRECTION_REASON)


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


class RecordDocumentExpiry(TrajectoryCommand):
    procedure_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    expires = fields.Date(required=True)


class Agenda(CommandSchema):
    """What is due between two days: a worker's own, or for a coordinator the
    agency's (or one worker's)."""

    actor = fields.Nested(ActorSchema, required=True)
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    worker = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    @validates_schema
    def _a_period(self, data, **kwargs):
        if data["until"] < data["since"]:
            raise ValidationError("must not be before from", "until")
        if (data["until"] - data["since"]).days > 366:
            raise ValidationError("at most a year after from", "until")


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


# -- the facts guidance records: each domain event records one ------------------------------

def _id(**kwargs) -> fields.Field:
    """An id the platform made, or a code: not about the client."""
    return declared(fields.String(required=True), category=None, given=False, **kwargs)


def _who_acted() -> fields.Field:
    """Who recorded a fact: the verified actor, a staff member. Directory data, not
    about the client, and never in an event's data (the envelope names the actor)."""
    return declared(fields.Nested(ActorSchema, required=True), category=None, published=False, given=False,
                    retention="directory")


def _interpreter(**kwargs) -> fields.Field:
    """An interpreter arranged for the client says which language they need."""
    return declared(fields.Nested(InterpreterSchema, required=True, allow_none=True), category="languages",
                    personal=True, given=False, **kwargs)


class ClientOnRecord(Fact):
    """A client intake registered, as guidance keeps them: where they stand in the
    justice system and what they speak; never who they are. Private to guidance."""

    client_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True, published=False, given=False)
    languages = declared(fields.List(fields.String(validate=LANGUAGE), required=True), category="languages",
                         personal=True, published=False, given=False)
    interpreter_needed = declared(fields.Boolean(required=True), category="languages", personal=True,
                                  published=False, given=False)


class LegalPositionOnRecord(Fact):
    """Where the client stands now, as intake changed it (its legal-situation-changed)."""

    client_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True, published=False, given=False)


class ClientTrajectory(Fact):
    """Which trajectory is the client's now."""

    trajectory_id = declared(fields.UUID(required=True), category=None, published=False, given=False)


class FamilyConsent(Fact):
    """Whether a consent of the client to involve their family is in force. Intake holds
    the consent; like intake's facts about a consent, what it allows is not personal."""

    active = declared(fields.Boolean(required=True), category=None, published=False, given=False)


class TransferConsent(Fact):
    """The categories a consent of the client to a transfer to ``recipient`` names
    (none: withdrawn). Like intake's facts about a consent, not personal."""

    recipient = declared(fields.String(required=True), category=None, published=False, given=False)
    categories = declared(fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                                      allow_none=True), category=None, published=False, given=False)


class TransferOnRecord(Fact):
    """Intake transferred the client from one agency to another, at ``at``, under a
    consent naming ``categories``; the trajectory it closed and the one it opened."""

    from_agency = declared(fields.String(required=True), category=None, published=False, given=False)
    agency = declared(fields.String(required=True), category=None, published=False, given=False)
    at = declared(fields.String(required=True), category=None, published=False, given=False)
    categories = declared(fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True),
                          category=None, published=False, given=False)
    from_trajectory = declared(fields.UUID(required=True, allow_none=True), category=None, published=False,
                               given=False)
    to_trajectory = declared(fields.UUID(required=True, allow_none=True), category=None, published=False,
                             given=False)


class LegalHold(Fact):
    """Whether a legal hold (GDPR art. 17(3)) keeps the client's data from guidance's own
    retention rule. Intake decides it; that a hold is in force says nothing personal."""

    in_force = declared(fields.Boolean(required=True), category=None, published=False, given=False)


class AboutATrajectory(Fact):
    """What every fact about a trajectory names: whose, which, and which agency's."""

    identity = "trajectory_id"
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    trajectory_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)


class TrajectoryOpening(AboutATrajectory):
    """A trajectory opened by intake's decision (or by a transfer), with the case as it
    stood: other services learn who guides the client; where the person stands, what
    they speak and the domains they asked help in stay here."""

    opened_by_event = _id(published=False)
    worker = declared(fields.String(required=True), category=None, given=False)
    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True, published=False, given=False)
    situation = declared(fields.String(required=True), category="legal_situation", personal=True, published=False,
                         given=False)
    languages = declared(fields.List(fields.String(validate=LANGUAGE), required=True), category="languages",
                         personal=True, published=False, given=False)
    preferred_language = declared(fields.String(required=True, validate=LANGUAGE), category="languages",
                                  personal=True, published=False, given=False)
    interpreter = _interpreter(published=False)
    domains = declared(fields.List(fields.String(), required=True), category="help_request", personal=True,
                       published=False, given=False)


class Plan(AboutATrajectory):
    """A plan with the person: their goals per domain, how often they meet the worker
    and for how long. Published: how often and how long, and the goals' domains
    (``PlanAsPublished``); the goals in the person's and worker's words stay here."""

    goals = declared(fields.List(fields.Nested(GoalSchema), required=True, validate=validate.Length(min=1)),
                     category="trajectory_summary", personal=True, published=False)
    intensity = declared(fields.String(required=True, validate=validate.OneOf(INTENSITIES)),
                         category="trajectory_summary", personal=True)
    expected_weeks = declared(fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=520)),
                              category="trajectory_summary", personal=True)


class PlanAgreement(Plan):
    """The first plan, agreed."""

    agreed_by = _who_acted()


class PlanReview(Plan):
    """The plan reviewed, and why (the worker's words)."""

    reason = declared(fields.String(required=True, validate=validate.Length(min=1, max=1000)),
                      category="trajectory_summary", personal=True, published=False)
    reviewed_by = _who_acted()


class InterventionNoted(AboutATrajectory):
    """What the trajectory keeps of an intervention recorded in it: when (as the
    intervention's own fact declares it) and whether the person was there."""

    intervention_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    at = declared(fields.AwareDateTime(required=True), category="interventions", published=False, given=False)
    attended = declared(fields.Boolean(required=True), category="attendance", published=False, given=False)
    worker = declared(fields.String(required=True), category=None, published=False, given=False)


class PsychologistRecommendation(AboutATrajectory):
    """The worker sees the person would benefit from a psychologist: psychosocial
    support, not therapy, so referrals can propose one (inside the agency first). Why
    stays here."""

    worker = declared(fields.String(required=True), category=None, given=False)
    languages = declared(fields.List(fields.String(), required=True), category="languages", personal=True,
                         given=False)
    reason = declared(fields.String(required=True, validate=validate.Length(min=1, max=1000)), category="referrals",
                      personal=True, published=False)
    recommended_by = _who_acted()


class WorkerChange(AboutATrajectory):
    """The client's worker changed (intake reassigned them); without this, who guides
    the client now could only be guessed from intake's facts."""

    worker = declared(fields.String(required=True), category=None, given=False)
    interpreter = _interpreter(published=False)


class LegalSituationOnTrajectory(AboutATrajectory):
    """Where the client guided stands now, as intake changed it (its
    legal-situation-changed): kept here as the opening keeps it, private."""

    legal_position = declared(fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS)),
                              category="legal_situation", personal=True, published=False, given=False)
    situation = declared(fields.String(required=True), category="legal_situation", personal=True, published=False,
                         given=False)


class Closing(AboutATrajectory):
    """A trajectory closed: why (a code, published) and the worker's summary (kept here)."""

    reason = declared(fields.String(required=True, validate=validate.OneOf(CLOSING_REASONS)),
                      category="trajectory_summary", personal=True)
    summary = declared(fields.String(required=True, validate=validate.Length(min=1, max=4000)),
                       category="trajectory_summary", personal=True, published=False)
    closed_by = _who_acted()


class Reopening(AboutATrajectory):
    """A closed trajectory reopened by the coordinator, and why (kept here)."""

    reason = declared(fields.String(required=True, validate=validate.Length(min=1, max=1000)),
                      category="trajectory_summary", personal=True, published=False)
    reopened_by = _who_acted()


class ContinuityGap(AboutATrajectory):
    """No contact happened within the plan's intensity and its grace period."""

    worker = declared(fields.String(required=True), category=None, given=False)
    due = declared(fields.AwareDateTime(required=True), category="trajectory_summary", given=False)
    last_contact = declared(fields.AwareDateTime(required=True, allow_none=True), category="trajectory_summary",
                            given=False)
    noticed_at = declared(fields.AwareDateTime(required=True), category="trajectory_summary", published=False,
                          given=False)


class Condition(AboutATrajectory):
    """A condition or prohibition the client must keep: what it says, from when to
    when, and who imposed it. The agency supports compliance; it does not control it.
    Published: its kind, period and authority; what it says stays here."""

    condition_id = _id()
    kind = declared(fields.String(required=True, validate=validate.OneOf(CONDITION_KINDS)), category="conditions",
                    personal=True)
    description = declared(fields.String(required=True, validate=validate.Length(min=1, max=1000)),
                           category="conditions", personal=True, published=False)
    starts = declared(fields.Date(required=True), category="conditions", personal=True)
    ends = declared(fields.Date(required=True, allow_none=True), category="conditions", personal=True)
    authority = declared(fields.String(required=True, validate=validate.OneOf(AUTHORITIES)), category="conditions",
                         personal=True)
    recorded_by = _who_acted()


class ConditionSupport(AboutATrajectory):
    """Support given with a condition, on a day (the worker's words). Published: which
    condition and when; the words stay here."""

    condition_id = _id()
    support = declared(fields.String(required=True, validate=validate.Length(min=1, max=2000)),
                       category="conditions", personal=True, published=False)
    on = declared(fields.Date(required=True), category="conditions", personal=True)
    given_by = _who_acted()


class ConditionEnding(AboutATrajectory):
    """A condition's period nears its end."""

    condition_id = _id()
    kind = declared(fields.String(required=True, validate=validate.OneOf(CONDITION_KINDS)), category="conditions",
                    personal=True, given=False)
    ends = declared(fields.Date(required=True), category="conditions", personal=True, given=False)
    worker = declared(fields.String(required=True), category=None, given=False)


class AppointmentPlanning(AboutATrajectory):
    """An appointment with a judicial or social actor, perhaps accompanied, perhaps
    during a leave permit. Published by hand (``AppointmentPlannedV1``): whether it
    falls in a leave permit is published, the permit and the purpose stay here."""

    appointment_id = _id(published=False)
    at = declared(fields.AwareDateTime(required=True), category="appointments", personal=True, published=False)
    with_actor = declared(fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS)),
                          category="appointments", personal=True, published=False)
    purpose = declared(fields.String(required=True, validate=validate.Length(min=1, max=500)),
                       category="appointments", personal=True, published=False)
    accompanied_by = declared(fields.String(required=True, allow_none=True), category=None, published=False)
    leave_permit = declared(fields.Dict(required=True, allow_none=True), category="appointments", personal=True,
                            published=False)
    worker = declared(fields.String(required=True), category=None, published=False, given=False)
    interpreter = _interpreter(published=False)
    planned_by = _who_acted()


class AppointmentOutcome(AboutATrajectory):
    """Whether the person went to an appointment."""

    appointment_id = _id()
    outcome = declared(fields.String(required=True, validate=validate.OneOf(OUTCOMES)), category="appointments",
                       personal=True)
    recorded_by = _who_acted()


class ProcedureStart(AboutATrajectory):
    """A procedure the person starts (rehabilitation, residence status): their legal situation."""

    procedure_id = _id()
    kind = declared(fields.String(required=True, validate=validate.OneOf(PROCEDURE_KINDS)),
                    category="legal_situation", personal=True)
    on = declared(fields.Date(required=True), category="legal_situation", personal=True)
    started_by = _who_acted()


class ProcedureStep(AboutATrajectory):
    """A dated step of a procedure (the worker's words). Published: which procedure and
    when; the step's words stay here."""

    procedure_id = _id()
    step = declared(fields.String(required=True, validate=validate.Length(min=1, max=300)),
                    category="legal_situation", personal=True, published=False)
    on = declared(fields.Date(required=True), category="legal_situation", personal=True)
    recorded_by = _who_acted()


class ProcedureEnd(AboutATrajectory):
    """How a procedure ended, and when."""

    procedure_id = _id()
    outcome = declared(fields.String(required=True, validate=validate.OneOf(PROCEDURE_OUTCOMES)),
                       category="legal_situation", personal=True)
    on = declared(fields.Date(required=True), category="legal_situation", personal=True)
    ended_by = _who_acted()


class DocumentExpiry(AboutATrajectory):
    """A residence-status procedure's document (a residence card) expires on a day."""

    procedure_id = _id()
    expires = declared(fields.Date(required=True), category="legal_situation", personal=True)
    recorded_by = _who_acted()


class DocumentExpiring(AboutATrajectory):
    """A residence document nears its expiry: the worker is reminded, once."""

    procedure_id = _id()
    expires = declared(fields.Date(required=True), category="legal_situation", personal=True, given=False)
    worker = declared(fields.String(required=True), category=None, given=False)


class PlanReviewDue(AboutATrajectory):
    """The plan's review falls due (agreed or last reviewed, plus its expected weeks)."""

    due = declared(fields.Date(required=True), category="trajectory_summary", given=False)
    plan_version = declared(fields.Integer(required=True), category=None, given=False)
    worker = declared(fields.String(required=True), category=None, given=False)


class AttendanceCertificate(AboutATrajectory):
    """An attendance certificate issued: the dates the person came and to whom it goes.
    The person's name is printed on it, never stored."""

    certificate_id = _id()
    language = declared(fields.String(required=True, validate=validate.OneOf(CERTIFICATE_LANGUAGES)),
                        category="attendance")
    recipient = declared(fields.String(required=True, validate=validate.OneOf(CERTIFICATE_RECIPIENTS)),
                         category="attendance", personal=True)
    dates = declared(fields.List(fields.Date(), required=True), category="attendance", personal=True, given=False)
    issued_by = _who_acted()


# -- corrections (issue 20): the original stays in the history; the correction says who,
# when (its envelope) and why. Why is the worker's words: personal, kept here.

def _intervention_fields(*but: str) -> dict[str, fields.Field]:
    return {name: copy.deepcopy(field) for name, field in Intervention._declared_fields.items() if name not in but}


InterventionAmendment = type("InterventionAmendment", (Fact,), {
    **_intervention_fields("replaces"),
    "__doc__": """An intervention corrected: the corrected intervention in full (so a follower
    replaces its copy), which fields the amendment changed, and why (kept here).""",
    "identity": "intervention_id",
    "changed": declared(fields.List(fields.String(validate=validate.OneOf(AMENDABLE)), required=True),
                        category=None, given=False),
    "reason": declared(fields.String(required=True, validate=CORRECTION_REASON), category="interventions",
                       personal=True, published=False),
    "amended_by": _who_acted(),
})


class InterventionRetraction(Fact):
    """An intervention retracted as recorded in error, and why (kept here); when it was
    recorded on the wrong client, the intervention it was recorded again as."""

    identity = "intervention_id"
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    trajectory_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)
    intervention_id = declared(fields.UUID(required=True), category=None, given=False)
    reason = declared(fields.String(required=True, validate=CORRECTION_REASON), category="interventions",
                      personal=True, published=False)
    recorded_again_as = declared(fields.UUID(required=True, allow_none=True), category=None, given=False)
    retracted_by = _who_acted()


class ContactBefore(Fact):
    """When an intervention said it happened before a correction, and whether the person
    was there: what the trajectory takes back from its attended days."""

    was_at = declared(fields.AwareDateTime(required=True), category="interventions", published=False, given=False)
    was_attended = declared(fields.Boolean(required=True), category="attendance", published=False, given=False)


class InterventionCorrectionNoted(InterventionNoted, ContactBefore):
    """What the trajectory keeps of an amended intervention: when it happened before and
    now, whether the person was there, and its last contact since."""

    last_contact = declared(fields.AwareDateTime(required=True), category="interventions", published=False,
                            given=False)


class InterventionRetractionNoted(AboutATrajectory, ContactBefore):
    """The trajectory forgets a retracted intervention: what it said, taken back from
    its attended days, and the last contact of the others."""

    intervention_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    last_contact = declared(fields.AwareDateTime(required=True, allow_none=True), category="interventions",
                            published=False, given=False)


class AppointmentRescheduling(AboutATrajectory):
    """An appointment moved to another time, and why (kept here). Published as the
    planned appointment is: its new time, with whom, the worker and any interpreter."""

    appointment_id = _id()
    at = declared(fields.AwareDateTime(required=True), category="appointments", personal=True)
    with_actor = declared(fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS)),
                          category="appointments", personal=True, given=False)
    worker = declared(fields.String(required=True), category=None, given=False)
    accompanied_by = declared(fields.String(required=True, allow_none=True), category=None, given=False)
    interpreter = _interpreter()
    reason = declared(fields.String(required=True, validate=CORRECTION_REASON), category="appointments",
                      personal=True, published=False)
    rescheduled_by = _who_acted()


class AppointmentCancellation(AboutATrajectory):
    """An appointment cancelled before it took place, and why (kept here)."""

    appointment_id = _id()
    worker = declared(fields.String(required=True), category=None, given=False)
    reason = declared(fields.String(required=True, validate=CORRECTION_REASON), category="appointments",
                      personal=True, published=False)
    cancelled_by = _who_acted()


class GoalOutcomeAsPublished(EventSchema):
    """One goal's outcome: its place in the plan, its domain and how far it was reached;
    never the goal's words."""

    goal_number = fields.Integer(required=True)
    domain = fields.String(required=True)  # a reference domain: a list that grows, not promised
    outcome = fields.String(required=True, validate=validate.OneOf(GOAL_OUTCOMES))


class GoalOutcomes(AboutATrajectory):
    """How far the plan's goals were reached, recorded at a review of the plan or at closing."""

    when = declared(fields.String(required=True, validate=validate.OneOf(GOAL_OUTCOME_MOMENTS)),
                    category="trajectory_summary", given=False)
    outcomes = declared(fields.List(fields.Nested(GoalOutcomeAsPublished), required=True),
                        category="trajectory_summary", personal=True, given=False)
    recorded_by = _who_acted()


# -- the relational network: a stream of its own. Who the people around the client
# are and what was said with them is personal (the network is a way of
# intervening); what was said is kept as case notes. Published: how each member
# relates to the client and when and how they were contacted, never what they are
# called or what was said.

class NetworkStart(Fact):
    """A trajectory's network, before its first member."""

    trajectory_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    client_id = declared(fields.UUID(required=True), category=None, published=False, given=False)
    agency = declared(fields.String(required=True), category=None, published=False, given=False)


class AboutTheNetwork(Fact):
    client_id = declared(fields.UUID(required=True), category=None, given=False)
    agency = declared(fields.String(required=True), category=None, given=False)
    member_id = _id()


class NetworkMember(AboutTheNetwork):
    """Someone around the client: how they relate and what they are called."""

    relation = declared(fields.String(required=True, validate=validate.OneOf(RELATIONS)), category="interventions",
                        personal=True)
    # Who the other person is: theirs, not the client's (withheld from the client's copy).
    known_as = declared(fields.String(required=True, validate=validate.Length(min=1, max=100)),
                        category="interventions", personal=True, published=False, third_party=True)
    added_by = _who_acted()


class NetworkContact(AboutTheNetwork):
    """A contact with someone around the client, and what was said."""

    on = declared(fields.Date(required=True), category="interventions", personal=True)
    kind = declared(fields.String(required=True, validate=validate.OneOf(CONTACT_KINDS)), category="interventions",
                    personal=True)
    # What the other person said: theirs too.
    note = declared(fields.String(load_default="", validate=validate.Length(max=4000)), category="interventions",
                    personal=True, published=False, retention="case_notes", third_party=True)
    recorded_by = _who_acted()


class ReturnHomePreparation(AboutTheNetwork):
    """A return to the family prepared for a leave permit, and what was said."""

    leave_from = declared(fields.AwareDateTime(required=True), category="interventions", personal=True)
    leave_until = declared(fields.AwareDateTime(required=True), category="interventions", personal=True)
    note = declared(fields.String(load_default="", validate=validate.Length(max=4000)), category="interventions",
                    personal=True, published=False, retention="case_notes")
    prepared_by = _who_acted()


# -- integration events ---------------------------------------------------------------

class TrajectoryEvent(EventSchema):
    """What every fact about a trajectory names: whose, which, and which agency's."""

    client_id = declared(fields.UUID(required=True), category=None)
    trajectory_id = declared(fields.UUID(required=True), category=None)
    agency = declared(fields.String(required=True), category=None)


# Each version derived from its fact's declaration (shared.contracts.declare), which
# generates exactly the schema first published by hand.
TrajectoryOpenedV1 = published_event("guidance", "trajectory-opened", 1, TrajectoryOpening)
InterventionRecordedV1 = published_event("guidance", "intervention-recorded", 1, Intervention)
PsychologistRecommendedV1 = published_event("guidance", "psychologist-recommended", 1, PsychologistRecommendation)
TrajectoryClosedV1 = published_event("guidance", "trajectory-closed", 1, Closing)
TrajectoryReopenedV1 = published_event("guidance", "trajectory-reopened", 1, Reopening)
TrajectoryWorkerChangedV1 = published_event("guidance", "trajectory-worker-changed", 1, WorkerChange)
ConditionPeriodEndingV1 = published_event("guidance", "condition-period-ending", 1, ConditionEnding)
ContinuityGapV1 = published_event("guidance", "continuity-gap", 1, ContinuityGap)
AttendanceCertificateIssuedV1 = published_event("guidance", "attendance-certificate-issued", 1,
                                                AttendanceCertificate)


class PlanAsPublished(EventSchema):
    """What a published plan says that the fact holds in another form: the domains
    of its goals, read from the goals whose words stay here. Codes of the reference
    domains, a list that grows without a new version: not promised here."""

    goal_domains = declared(fields.List(fields.String(), required=True), category="trajectory_summary",
                            personal=True)


# Every other fact of a client's file, so that audit's timeline misses none: codes,
# dates and ids, never what a worker wrote or what a member of the network is called.
PlanAgreedV1 = published_event("guidance", "plan-agreed", 1, PlanAgreement, PlanAsPublished)
PlanReviewedV1 = published_event("guidance", "plan-reviewed", 1, PlanReview, PlanAsPublished)
ConditionRecordedV1 = published_event("guidance", "condition-recorded", 1, Condition)
ConditionSupportedV1 = published_event("guidance", "condition-supported", 1, ConditionSupport)
AppointmentOutcomeRecordedV1 = published_event("guidance", "appointment-outcome-recorded", 1, AppointmentOutcome)
ProcedureStartedV1 = published_event("guidance", "procedure-started", 1, ProcedureStart)
ProcedureStepRecordedV1 = published_event("guidance", "procedure-step-recorded", 1, ProcedureStep)
ProcedureEndedV1 = published_event("guidance", "procedure-ended", 1, ProcedureEnd)
NetworkMemberAddedV1 = published_event("guidance", "network-member-added", 1, NetworkMember)
NetworkContactRecordedV1 = published_event("guidance", "network-contact-recorded", 1, NetworkContact)
ReturnHomePreparedV1 = published_event("guidance", "return-home-prepared", 1, ReturnHomePreparation)
ErasureCarriedOutV1 = published_event("guidance", "erasure-carried-out", 1, ErasureCarriedOut)
# Corrections (issue 20).
InterventionAmendedV1 = published_event("guidance", "intervention-amended", 1, InterventionAmendment)
InterventionRetractedV1 = published_event("guidance", "intervention-retracted", 1, InterventionRetraction)
AppointmentRescheduledV1 = published_event("guidance", "appointment-rescheduled", 1, AppointmentRescheduling)
AppointmentCancelledV1 = published_event("guidance", "appointment-cancelled", 1, AppointmentCancellation)
GoalOutcomesRecordedV1 = published_event("guidance", "goal-outcomes-recorded", 1, GoalOutcomes)
DocumentExpiryRecordedV1 = published_event("guidance", "document-expiry-recorded", 1, DocumentExpiry)
DocumentExpiringV1 = published_event("guidance", "document-expiring", 1, DocumentExpiring)
PlanReviewDueV1 = published_event("guidance", "plan-review-due", 1, PlanReviewDue)


@integration_event("guidance", "appointment-planned", 1)
class AppointmentPlannedV1(TrajectoryEvent):
    """Written by hand beside its fact (``AppointmentPlanning``): it publishes whether
    the appointment falls in a leave permit, which the fact holds as the permit itself."""

    appointment_id = declared(fields.String(required=True), category=None)
    at = declared(fields.AwareDateTime(required=True), category="appointments", personal=True)
    with_actor = declared(fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS)),
                          category="appointments", personal=True)
    worker = declared(fields.String(required=True), category=None)
    accompanied_by = declared(fields.String(required=True, allow_none=True), category=None)
    interpreter = declared(fields.Nested(InterpreterSchema, required=True, allow_none=True), category="languages",
                           personal=True)
    during_leave_permit = declared(fields.Boolean(required=True), category="appointments", personal=True)


@integration_event("guidance", "client-file-read", FILE_READ_VERSION, stream=ACCESS)
class ClientFileRead(FileReadData):
    pass


@integration_event("guidance", "client-access-refused", ACCESS_REFUSED_VERSION, stream=ACCESS)
class ClientAccessRefused(AccessRefusedData):
    pass
