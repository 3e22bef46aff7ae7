"""What notifications publishes: that someone was told something about a client,
and whether the e-mail reached them; never the subject or the body.

Each translation reads the domain event alone: the events a notification
publishes repeat whom and what it is about (``domain.Notification``)."""
from __future__ import annotations

from shared.contracts import event_type
from shared.outbox import Publication

from services.notifications.domain import Notification


def _about(fact: str, e, **data) -> Publication:
    client_id = str(e.client_id) if e.client_id else None
    return Publication(
        type=event_type("notifications", fact, 1),
        subject=client_id or f"notification/{e.originator_id}",
        data={"notification_id": str(e.originator_id), "client_id": client_id, "kind": e.kind,
              "recipient": e.recipient, "channel": e.channel, **data},
    )


def issued(e: Notification.Created) -> Publication:
    return _about("notification-issued", e, caused_by=e.fact_id, language=e.language, due=e.due.isoformat())


def delivered(e: Notification.Delivered) -> Publication:
    return _about("notification-delivered", e, at=e.at.isoformat())


def dead_lettered(e: Notification.DeadLettered) -> Publication:
    return _about("notification-dead-lettered", e)


PUBLICATIONS = {
    Notification.Created: issued,
    Notification.Delivered: delivered,
    Notification.DeadLettered: dead_lettered,
}
