"""What the audit service answers: a client's timeline and access log (reads and
refused attempts), the file replayed at an instant, what changed between two
instants, and the export.

A timeline entry's ``data`` is the integration event's data as it was published:
its shape is that event type's contract (the AsyncAPI catalogue), so here it is
an object of any fields.
"""
from marshmallow import fields, validate

from shared.contracts.base import (
    CATALOGUE, CODE, PREFIX, READ_PURPOSES, ActorSchema, AnswerSchema, FileRead, count, event_type,
)
from shared.contracts.declare import answer_fields
from shared.contracts.guidance_answers import TRAJECTORY_STATUSES
from shared.contracts.intake_answers import DECISIONS, INTAKE_STATUSES
from shared.contracts.intake_vocabulary import DECLINE_REASONS
from shared.contracts.referrals import LEFT_BECAUSE, OUTCOMES
from shared.contracts.referrals_answers import CORRECTIONS, STATES

EXPORT_FORMAT = "jww-audit-export/1"  # services/audit/application.py; a test keeps them equal
EVENT_TYPE = validate.Regexp(rf"^{PREFIX.replace('.', '[.]')}[.][a-z]+[.][a-z-]+[.]v[0-9]+$")
NOTIFICATION_STATUSES = ("issued", "delivered", "dead-lettered")


class TimelineEntry(AnswerSchema):
    """One published fact: who did what, when, in which agency. The actor is null
    for what the platform did on its own (a policy, a timer)."""

    event_id = fields.UUID(required=True)
    source = fields.String(required=True)
    type = fields.String(required=True, validate=EVENT_TYPE)
    time = fields.AwareDateTime(required=True)
    position = count(required=True)
    agency = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True)
    actor_role = fields.String(required=True, allow_none=True)
    data = fields.Dict(keys=fields.String(), required=True)
    erased = fields.List(fields.String(), required=True,
                         metadata={"description": "the fields of data whose content was erased (null in data)"})


class Erasure(AnswerSchema):
    """When the client's personal data was erased here, and on whose decision."""

    on = fields.AwareDateTime(required=True)
    decision = fields.String(required=True)


ACCESS_OUTCOMES = ("read", "refused")  # services/audit/domain.py READ, REFUSED; a test keeps them equal


class AccessLogEntry(type("ReadShown", (AnswerSchema,), answer_fields(FileRead, omit=["client_id"],
                                                                     withheld=["purpose_detail"]))):
    """One read of the file, through which service's query, and why; what the reader
    added to the purpose is shown for audit's own reads (a read elsewhere keeps it).
    Or one refused attempt to read or change the file (``shared.contracts.base.AccessRefused``):
    who tried, the RPC refused (in ``query``) and the rule that refused it; it has
    no purpose, since nothing was read."""

    outcome = fields.String(required=True, validate=validate.OneOf(ACCESS_OUTCOMES))
    reader = fields.String(required=True, metadata={"description": "who read the file, or tried to"})
    purpose = fields.String(required=True, allow_none=True, validate=validate.OneOf(READ_PURPOSES),
                            metadata={"description": "why the file was read; null for a refused attempt"})
    query = fields.String(required=True, metadata={"description": "the query read, or the RPC refused"})
    rule = fields.String(required=True, allow_none=True, validate=CODE, metadata={
        "description": "what refused the attempt, as a code: role, agency, or the record's own rule "
                       "(four_eyes, no_transfer_consent...); null for a read"})
    service = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class Timeline(AnswerSchema):
    client_id = fields.UUID(required=True)
    erased = fields.Nested(Erasure, required=True, allow_none=True)
    entries = fields.List(fields.Nested(TimelineEntry), required=True)
    access_log = fields.List(fields.Nested(AccessLogEntry), required=True)


# -- the file as the facts make it, item by item (services/audit/replay.py) --------------
# Each item shows the fields its fact's published contract declares (version 1), as
# the timeline shows them: codes, dates, ids and who acted, never what anyone wrote
# (WAVE2 22). A personal field reads as null once the client's data is erased, and the
# item names it in ``erased``.

