"""What the notifications service answers: a person's inbox, the dead letters ops
read, and the acknowledgement of a message read. What an answer shows of a
notification is its declaration (shared/contracts/notifications.py); what it said
about its client is null once the client's keys are shredded (erased)."""
from marshmallow import fields, validate

from shared.contracts import notifications as facts
from shared.contracts.base import AnswerSchema, count
from shared.contracts.declare import answer_fields, personal_fields

DEAD_LETTERED = "dead-lettered"  # services/notifications/domain.py; a test keeps them equal


class InboxEntry(type("InboxMessage", (AnswerSchema,), answer_fields(
        facts.Notification, only=["notification_id", "kind", "subject", "body", "language"],
        withheld=personal_fields(facts.Notification)))):
    at = fields.AwareDateTime(required=True)  # when it was due, so shown
    read = fields.Boolean(required=True)


class MessageRead(AnswerSchema):
    notification_id = fields.UUID(required=True)
    read = fields.Boolean(required=True, validate=validate.Equal(True))


class DeadLetter(type("DeadNotice", (AnswerSchema,), answer_fields(
        facts.Notice, omit=["client_id", "agency"], withheld=personal_fields(facts.Notice)))):
    """A message no attempt delivered: to whom, how, and how often it was tried;
    never its text, nor whom it was about."""

    attempts = count(required=True)
    status = fields.String(required=True, validate=validate.Equal(DEAD_LETTERED))
