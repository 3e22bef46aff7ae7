"""What the audit service answers: a client's timeline and access log (reads and
refused attempts), the file replayed at an instant, what changed between two
instants, and the export.

A timeline entry's ``data`` is the integration event's data as it was published:
its shape is that event type's contract (the AsyncAPI catalogue), so here it is
an object of any fields.
"""
from marshmallow import fields, validate

from shared.contracts.base import CODE, PREFIX, READ_PURPOSES, ActorSchema, AnswerSchema, FileRead, count
from shared.contracts.declare import answer_fields
from shared.contracts.guidance_vocabulary import METHODS
from shared.contracts.guidance_answers import TRAJECTORY_STATUSES
from shared.contracts.intake import LANGUAGE, LEGAL_POSITIONS
from shared.contracts.intake_answers import INTAKE_STATUSES
from shared.contracts import notifications
from shared.contracts.referrals import OUTCOMES
from shared.contracts.referrals_answers import STATES

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


# -- the file as the facts make it (services/audit/replay.py) --------------------------
# What the facts said about the client is null once the client's data is erased.

class IntakeInFile(AnswerSchema):
    status = fields.String(required=True, allow_none=True, validate=validate.OneOf(INTAKE_STATUSES))
    agency = fields.String(required=True, allow_none=True)
    worker = fields.String(required=True, allow_none=True)
    languages = fields.List(fields.String(validate=LANGUAGE), required=True, allow_none=True)
    legal_position = fields.String(required=True, allow_none=True, validate=validate.OneOf(LEGAL_POSITIONS))
    help_requests = count(required=True)
    consents = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)  # "recipient/purpose"


class TrajectoryInFile(AnswerSchema):
    status = fields.String(required=True, allow_none=True, validate=validate.OneOf(TRAJECTORY_STATUSES))
    agency = fields.String(required=True, allow_none=True)
    worker = fields.String(required=True, allow_none=True)
    interventions = count(required=True)
    by_method = fields.Dict(keys=fields.String(validate=validate.OneOf(METHODS)), values=count(), required=True)
    psychologist_recommended = fields.Boolean(required=True)
    attendance_certificates = count(required=True)
    continuity_gaps = count(required=True)


class ReferralInFile(AnswerSchema):
    partner = fields.String(required=True, allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    outcome = fields.String(required=True, allow_none=True, validate=validate.OneOf(OUTCOMES))


class NotificationInFile(type("NotificationShown", (AnswerSchema,),
                              answer_fields(notifications.Notification, only=["kind", "recipient", "channel", "due"]))):
    status = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_STATUSES))


class AuditFile(AnswerSchema):
    intake = fields.Nested(IntakeInFile, required=True)
    trajectory = fields.Nested(TrajectoryInFile, required=True)
    referrals = fields.Dict(keys=fields.UUID(), values=fields.Nested(ReferralInFile), required=True)
    case_conferences = count(required=True)
    notifications = fields.Dict(keys=fields.UUID(), values=fields.Nested(NotificationInFile), required=True)


class FileReplay(AnswerSchema):
    client_id = fields.UUID(required=True)
    erased = fields.Nested(Erasure, required=True, allow_none=True)
    at = fields.AwareDateTime(required=True)
    facts = count(required=True)
    file = fields.Nested(AuditFile, required=True)


class FieldChange(AnswerSchema):
    """A field of the file, by its dotted path, and its value at each end (null
    where it had none)."""

    field = fields.String(required=True)
    before = fields.Raw(required=True, allow_none=True)
    after = fields.Raw(required=True, allow_none=True)


class FileChanges(AnswerSchema):
    client_id = fields.UUID(required=True)
    erased = fields.Nested(Erasure, required=True, allow_none=True)
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)
    file_at_since = fields.Nested(AuditFile, required=True)
    file_at_until = fields.Nested(AuditFile, required=True)
    changes = fields.List(fields.Nested(FieldChange), required=True)
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