def _published(service: str, fact: str, *leave_out: str, **renamed: str) -> dict[str, fields.Field]:
    """The fields of version 1 of a fact's integration event as the file shows them:
    less the client (whose file it is) and ``leave_out``; ``renamed``: item field ->
    the fact's field it shows."""
    shown = answer_fields(CATALOGUE[event_type(service, fact, 1)], omit=["client_id", *leave_out])
    sources = {source: name for name, source in renamed.items()}
    return {sources.get(name, name): field for name, field in shown.items()}


def _nullable(given: dict[str, fields.Field]) -> dict[str, fields.Field]:
    """Fields of a record that holds nothing before the fact that sets them."""
    for field in given.values():
        field.allow_none = True
    return given


def _instant(description: str, **kwargs) -> fields.AwareDateTime:
    return fields.AwareDateTime(required=True, allow_none=True, metadata={"description": description}, **kwargs)


def _who(description: str) -> fields.String:
    return fields.String(required=True, allow_none=True, metadata={"description": description})


class InFile(AnswerSchema):
    """What every record of the file says of the fact that put it there."""

    recorded = fields.AwareDateTime(required=True, metadata={"description": "when the fact happened"})
    by = fields.String(required=True, allow_none=True, metadata={
        "description": "who acted (a user id); null for what the platform did on its own"})
    erased = fields.List(fields.String(), required=True, metadata={
        "description": "the record's fields whose content was erased with the client's data (null here)"})


def _record(name: str, doc: str, given: dict[str, fields.Field]) -> type:
    return type(name, (InFile,), {**given, "__doc__": doc, "__module__": __name__})


FACT_ID = {"event_id": fields.UUID(required=True, metadata={
    "description": "the published fact that put it in the file (its entry on the timeline)"})}

HelpRequestInFile = _record("HelpRequestInFile", "A request for help intake received.",
                            _published("intake", "help-request-received"))
DecisionInFile = _record("DecisionInFile", "A decision on the intake; each names the fields its fact carries.", {
    **FACT_ID,
    "decision": fields.String(required=True, validate=validate.OneOf(DECISIONS)),
    "agency": fields.String(required=True, metadata={"description": "the agency following the client after it"}),
    "worker": fields.String(required=True, allow_none=True),
    "from_agency": fields.String(required=True, allow_none=True, metadata={"description": "for a transfer"}),
    "from_worker": fields.String(required=True, allow_none=True, metadata={"description": "for a reassignment"}),
    "reason": fields.String(required=True, allow_none=True, validate=validate.OneOf(DECLINE_REASONS),
                            metadata={"description": "for a decline; null once erased"}),
})


# A consent as version 2 of its fact says it: the categories (a consent given in
# version 1 only reads as the categories its scope covered) and whether history is shared.
_consent_v2 = answer_fields(CATALOGUE[event_type("intake", "consent-given", 2)], omit=["client_id"])


class ConsentPeriodInFile(AnswerSchema):
    """A consent in force from when it was given until it was withdrawn (null: in force)."""

    given = fields.AwareDateTime(required=True)
    given_by = _who("who recorded it")
    categories = _consent_v2["categories"]
    share_history = _consent_v2["share_history"]
    withdrawn = _instant("when it was withdrawn; null while in force")
    withdrawn_by = _who("who recorded the withdrawal")


ConsentInFile = _record("ConsentInFile", "A consent to share with a recipient for a purpose, and its periods.", {
    **_consent_v2,
    "in_force": fields.Boolean(required=True),
    "periods": fields.List(fields.Nested(ConsentPeriodInFile), required=True),
})


class IntakeInFile(type("IntakeRecord", (AnswerSchema,), _nullable({
    **answer_fields(CATALOGUE[event_type("intake", "intake-accepted", 1)], omit=["client_id", "domains"]),
    "interpreter_needed": answer_fields(CATALOGUE[event_type("intake", "client-registered", 1)],
                                        only=["interpreter_needed"])["interpreter_needed"],
}))):
    """The intake as its facts left it: null before the fact that says it."""

    status = fields.String(required=True, allow_none=True, validate=validate.OneOf(INTAKE_STATUSES))
    registered = _instant("when the client was registered")
    erased = fields.List(fields.String(), required=True, metadata={
        "description": "the fields above whose content was erased with the client's data (null here)"})
    help_requests = fields.List(fields.Nested(HelpRequestInFile), required=True)
    decisions = fields.List(fields.Nested(DecisionInFile), required=True)
    consents = fields.List(fields.Nested(ConsentInFile), required=True)


