"""Contracts of the notifications service: the facts it records, declared once, the
commands and queries, and what it publishes (who was told which kind of thing,
never the message).

What a notification says about its client (``personal``: its kind, subject and body)
is stored sealed under the client's data keys (services/notifications/integration.py,
``SEALED``); a notice about a whole agency names no client and is not sealed."""
from functools import partial

from marshmallow import fields, validate

from shared.contracts.base import ActorOnly, ActorSchema, CommandSchema, EventSchema, integration_event, published_event
from shared.contracts.declare import Fact, Unpromised, command_fields, declared, published_version
from shared.contracts.intake import ErasureCarriedOut

Inbox = ActorOnly

# The kinds version 1 of each notification event promised (an enum in published.json).
KINDS = ("new_assignment", "referral_answered", "referral_stalled", "appointment_tomorrow", "interpreter_request",
         "condition_ending", "continuity_gap", "waitlist_growing")
# Kinds added since (issue 20: the agenda's reminders, and the interpreter desk told
# that a booking is no longer needed; add new ones here). Version 2
# promises no list, so that it can grow; a notification of a kind version 1 knows is
# published as version 1, any other as version 2 (services/notifications/integration.py).
AGENDA_KINDS = ("document_expiring", "plan_review_due", "conference_action_due", "interpreter_called_off")
ALL_KINDS = KINDS + AGENDA_KINDS
CHANNELS = ("inbox", "email")

# No caller gives a notification: the service writes it from another service's fact.
written = partial(declared, given=False)


class Notice(Fact):
    """Whom a notification tells which kind of thing about which client. Every event
    of a notification repeats it, so publishing one reads nothing else."""

    identity = "notification_id"
    notification_id = written(fields.UUID(required=True), category=None)
    # None for a notice about a whole waitlist.
    client_id = written(fields.UUID(required=True, allow_none=True), category=None)
    agency = written(fields.String(required=True), category=None, published=False)
    # Which kind of message, not what it says; yet beside the client it tells that they
    # have judicial conditions ending or need an interpreter.
    kind = written(fields.String(required=True, validate=Unpromised(validate.OneOf(ALL_KINDS))),
                   category="trajectory_summary", personal=True)
    # A staff member (or the interpreter desk), kept as long as the case file says who was told.
    recipient = written(fields.String(required=True), category=None)
    channel = written(fields.String(required=True, validate=validate.OneOf(CHANNELS)), category=None)


class Notification(Notice):
    """One message to one recipient through one channel, in the recipient's language."""

    # The id of the integration event it tells about; of a call-off, the request it calls off.
    caused_by = written(fields.String(required=True), category=None)
    address = written(fields.String(required=True), category=None, published=False, retention="directory")
    language = written(fields.String(required=True), category=None)  # the recipient's, not the client's
    # Text the platform wrote about the client's case (a reference, an appointment, a
    # condition ending, an interpreter's language): never published, kept briefly.
    subject = written(fields.String(required=True), category="trajectory_summary", personal=True, published=False,
                      retention="case_notes")
    body = written(fields.String(required=True), category="trajectory_summary", personal=True, published=False,
                   retention="case_notes")
    due = written(fields.AwareDateTime(required=True), category=None)


class Delivery(Notice):
    """An e-mail the server accepted."""

    at = written(fields.AwareDateTime(required=True), category=None)


class DeadLetter(Notice):
    """Every attempt failed; ops see why in the dead letters."""

    # The kind of the last failure, never the server's text.
    reason = written(fields.String(required=True), category=None, published=False)


class Withdrawal(Fact):
    """A message whose text was erased (its client's keys shredded) before it went
    out, or a reminder of an appointment rescheduled or cancelled before its time
    came (issue 20): it is never sent."""

    identity = "notification_id"
    notification_id = written(fields.UUID(required=True), category=None, published=False)
    at = written(fields.AwareDateTime(required=True), category=None, published=False)


class Reading(Fact):
    """A recipient read a message in their inbox."""

    identity = "notification_id"
    notification_id = declared(fields.UUID(required=True), category=None, published=False)
    at = written(fields.AwareDateTime(required=True), category=None, published=False)


class MarkRead(type("ReadingGiven", (CommandSchema,), command_fields(Reading))):
    actor = fields.Nested(ActorSchema, required=True)


def _version_1(fact: str, declaration: type) -> type:
    """Version 1 as it was published: its kind one of ``KINDS``."""
    kind = written(fields.String(required=True, validate=validate.OneOf(KINDS)), category="trajectory_summary",
                   personal=True)
    derived = published_version(declaration, 1, EventSchema)
    return integration_event("notifications", fact, 1)(type(derived.__name__, (derived,), {
        "kind": kind, "__doc__": declaration.__doc__, "__module__": __name__}))


NotificationIssuedV1 = _version_1("notification-issued", Notification)
NotificationDeliveredV1 = _version_1("notification-delivered", Delivery)
NotificationDeadLetteredV1 = _version_1("notification-dead-lettered", DeadLetter)
NotificationIssuedV2 = published_event("notifications", "notification-issued", 2, Notification)
NotificationDeliveredV2 = published_event("notifications", "notification-delivered", 2, Delivery)
NotificationDeadLetteredV2 = published_event("notifications", "notification-dead-lettered", 2, DeadLetter)
# Where a client's erasure was carried out (its notifications' kind, subject and body).
ErasureCarriedOutV1 = published_event("notifications", "erasure-carried-out", 1, ErasureCarriedOut)
