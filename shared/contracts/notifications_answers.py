"""What the notifications service answers: a person's inbox, the dead letters ops
read, and the acknowledgement of a message read."""
from marshmallow import fields, validate

from shared.contracts.base import AnswerSchema, count
from shared.contracts.notifications import CHANNELS, KINDS

DEAD_LETTERED = "dead-lettered"  # services/notifications/domain.py; a test keeps them equal


class InboxEntry(AnswerSchema):
    notification_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    subject = fields.String(required=True)
    body = fields.String(required=True)
    language = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    read = fields.Boolean(required=True)


class MessageRead(AnswerSchema):
    notification_id = fields.UUID(required=True)
    read = fields.Boolean(required=True, validate=validate.Equal(True))


class DeadLetter(AnswerSchema):
    """A message no attempt delivered: to whom, how, and how often it was tried;
    never its text."""

    notification_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    recipient = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    attempts = count(required=True)
    status = fields.String(required=True, validate=validate.Equal(DEAD_LETTERED))
