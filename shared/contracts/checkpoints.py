"""Each service's checkpoints, published on its events stream so that audit keeps an
independent copy (shared/checkpoints.py, services/audit/witness.py). A checkpoint is
about a log, never about a client: it names streams by id and heads by hash."""
from marshmallow import fields, validate

from shared.contracts.base import EventSchema, integration_event
from shared.contracts.declare import declared

# The services whose relays take checkpoints: every one with a store.
SERVICES = ("intake", "guidance", "referrals", "notifications", "audit")
HEX = validate.Regexp(r"^[0-9a-f]{64}$")


class CheckpointTaken(EventSchema):
    """A checkpoint as the relay signed it (shared.checkpoints: FORMAT and fields).
    Nothing in it is about a person: each field is declared so (no category)."""

    format = declared(fields.String(required=True), category=None)
    service = declared(fields.String(required=True, validate=validate.OneOf(SERVICES)), category=None)
    number = declared(fields.Integer(required=True, strict=True, validate=validate.Range(min=1)), category=None)
    position = declared(fields.Integer(required=True, strict=True, validate=validate.Range(min=0)), category=None)
    at = declared(fields.String(required=True), category=None)
    streams = declared(fields.Integer(required=True, strict=True, validate=validate.Range(min=0)), category=None)
    root = declared(fields.String(required=True, validate=HEX), category=None)
    # stream id -> [version, chain]: the heads that changed since the previous checkpoint
    changed = declared(fields.Dict(keys=fields.String(), values=fields.List(fields.Raw()), required=True),
                       category=None)
    # the digest of the records since the previous checkpoint
    log = declared(fields.String(required=True, validate=HEX), category=None)
    previous = declared(fields.String(required=True), category=None)
    signature = declared(fields.String(required=True), category=None)


SCHEMAS = {service: integration_event(service, "checkpoint-taken", 1)(
    type(f"{service.capitalize()}CheckpointTaken", (CheckpointTaken,), {})) for service in SERVICES}
# A service added since names only itself: the version 1 above promised its list.
SCHEMAS["sharing"] = integration_event("sharing", "checkpoint-taken", 1)(type("SharingCheckpointTaken", (CheckpointTaken,), {
    "service": declared(fields.String(required=True, validate=validate.Equal("sharing")), category=None)}))
SCHEMAS["accounts"] = integration_event("accounts", "checkpoint-taken", 1)(type("AccountsCheckpointTaken", (CheckpointTaken,), {
    "service": declared(fields.String(required=True, validate=validate.Equal("accounts")), category=None)}))
SCHEMAS["statistics"] = integration_event("statistics", "checkpoint-taken", 1)(type("StatisticsCheckpointTaken", (
    CheckpointTaken,), {"service": declared(fields.String(required=True, validate=validate.Equal("statistics")),
                                            category=None)}))