PlanVersionInFile = _record("PlanVersionInFile", "A version of the plan: the goals' domains, how often, how long.", {
    "version": fields.Integer(required=True, strict=True, validate=validate.Range(min=1)),
    "change": fields.String(required=True, validate=validate.OneOf(("agreed", "reviewed"))),
    **_published("guidance", "plan-agreed"),
})
INTERVENTION_CORRECTIONS = ("amended", "retracted")  # services/audit/replay.py
APPOINTMENT_CORRECTIONS = ("rescheduled", "cancelled")
InterventionCorrectionInFile = _record(
    "InterventionCorrectionInFile", "An amendment or a retraction of the intervention; why stays with guidance.", {
        "correction": fields.String(required=True, validate=validate.OneOf(INTERVENTION_CORRECTIONS)),
        "changed": fields.List(fields.String(), required=True, allow_none=True, metadata={
            "description": "the fields an amendment changed (the item shows their corrected values); "
                           "null for a retraction"}),
        "recorded_again_as": fields.UUID(required=True, allow_none=True, metadata={
            "description": "retracted as recorded on the wrong client: the intervention it was recorded again as"}),
    })
InterventionInFile = _record("InterventionInFile", "An intervention, as corrected; its note stays with guidance.", {
    **_published("guidance", "intervention-recorded"),
    "corrections": fields.List(fields.Nested(InterventionCorrectionInFile), required=True, metadata={
        "description": "each amendment and the retraction, in order; the original is its intervention-recorded fact"}),
    "retracted": _instant("when it was retracted as recorded in error; null: it stands"),
})
PsychologistRecommendationInFile = _record(
    "PsychologistRecommendationInFile", "A psychologist recommended; why stays with guidance.",
    {**FACT_ID, **_published("guidance", "psychologist-recommended")})
ConditionSupportInFile = _record("ConditionSupportInFile", "Support given with a condition, on a day.",
                                 _published("guidance", "condition-supported", "trajectory_id", "agency",
                                            "condition_id"))
ConditionInFile = _record("ConditionInFile", "A condition or prohibition: its kind, period and authority.", {
    **_published("guidance", "condition-recorded"),
    "supports": fields.List(fields.Nested(ConditionSupportInFile), required=True),
    "ending_announced": _instant("when the platform announced its period's end; null: not yet"),
})
AppointmentCorrectionInFile = _record(
    "AppointmentCorrectionInFile", "The appointment rescheduled or cancelled; why stays with guidance.", {
        "correction": fields.String(required=True, validate=validate.OneOf(APPOINTMENT_CORRECTIONS)),
        "at": _published("guidance", "appointment-rescheduled")["at"],
    })
GoalOutcomesInFile = _record("GoalOutcomesInFile", "How far the plan's goals were reached, at a review or closing.",
                             {**FACT_ID, **_published("guidance", "goal-outcomes-recorded")})
AppointmentInFile = _record("AppointmentInFile", "An appointment with a judicial or social actor, and its outcome.", {
    **_published("guidance", "appointment-planned"),
    "corrections": fields.List(fields.Nested(AppointmentCorrectionInFile), required=True, metadata={
        "description": "each rescheduling (to its new time, which ``at`` shows) and the cancellation, in order"}),
    "cancelled": _instant("when it was cancelled; null: it was not"),
    "outcome": _published("guidance", "appointment-outcome-recorded")["outcome"],
    "outcome_recorded": _instant("when the outcome was recorded; null: not yet"),
    "outcome_by": _who("who recorded the outcome"),
})
NetworkContactInFile = _record("NetworkContactInFile", "A contact with a member of the network; what was said "
                               "stays with guidance.",
                               _published("guidance", "network-contact-recorded", "agency", "member_id"))
ReturnHomeInFile = _record("ReturnHomeInFile", "A return home prepared with a member of the network for a leave.",
                           _published("guidance", "return-home-prepared", "agency", "member_id"))
