"""Contracts of the audit service: its queries. Every read states its purpose."""
from marshmallow import fields, validate

from shared.contracts.base import ActorSchema, CommandSchema


class AuditQuery(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)
    purpose = fields.String(required=True, validate=validate.Length(min=3, max=300))


class Timeline(AuditQuery):
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class Replay(AuditQuery):
    at = fields.AwareDateTime(required=True)
