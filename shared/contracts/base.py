"""Bases for versioned marshmallow schemas and the catalogue of integration events."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.contracts.declare import Fact, declared, published_version
from shared.errors import InvalidInput

PREFIX = "be.jww"
# A service publishes on two streams (shared.messaging): what it did, which any
# follower may read, and who read a client's file, which only audit reads.
EVENTS, ACCESS = "events", "access"
STREAMS = (EVENTS, ACCESS)


class CommandSchema(Schema):
    """A command or query payload. Unknown fields are refused, not ignored: a typo
    in a field name must not silently drop what the caller meant to record."""

    class Meta:
        unknown = RAISE


class EventSchema(Schema):
    """The ``data`` of one version of one integration event."""

    class Meta:
        unknown = RAISE

    service: str = ""
    fact: str = ""
    version: int = 0
    stream: str = EVENTS


CATALOGUE: dict[str, type[EventSchema]] = {}


def event_type(service: str, fact: str, version: int) -> str:
    return f"{PREFIX}.{service}.{fact}.v{version}"


def integration_event(service: str, fact: str, version: int, stream: str = EVENTS):
    """Register a schema as the data contract of ``be.jww.<service>.<fact>.v<version>``,
    published on ``stream``."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}")

    def register(schema: type[EventSchema]) -> type[EventSchema]:
        name = event_type(service, fact, version)
        if name in CATALOGUE:
            raise ValueError(f"{name} is registered twice")
        schema.service, schema.fact, schema.version, schema.stream = service, fact, version, stream
        CATALOGUE[name] = schema
        return schema

    return register


def published_event(service: str, fact: str, version: int, declaration: type, base: type = None) -> type:
    """Register version ``version`` of ``declaration``'s integration event (its
    published fields by then: shared.contracts.declare.published_version)."""
    return integration_event(service, fact, version)(published_version(declaration, version, base or EventSchema))


def validate_command(schema: type[Schema], payload: Any) -> dict:
    """Load a command payload, or refuse it naming every field that is wrong."""
    if not isinstance(payload, dict):
        raise InvalidInput("the command payload must be an object", {"_schema": ["not an object"]})
    try:
        return schema().load(payload)
    except ValidationError as error:
        raise InvalidInput("the command has invalid fields", _flatten(error.messages)) from None


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages as ``{"a.b": [reasons]}``."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        flat.update(_flatten(value, path))
    return flat


# A partner user works for an organisation of referrals' partner directory (an addiction
# service, debt mediation...), not for an agency: they answer the referrals addressed to it.
# A funder (a community or the region) reads anonymous figures across agencies
# (services/statistics/) and no client's file.
ROLES = ("social_assistant", "criminologist", "jurist", "coordinator", "auditor", "admin", "data_protection_officer",
         "partner", "funder")


class ActorSchema(Schema):
    """Who issues a command: every command carries it, and each service checks it."""

    class Meta:
        unknown = RAISE

    # A staff member, not a client: kept with the directory, never a client's personal data.
    user_id = declared(fields.String(required=True, validate=validate.Length(min=1, max=64)), category=None,
                       retention="directory")
    role = declared(fields.String(required=True, validate=validate.OneOf(ROLES)), category=None,
                    retention="directory")
    # The agency the staff member works for; for a partner user (role "partner"), the code
    # of their organisation in referrals' partner directory.
    agency = declared(fields.String(required=True, validate=validate.Length(min=1, max=64)), category=None,
                      retention="directory")


class SubjectAccess(CommandSchema):
    """Everything a service holds about a client, for the client (GDPR art. 15)."""

    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)


class ApplyRetention(CommandSchema):
    """List what a service's retention policy makes due (``dry_run``, the default), or
    erase it (storage limitation, GDPR art. 5(1)(e))."""

    actor = fields.Nested(ActorSchema, required=True)
    dry_run = fields.Boolean(load_default=True)


class WitnessedCheckpoint(CommandSchema):
    """Audit's last witnessed checkpoint of a service: its number and digest (shared.checkpoints)."""

    number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    digest = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class StartVerification(CommandSchema):
    """Verify a service's store (shared.verification), against audit's last witnessed
    checkpoint of it when given."""

    actor = fields.Nested(ActorSchema, required=True)
    witnessed_last = fields.Nested(WitnessedCheckpoint, load_default=None)


class GetVerification(CommandSchema):
    """How far a verification got, and its signed result once it finished."""

    actor = fields.Nested(ActorSchema, required=True)
    job_id = fields.UUID(required=True)