NetworkMemberInFile = _record("NetworkMemberInFile", "Someone around the client, by relation (never by name).", {
    **_published("guidance", "network-member-added"),
    "contacts": fields.List(fields.Nested(NetworkContactInFile), required=True),
    "returns_home": fields.List(fields.Nested(ReturnHomeInFile), required=True),
})
ProcedureStepInFile = _record("ProcedureStepInFile", "A dated step of a procedure; its words stay with guidance.",
                              _published("guidance", "procedure-step-recorded", "trajectory_id", "agency",
                                         "procedure_id"))
ProcedureEndInFile = _record("ProcedureEndInFile", "How a procedure ended, and on which day.",
                             _published("guidance", "procedure-ended", "trajectory_id", "agency", "procedure_id"))
ProcedureInFile = _record("ProcedureInFile", "A procedure the person started, its steps and its end.", {
    **_published("guidance", "procedure-started", started="on"),
    "steps": fields.List(fields.Nested(ProcedureStepInFile), required=True),
    "ended": fields.Nested(ProcedureEndInFile, required=True, allow_none=True,
                           metadata={"description": "null while under way"}),
})
ContinuityGapInFile = _record("ContinuityGapInFile", "No contact within the plan's intensity (the platform noticed).",
                              {**FACT_ID, **_published("guidance", "continuity-gap")})
AttendanceCertificateInFile = _record("AttendanceCertificateInFile", "An attendance certificate issued.",
                                      _published("guidance", "attendance-certificate-issued"))
ClosingInFile = _record("ClosingInFile", "A trajectory closed, and reopened if it was; the summary stays with "
                        "guidance.", {
    **FACT_ID, **_published("guidance", "trajectory-closed"),
    "reopened": _instant("when it was reopened; null: still closed"),
    "reopened_by": _who("who reopened it"),
})


class TrajectoryInFile(AnswerSchema):
    """The client's trajectory (the last one opened: a transfer closes one and opens
    another) and every item of the client's guidance, each naming its trajectory
    where its fact does."""

    trajectory_id = fields.UUID(required=True, allow_none=True)
    status = fields.String(required=True, allow_none=True, validate=validate.OneOf(TRAJECTORY_STATUSES))
    agency = fields.String(required=True, allow_none=True)
    worker = fields.String(required=True, allow_none=True)
    opened = _instant("when it was opened")
    plan_history = fields.List(fields.Nested(PlanVersionInFile), required=True, metadata={
        "description": "the plan as agreed, then as each review left it; the last is the plan in force"})
    goal_outcomes = fields.List(fields.Nested(GoalOutcomesInFile), required=True)
    interventions = fields.List(fields.Nested(InterventionInFile), required=True)
    psychologist_recommendations = fields.List(fields.Nested(PsychologistRecommendationInFile), required=True)
    conditions = fields.List(fields.Nested(ConditionInFile), required=True)
    appointments = fields.List(fields.Nested(AppointmentInFile), required=True)
    network = fields.List(fields.Nested(NetworkMemberInFile), required=True)
    procedures = fields.List(fields.Nested(ProcedureInFile), required=True)
    continuity_gaps = fields.List(fields.Nested(ContinuityGapInFile), required=True)
    attendance_certificates = fields.List(fields.Nested(AttendanceCertificateInFile), required=True)
    closings = fields.List(fields.Nested(ClosingInFile), required=True)


ReferralStepInFile = _record("ReferralStepInFile", "A step of a referral; why it ended stays with referrals.",
                             _published("referrals", "referral-step-recorded", "referral_id", "agency", "partner"))
ReferralStallInFile = _record("ReferralStallInFile", "The platform noticed the referral stuck in a state.",
                              _published("referrals", "referral-stalled", "referral_id", "agency", "partner"))
ReferralCorrectionInFile = _record(
    "ReferralCorrectionInFile", "The agency cancelled, withdrew or reopened the referral; why stays with referrals.", {
        "correction": fields.String(required=True, validate=validate.OneOf(CORRECTIONS)),
        "from_state": fields.String(required=True, validate=validate.OneOf(STATES), metadata={
            "description": "the state the correction found the referral in"}),
        "state": fields.String(required=True, validate=validate.OneOf(STATES), metadata={
            "description": "the state it left the referral in"}),
    })
