"""Contracts of the notifications service: its queries and commands."""
from marshmallow import fields

from shared.contracts.base import ActorOnly, ActorSchema, CommandSchema


Inbox = ActorOnly


class MarkRead(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    notification_id = fields.UUID(required=True)
