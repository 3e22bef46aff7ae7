"""What the guidance service answers: a client's trajectory with everything done
in it, a caseload, the activity figures, and the acknowledgements of its commands.

The confidential note of an intervention or network contact is null for a reader
who is not on the case.
"""
from marshmallow import fields, validate

from shared.contracts import guidance as facts
from shared.contracts.base import AnswerSchema, count
from shared.contracts.declare import answer_fields
from shared.contracts.guidance import GoalSchema, LeavePermitSchema
from shared.contracts.guidance_vocabulary import (
    APPOINTMENT_ACTORS,
    AUTHORITIES,
    CERTIFICATE_LANGUAGES,
    CERTIFICATE_RECIPIENTS,
    CLOSING_REASONS,
    CONDITION_KINDS,
    CONTACT_KINDS,
    DOMAINS,
    INTENSITIES,
    METHODS,
    OUTCOMES,
    PROCEDURE_KINDS,
    PROCEDURE_OUTCOMES,
    RELATIONS,
)
from shared.contracts.intake import LANGUAGE, LEGAL_POSITIONS, InterpreterSchema
from shared.contracts.intake_answers import CLIENT_SITUATIONS

# services/guidance/domain.py; a test keeps them equal.
TRAJECTORY_STATUSES = ("open", "closed")
# A return home prepared during a leave permit is kept as a contact of its own kind.
NETWORK_CONTACT_KINDS = CONTACT_KINDS + ("return_home_preparation",)
SHORT_ID = validate.Length(min=1, max=64)  # the ids guidance gives the parts of a trajectory


class Plan(AnswerSchema):
    goals = fields.List(fields.Nested(GoalSchema), required=True)
    intensity = fields.String(required=True, validate=validate.OneOf(INTENSITIES))
    expected_weeks = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class PlanVersion(Plan):
    """The plan as agreed or reviewed, why, and by whom (a user id)."""

    reason = fields.String(required=True)
    by = fields.String(required=True)


class InterventionAmendmentShown(AnswerSchema):
    """An amendment of an intervention: which fields it changed, who, and why (null
    for a reader not on the case, as the note; null once erased)."""

    changed = fields.List(fields.String(validate=validate.OneOf(facts.AMENDABLE)), required=True)
    by = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)


class InterventionRetractionShown(AnswerSchema):
    by = fields.String(required=True)
    recorded_again_as = fields.UUID(required=True, allow_none=True)  # recorded on the wrong client: the right one's
    reason = fields.String(required=True, allow_none=True)  # as an amendment's


# An intervention as shown inside its trajectory, as corrected; the note is null for a
# reader not on the case. A retracted one is shown, marked, and counts nowhere.
Intervention = type("Intervention", (AnswerSchema,), {
    **answer_fields(facts.Intervention, withheld=["note"], omit=["client_id", "trajectory_id", "agency"]),
    "version": fields.Integer(required=True, strict=True, validate=validate.Range(min=1), metadata={
        "description": "send it in If-Match to amend or retract the intervention"}),
    "amendments": fields.List(fields.Nested(InterventionAmendmentShown), required=True),
    "retracted": fields.Nested(InterventionRetractionShown, required=True, allow_none=True),  # null: stands
})


class PsychologistRecommendation(AnswerSchema):
    reason = fields.String(required=True)
    by = fields.String(required=True)


class ConditionSupport(AnswerSchema):
    support = fields.String(required=True)
    on = fields.Date(required=True)
    by = fields.String(required=True)


class Condition(AnswerSchema):
    condition_id = fields.String(required=True, validate=SHORT_ID)
    kind = fields.String(required=True, validate=validate.OneOf(CONDITION_KINDS))
    description = fields.String(required=True)
    starts = fields.Date(required=True)
    ends = fields.Date(required=True, allow_none=True)
    authority = fields.String(required=True, validate=validate.OneOf(AUTHORITIES))
    support = fields.List(fields.Nested(ConditionSupport), required=True)
    ending_announced = fields.Boolean(required=True)


class Appointment(AnswerSchema):
    appointment_id = fields.String(required=True, validate=SHORT_ID)
    at = fields.AwareDateTime(required=True)
    with_actor = fields.String(required=True, validate=validate.OneOf(APPOINTMENT_ACTORS))
    purpose = fields.String(required=True)
    accompanied_by = fields.String(required=True, allow_none=True)
    leave_permit = fields.Nested(LeavePermitSchema, required=True, allow_none=True)
    outcome = fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES))
    cancelled = fields.Boolean(required=True)
    # The times it was at before it was rescheduled, oldest first (null inside: erased).
    rescheduled_from = fields.List(fields.AwareDateTime(allow_none=True), required=True)