ReferralInFile = _record("ReferralInFile", "A referral to a partner, with its steps up to the instant.", {
    **_published("referrals", "referral-proposed"),
    "state": fields.String(required=True, validate=validate.OneOf(STATES)),
    "outcome": fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES),
                             metadata={"description": "how the help worked, once completed; null once erased"}),
    "steps": fields.List(fields.Nested(ReferralStepInFile), required=True),
    "stalls": fields.List(fields.Nested(ReferralStallInFile), required=True),
    "corrections": fields.List(fields.Nested(ReferralCorrectionInFile), required=True),
    "consent_withdrawn": _instant("when the client's withdrawn consent stopped it; null: it did not"),
})
CaseConferenceInFile = _record("CaseConferenceInFile", "A case conference: when, and when its actions fall due; "
                               "who sat at the table and what they decided stay with referrals.",
                               _published("referrals", "case-conference-held"))
CoordinationActorInFile = _record("CoordinationActorInFile", "Someone helping in the coordination, by role.",
                                  _published("referrals", "coordination-actor-added"))
CoordinatingAgencyInFile = _record(
    "CoordinatingAgencyInFile", "Another agency in the coordination plan under the client's consent, until it "
    "left; what it does there stays with referrals.", {
        **FACT_ID, **_published("referrals", "coordinating-agency-joined"),
        "left": _instant("when it left the plan; null: in it"),
        "left_by": _who("who removed it; null: in it, or it left because the consent was withdrawn"),
        "why_left": fields.String(required=True, allow_none=True, validate=validate.OneOf(LEFT_BECAUSE),
                                  metadata={"description": "removed, or consent_withdrawn; null: in it"}),
    })
NotificationInFile = _record("NotificationInFile", "Who was told which kind of thing, never the message.", {
    **_published("notifications", "notification-issued"),
    # Version 2 carries the kinds added since version 1 (the agenda's reminders), in no promised list.
    "kind": fields.String(required=True, allow_none=True, metadata={
        "description": "which kind of message; null once erased"}),
    "status": fields.String(required=True, validate=validate.OneOf(NOTIFICATION_STATUSES)),
    "delivered": _instant("when the e-mail server accepted it; null: not (yet)"),
    "dead_lettered": _instant("when every attempt had failed; null: not"),
})
ErasureRequestInFile = _record("ErasureRequestInFile", "A request to erase the client's data, and its decision "
                               "(a request asked again after a refusal keeps the erasure's id).", {
    **FACT_ID, **_published("intake", "erasure-requested"),
    "decision": fields.String(required=True, allow_none=True, validate=validate.OneOf(("approved", "refused")),
                              metadata={"description": "null: not decided yet"}),
    "decided": _instant("when it was decided"),
    "decided_by": _who("who decided"),
})
LegalHoldInFile = _record("LegalHoldInFile", "A legal hold (GDPR art. 17(3)), until it was lifted.", {
    **FACT_ID, **_published("intake", "legal-hold-placed"),
    "lifted": _instant("when it was lifted; null: in force"),
    "lifted_by": _who("who lifted it"),
})
ErasureCarriedOutInFile = _record("ErasureCarriedOutInFile", "A service destroyed the client's data keys.", {
    **FACT_ID, "service": fields.String(required=True), **_published("referrals", "erasure-carried-out"),
})
FactErasedInFile = _record("FactErasedInFile", "A fact that reached audit only after its content was erased: its "
                           "type, and nothing of what it said.", {
    **FACT_ID, "service": fields.String(required=True),
    "type": fields.String(required=True, validate=EVENT_TYPE, metadata={"description": "the type it stands for"}),
})


class ErasureInFile(AnswerSchema):
    requests = fields.List(fields.Nested(ErasureRequestInFile), required=True)
    legal_holds = fields.List(fields.Nested(LegalHoldInFile), required=True)
    carried_out = fields.List(fields.Nested(ErasureCarriedOutInFile), required=True)


