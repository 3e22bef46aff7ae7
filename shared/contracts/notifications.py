"""Contracts of the notifications service: its queries and commands, and what it
publishes (who was told which kind of thing, never the message)."""
from marshmallow import fields, validate

from shared.contracts.base import ActorOnly, ActorSchema, CommandSchema, EventSchema, integration_event


Inbox = ActorOnly


class MarkRead(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    notification_id = fields.UUID(required=True)


KINDS = ("new_assignment", "referral_answered", "referral_stalled", "appointment_tomorrow", "interpreter_request",
         "condition_ending", "continuity_gap", "waitlist_growing")
CHANNELS = ("inbox", "email")


class NotificationEvent(EventSchema):
    """Who was told what kind of thing about which client, never the message itself."""

    notification_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True, allow_none=True)  # none for a notice about a whole waitlist
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    recipient = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))


@integration_event("notifications", "notification-issued", 1)
class NotificationIssuedV1(NotificationEvent):
    caused_by = fields.String(required=True)  # the id of the integration event it tells about
    language = fields.String(required=True)
    due = fields.AwareDateTime(required=True)


@integration_event("notifications", "notification-delivered", 1)
class NotificationDeliveredV1(NotificationEvent):
    at = fields.AwareDateTime(required=True)


@integration_event("notifications", "notification-dead-lettered", 1)
class NotificationDeadLetteredV1(NotificationEvent):
    """Every attempt failed; ops see why in the dead letters."""