# The services whose checkpoints audit follows and keeps as a witness (not audit's own,
# nor sharing's: its events are the organisations' feeds, which audit does not read).
WITNESSED = ("intake", "guidance", "referrals", "notifications")


class LastWitnessed(CommandSchema):
    """Audit's last witnessed checkpoint of a service, to verify that service against."""

    actor = fields.Nested(ActorSchema, required=True)
    service = fields.String(required=True, validate=validate.OneOf(WITNESSED))


class ActorOnly(CommandSchema):
    """A query or command whose only input is who asks (an inbox, a check run by hand)."""

    actor = fields.Nested(ActorSchema, required=True)


# Why a client's file is read: a code, so that what crosses the bus says nothing
# about the person. Caseworkers reading a file they work on need not say
# (casework); anyone else names the reason, and may add a reference in
# ``purpose_detail`` ("court request 2026/17"), which stays in the reading service.
READ_PURPOSES = (
    "casework",  # the worker or coordinator of the file, doing their job
    "supervision",  # a coordinator or team lead reviewing a colleague's case
    "inspection",  # a planned audit or quality review
    "complaint",  # a complaint about how the file was handled
    "court_request",  # a court, prosecutor or sentencing court asked for it
    "subject_access",  # the client asked to see what is kept about them
    "data_protection",  # the data-protection officer checks a processing
    "incident",  # a suspected breach or misuse is being looked into
)


class Purpose(fields.String):
    """Why a client's file is read (a code of ``READ_PURPOSES``), recorded with the
    read (shared.access_log); ``casework`` unless the caller must say."""

    def __init__(self, **kwargs):
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", "casework")
        super().__init__(validate=validate.OneOf(READ_PURPOSES), **kwargs)


class PurposeDetail(fields.String):
    """What the reader adds to the purpose: a reference, a file number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("load_default", "")
        super().__init__(validate=validate.Length(max=300), **kwargs)


class FileRead(Fact):
    """One read of a client's file: whose file, who read it, why, through which
    query; never what was shown. Every service records one before it answers
    (shared.access_log) and audit records its own; the access log keeps them as long
    as an auditor may ask. Published on each service's access stream, which only
    audit reads (shared.messaging)."""

    client_id = declared(fields.UUID(required=True), category=None, retention="access_log")
    # Who read is published in the envelope (actor, role, agency), not in the data.
    reader = declared(fields.String(required=True), category=None, published=False, given=False,
                      retention="access_log")
    role = declared(fields.String(required=True, validate=validate.OneOf(ROLES)), category=None, published=False,
                    given=False, retention="access_log")
    agency = declared(fields.String(required=True), category=None, published=False, given=False,
                      retention="access_log")
    purpose = declared(Purpose(required=True), category=None, retention="access_log")
    # Written by the reader, so it may name the person or the case: personal, erased
    # with the client, and never published; the rest of the read stays.
    purpose_detail = declared(PurposeDetail(), category="trajectory_summary", personal=True, published=False,
                              retention="access_log")
    query = declared(fields.String(required=True), category=None, given=False, retention="access_log")


class CommandOutcome(Fact):
    """What a command answered its caller, kept with its effect under the caller's
    idempotency key (shared.outcomes): a retry gets it back. Never published; the
    answer may name the client's details, so it is sealed and erased with them."""

    key = declared(fields.UUID(required=True), category=None, published=False)
    rpc = declared(fields.String(required=True), category=None, published=False)
    fingerprint = declared(fields.String(required=True), category=None, published=False)
    answer = declared(fields.String(allow_none=True), category="trajectory_summary", personal=True,
                      published=False)
    kept = declared(fields.Boolean(required=True), category=None, published=False)
    client_id = declared(fields.UUID(allow_none=True), category=None, published=False)
    at = declared(fields.String(required=True), category=None, published=False)


# The data of a ``client-file-read`` event, which every service publishes the same.
# Version 1 carried the purpose as the reader's free text; it is retired
# (shared.contracts.catalogue.RETIRED).
FILE_READ_VERSION = 2
FileReadData = published_version(FileRead, FILE_READ_VERSION, EventSchema)

# A name the platform gave, never text someone wrote: an RPC's, a rule's.
CODE = validate.Regexp(r"^[a-z][a-z0-9_]*$")