class AuditFile(AnswerSchema):
    """The client's file at an instant, item by item, from the published facts alone;
    each list in the order its items entered the file."""

    intake = fields.Nested(IntakeInFile, required=True)
    trajectory = fields.Nested(TrajectoryInFile, required=True)
    referrals = fields.List(fields.Nested(ReferralInFile), required=True)
    case_conferences = fields.List(fields.Nested(CaseConferenceInFile), required=True)
    coordination_actors = fields.List(fields.Nested(CoordinationActorInFile), required=True)
    coordinating_agencies = fields.List(fields.Nested(CoordinatingAgencyInFile), required=True)
    notifications = fields.List(fields.Nested(NotificationInFile), required=True)
    erasure = fields.Nested(ErasureInFile, required=True)
    facts_erased = fields.List(fields.Nested(FactErasedInFile), required=True)


class FileReplay(AnswerSchema):
    client_id = fields.UUID(required=True)
    erased = fields.Nested(Erasure, required=True, allow_none=True)
    at = fields.AwareDateTime(required=True)
    facts = count(required=True, metadata={"description": "how many facts the file was rebuilt from"})
    file = fields.Nested(AuditFile, required=True)


# The parts of the file a change names: its records, then its lists of items
# (services/audit/replay.py RECORDS and ITEMS; a test keeps them equal).
FILE_RECORDS = ("intake", "trajectory")
FILE_ITEMS = (
    "intake.help_requests", "intake.decisions", "intake.consents", "trajectory.plan_history", "trajectory.goal_outcomes",
    "trajectory.interventions", "trajectory.psychologist_recommendations", "trajectory.conditions",
    "trajectory.appointments", "trajectory.network", "trajectory.procedures", "trajectory.continuity_gaps",
    "trajectory.attendance_certificates", "trajectory.closings", "referrals", "case_conferences",
    "coordination_actors", "coordinating_agencies", "notifications", "erasure.requests", "erasure.legal_holds", "erasure.carried_out",
    "facts_erased",
)
CHANGES = ("added", "changed", "removed")


class ValueChange(AnswerSchema):
    """A field's value at each end; null where it had none (or the item was not there)."""

    before = fields.Raw(required=True, allow_none=True)
    after = fields.Raw(required=True, allow_none=True)


class ItemChange(AnswerSchema):
    """One item of the file added, changed or removed between the two instants (or a
    record's own fields changed), with every field whose value differs."""

    item = fields.String(required=True, validate=validate.OneOf(FILE_RECORDS + FILE_ITEMS), metadata={
        "description": "where in the file: a list of items (trajectory.interventions) or a record (intake)"})
    id = fields.String(required=True, allow_none=True, metadata={
        "description": "the item's id in its list (its own id, the fact's event_id, or a plan's version); "
                       "null for a record"})
    change = fields.String(required=True, validate=validate.OneOf(CHANGES))
    fields_ = fields.Dict(keys=fields.String(), values=fields.Nested(ValueChange), required=True,
                          data_key="fields", attribute="fields")


class FileChanges(AnswerSchema):
    client_id = fields.UUID(required=True)
    erased = fields.Nested(Erasure, required=True, allow_none=True)
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)
    file_at_since = fields.Nested(AuditFile, required=True)
    file_at_until = fields.Nested(AuditFile, required=True)
    changes = fields.List(fields.Nested(ItemChange), required=True)
    facts = fields.List(fields.Nested(TimelineEntry), required=True)


class CheckpointTakenAt(AnswerSchema):
    """Audit's last checkpoint when the export was made (shared/checkpoints.py)."""

    number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    position = count(required=True)
    digest = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class AuditExport(FileChanges):
    format = fields.String(required=True, validate=validate.Equal(EXPORT_FORMAT))
    exported_at = fields.AwareDateTime(required=True)
    exported_by = fields.Nested(ActorSchema, required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(READ_PURPOSES))
    purpose_detail = fields.String(required=True)
    access_log = fields.List(fields.Nested(AccessLogEntry), required=True)
    checkpoint = fields.Nested(CheckpointTakenAt, required=True, allow_none=True)
    signature = fields.String(required=True, metadata={
        "description": "detached JWS (Ed25519, audit's key) over the export without it, as RFC 8785 JSON"})


class AuditReport(AnswerSchema):
    """The export as plain text a person reads."""

    report = fields.String(required=True)