class NetworkContact(AnswerSchema):
    on = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(NETWORK_CONTACT_KINDS))
    note = fields.String(required=True, allow_none=True)  # null: not on the case
    until = fields.AwareDateTime()  # the end of the leave permit, for a return home


class NetworkMember(AnswerSchema):
    member_id = fields.String(required=True, validate=SHORT_ID)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    known_as = fields.String(required=True)
    contacts = fields.List(fields.Nested(NetworkContact), required=True)


class ProcedureStep(AnswerSchema):
    step = fields.String(required=True)
    on = fields.Date(required=True)


class ProcedureOutcome(AnswerSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(PROCEDURE_OUTCOMES))
    on = fields.Date(required=True)


class Procedure(AnswerSchema):
    procedure_id = fields.String(required=True, validate=SHORT_ID)
    kind = fields.String(required=True, validate=validate.OneOf(PROCEDURE_KINDS))
    started = fields.Date(required=True)
    steps = fields.List(fields.Nested(ProcedureStep), required=True)
    outcome = fields.Nested(ProcedureOutcome, required=True, allow_none=True)  # null: under way
    # A residence-status procedure's document, once its expiry is recorded (issue 20),
    # and whether its reminder went out.
    document_expires = fields.Date(allow_none=True)
    expiry_announced = fields.Boolean()


class ContinuityGap(AnswerSchema):
    due = fields.AwareDateTime(required=True)
    last_contact = fields.AwareDateTime(required=True, allow_none=True)
    noticed_at = fields.AwareDateTime(required=True)


class AttendanceCertificateOnRecord(AnswerSchema):
    certificate_id = fields.String(required=True, validate=SHORT_ID)
    language = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_LANGUAGES))
    dates = fields.List(fields.Date(), required=True)
    recipient = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_RECIPIENTS))


class GoalOutcome(AnswerSchema):
    goal_number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    domain = fields.String(required=True, validate=validate.OneOf(DOMAINS))
    outcome = fields.String(required=True, validate=validate.OneOf(facts.GOAL_OUTCOMES))


class GoalOutcomes(AnswerSchema):
    """How far the plan's goals were reached, as recorded at a review or at closing."""

    when = fields.String(required=True, validate=validate.OneOf(facts.GOAL_OUTCOME_MOMENTS))
    outcomes = fields.List(fields.Nested(GoalOutcome), required=True, allow_none=True)  # null: erased
    by = fields.String(required=True)


class Closing(AnswerSchema):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSING_REASONS))
    summary = fields.String(required=True)
    by = fields.String(required=True)
    reopened_because = fields.String()  # only once the trajectory was reopened


def _about(category: str | None) -> dict:
    """A field's consent category, for an answer field written here rather than
    derived from a fact (shared.consented filters on it after a transfer)."""
    return {"category": category}


NOT_ABOUT_THE_CLIENT = _about(None)


class Trajectory(AnswerSchema):
    """A client's trajectory. After a transfer, the agency the client left reads the
    trajectory it ran (closed by the transfer), and the new agency reads that earlier
    trajectory (and what its own one took over from it on opening) only in the
    categories of the client's transfer consent: every other field is null, and
    ``withheld`` names each with why (shared.consented)."""

    trajectory_id = fields.UUID(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    client_id = fields.UUID(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1), metadata=NOT_ABOUT_THE_CLIENT)
    agency = fields.String(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    worker = fields.String(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    status = fields.String(required=True, validate=validate.OneOf(TRAJECTORY_STATUSES), metadata=NOT_ABOUT_THE_CLIENT)
    legal_position = fields.String(required=True, allow_none=True, validate=validate.OneOf(LEGAL_POSITIONS),
                                   metadata=_about("legal_situation"))
    situation = fields.String(required=True, allow_none=True, validate=validate.OneOf(CLIENT_SITUATIONS),
                              metadata=_about("legal_situation"))
    languages = fields.List(fields.String(validate=LANGUAGE), required=True, allow_none=True,
                            metadata=_about("languages"))
    interpreter = fields.Nested(InterpreterSchema, required=True, allow_none=True, metadata=_about("languages"))
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True, allow_none=True,
                          metadata=_about("help_request"))
    plan = fields.Nested(Plan, required=True, allow_none=True,  # null: none agreed yet
                         metadata=_about("trajectory_summary"))
    plan_history = fields.List(fields.Nested(PlanVersion), required=True, allow_none=True,
                               metadata=_about("trajectory_summary"))
    goal_outcomes = fields.List(fields.Nested(GoalOutcomes), required=True, allow_none=True,
                                metadata=_about("trajectory_summary"))
    next_contact_due = fields.AwareDateTime(required=True, allow_none=True,  # null: closed, or no plan
                                            metadata=_about("trajectory_summary"))
    interventions = fields.List(fields.Nested(Intervention), required=True, allow_none=True,
                                metadata=_about("interventions"))
    psychologist_recommendations = fields.List(fields.Nested(PsychologistRecommendation), required=True,
                                               allow_none=True, metadata=_about("referrals"))
    conditions = fields.List(fields.Nested(Condition), required=True, allow_none=True, metadata=_about("conditions"))
    appointments = fields.List(fields.Nested(Appointment), required=True, allow_none=True,
                               metadata=_about("appointments"))
    # Who else is in the client's life, and the contacts with them: the worker's (interventions).
    network = fields.List(fields.Nested(NetworkMember), required=True, allow_none=True,
                          metadata=_about("interventions"))
    procedures = fields.List(fields.Nested(Procedure), required=True, allow_none=True,
                             metadata=_about("legal_situation"))
    continuity_gaps = fields.List(fields.Nested(ContinuityGap), required=True, allow_none=True,
                                  metadata=_about("trajectory_summary"))
    attendance_certificates = fields.List(fields.Nested(AttendanceCertificateOnRecord), required=True,
                                          allow_none=True, metadata=_about("attendance"))
    closings = fields.List(fields.Nested(Closing), required=True, allow_none=True,
                           metadata=_about("trajectory_summary"))
    withheld = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata=NOT_ABOUT_THE_CLIENT)


