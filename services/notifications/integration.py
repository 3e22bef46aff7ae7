"""What notifications publishes: that someone was told something about a client,
and whether the e-mail reached them; never the subject or the body."""
from __future__ import annotations

from shared.contracts import event_type
from shared.outbox import Publication

from services.notifications.domain import Notification


class Publications(dict):
    """Domain event class -> its translation. What a notification is about and to
    whom is fixed at its creation, so it is looked up once per notification."""

    def __init__(self, repository):
        self.repository = repository
        self._fixed: dict = {}
        super().__init__({
            Notification.Created: self._issued,
            Notification.Delivered: lambda e: self._about("notification-delivered", e, at=e.at.isoformat()),
            Notification.DeadLettered: lambda e: self._about("notification-dead-lettered", e),
        })

    def _facts(self, notification_id) -> dict:
        if notification_id not in self._fixed:
            n: Notification = self.repository.get(notification_id)
            self._fixed[notification_id] = self._fix(n.id, n.client_id, n.kind, n.recipient, n.channel)
        return self._fixed[notification_id]

    @staticmethod
    def _fix(notification_id, client_id, kind, recipient, channel) -> dict:
        return {"notification_id": str(notification_id), "client_id": str(client_id) if client_id else None,
                "kind": kind, "recipient": recipient, "channel": channel}

    def _about(self, fact: str, e, **data) -> Publication:
        fixed = self._facts(e.originator_id)
        return Publication(type=event_type("notifications", fact, 1), subject=fixed["client_id"] or f"notification/{fixed['notification_id']}",
                           data={**fixed, **data})

    def _issued(self, e: Notification.Created) -> Publication:
        self._fixed[e.originator_id] = self._fix(e.originator_id, e.client_id, e.kind, e.recipient, e.channel)
        return self._about("notification-issued", e, caused_by=e.fact_id, language=e.language,
                           due=e.due.isoformat())
