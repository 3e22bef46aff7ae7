"""Contracts of the notifications service: its queries and commands."""
from marshmallow import fields

from shared.contracts.base import ActorSchema, CommandSchema


class Inbox(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)


class MarkRead(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    notification_id = fields.UUID(required=True)