class InterventionRecorded(AnswerSchema):
    intervention_id = fields.UUID(required=True)


class InterventionAmended(AnswerSchema):
    intervention_id = fields.UUID(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    changed = fields.List(fields.String(validate=validate.OneOf(facts.AMENDABLE)), required=True)


class InterventionRetracted(AnswerSchema):
    intervention_id = fields.UUID(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    recorded_again_as = fields.UUID(required=True, allow_none=True)


class PsychologistRecommended(AnswerSchema):
    client_id = fields.UUID(required=True)
    psychologist_recommended = fields.Boolean(required=True, validate=validate.Equal(True))


class TrajectoryStatus(AnswerSchema):
    client_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(TRAJECTORY_STATUSES))


class ConditionKey(AnswerSchema):
    condition_id = fields.String(required=True, validate=SHORT_ID)


class AppointmentKey(AnswerSchema):
    appointment_id = fields.String(required=True, validate=SHORT_ID)


class AppointmentRescheduled(AppointmentKey):
    at = fields.AwareDateTime(required=True)


class AppointmentCancelled(AppointmentKey):
    cancelled = fields.Boolean(required=True, validate=validate.Equal(True))


class AppointmentOutcome(AppointmentKey):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))


class NetworkMemberKey(AnswerSchema):
    member_id = fields.String(required=True, validate=SHORT_ID)


class ProcedureKey(AnswerSchema):
    procedure_id = fields.String(required=True, validate=SHORT_ID)


class ProcedureEnded(ProcedureKey):
    outcome = fields.String(required=True, validate=validate.OneOf(PROCEDURE_OUTCOMES))


class DocumentExpiryRecorded(ProcedureKey):
    expires = fields.Date(required=True)


class AttendanceCertificate(AnswerSchema):
    """The certificate as issued: its printable text carries the person's name,
    which guidance does not keep."""

    certificate_id = fields.String(required=True, validate=SHORT_ID)
    language = fields.String(required=True, validate=validate.OneOf(CERTIFICATE_LANGUAGES))
    dates = fields.List(fields.Date(), required=True, validate=validate.Length(min=1))
    text = fields.String(required=True)


class CaseloadEntry(AnswerSchema):
    client_id = fields.UUID(required=True)
    trajectory_id = fields.UUID(required=True)
    worker = fields.String(required=True)
    last_contact = fields.AwareDateTime(required=True, allow_none=True)  # null: no intervention yet
    next_contact_due = fields.AwareDateTime(required=True, allow_none=True)  # null: no plan yet
    overdue = fields.Boolean(required=True)


class Activity(AnswerSchema):
    """The agency's interventions over a period: counts and minutes, no client."""

    agency = fields.String(required=True)
    since = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    interventions = count(required=True)
    minutes = count(required=True)
    by_method = fields.Dict(keys=fields.String(validate=validate.OneOf(METHODS)), values=count(), required=True)
    by_domain = fields.Dict(keys=fields.String(validate=validate.OneOf(DOMAINS)), values=count(), required=True)