class AccessRefused(Fact):
    """One refused attempt to read or change a client's file: whose file, who tried,
    through which RPC, and which rule refused it (the access check's "role" or
    "agency", or the record's own rule: "four_eyes", "no_transfer_consent"...), as
    codes; never the message the caller was told nor what they sent. Recorded by the
    service that refused (shared.access_log), published beside the reads on its
    access stream, and kept as long as the reads."""

    client_id = declared(fields.UUID(required=True), category=None, retention="access_log")
    # Who tried is published in the envelope (actor, role, agency), as for a read.
    actor = declared(fields.String(required=True), category=None, published=False, given=False,
                     retention="access_log")
    role = declared(fields.String(required=True, validate=validate.OneOf(ROLES)), category=None, published=False,
                    given=False, retention="access_log")
    agency = declared(fields.String(required=True), category=None, published=False, given=False,
                      retention="access_log")
    what = declared(fields.String(required=True, validate=CODE), category=None, given=False, retention="access_log")
    rule = declared(fields.String(required=True, validate=CODE), category=None, given=False, retention="access_log")


# The data of a ``client-access-refused`` event, which every service that records reads publishes the same.
ACCESS_REFUSED_VERSION = 1
AccessRefusedData = published_version(AccessRefused, ACCESS_REFUSED_VERSION, EventSchema)


class ErasedFact(Fact):
    """What a service publishes at the position of one of its facts whose personal
    fields were erased with the client's data keys (GDPR art. 17), when its log is
    read afterwards (a follower catching up, a pull): the follower sees no gap,
    learns that the fact was about this client, and nothing more."""

    client_id = declared(fields.UUID(required=True), category=None)
    erased_type = declared(fields.String(required=True), category=None)  # the type it stands for


ErasedFactData = published_version(ErasedFact, 1, EventSchema)
ERASED_FACT = "fact-erased"
for _service in ("intake", "guidance", "referrals", "notifications"):  # the services that publish facts
    integration_event(_service, ERASED_FACT, 1)(type("FactErased", (ErasedFactData,), {}))


# -- answers --------------------------------------------------------------------------

class AnswerSchema(Schema):
    """What an RPC answers on success, as the caller receives it (JSON). Unknown
    fields are refused, so the API document promises exactly what is sent and a
    field added to an answer without its schema fails the tests."""

    class Meta:
        unknown = RAISE


def count(**kwargs) -> fields.Integer:
    """A whole number of things: never negative."""
    return fields.Integer(strict=True, validate=validate.Range(min=0), **kwargs)


class DueForErasure(AnswerSchema):
    client_id = fields.UUID(required=True)
    rule = fields.String(required=True)
    due_since = fields.AwareDateTime(required=True)


class RetentionApplied(AnswerSchema):
    """What the retention policy makes due; erased unless this was a dry run."""

    due = fields.List(fields.Nested(DueForErasure), required=True)
    dry_run = fields.Boolean(required=True)


class TimeChecked(AnswerSchema):
    """A periodic check run by hand: how many facts it raised."""

    raised = count(required=True)


# -- verifying a store (shared.verification) ------------------------------------------

class WitnessedAt(AnswerSchema):
    """Which of audit's witnessed checkpoints: its number and digest."""

    number = fields.Integer(required=True, strict=True)
    digest = fields.String(required=True)


class WitnessedAnswer(WitnessedAt):
    """Audit's last witnessed checkpoint of a service, and the log position it covers."""

    position = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class VerificationJob(AnswerSchema):
    job_id = fields.UUID(required=True)


class VerificationResult(AnswerSchema):
    """What a service found verifying its store, signed by it (shared.verification)."""

    service = fields.String(required=True)
    job_id = fields.UUID(required=True)
    up_to = fields.Integer(required=True, strict=True, metadata={"description": "the log position verified up to"})
    records = fields.Integer(required=True, strict=True)
    holds = fields.Boolean(required=True)
    problems = fields.List(fields.String(), required=True)
    witnessed = fields.Nested(WitnessedAt, required=True, allow_none=True)
    requested_by = fields.String(required=True)
    finished_at = fields.AwareDateTime(required=True)
    signature = fields.String(required=True, metadata={
        "description": "detached JWS (Ed25519, the service's key) over the result without it, as RFC 8785 JSON"})


class VerificationStatus(AnswerSchema):
    job_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("running", "finished")))
    up_to = fields.Integer(required=True, strict=True)
    read = fields.Integer(required=True, strict=True, allow_none=True,
                          metadata={"description": "records read so far (null: running in another process)"})
    result = fields.Nested(VerificationResult, required=True, allow_none=True)
