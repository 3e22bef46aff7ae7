"""Read models of notifications (see shared/readmodel.py)."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.utils import get_topic

from shared.readmodel import LogTail

from services.notifications.domain import Notification


class NotificationIndex(LogTail):
    """E-mails waiting to go out, each recipient's inbox, and the dead letters. It
    reads no personal field, so a client's shredded keys change nothing here."""

    TOPICS = tuple(get_topic(cls) for cls in (
        Notification.Created, Notification.AttemptFailed, Notification.Delivered, Notification.DeadLettered,
        Notification.Withdrawn,
    ))

    def __init__(self, app):
        super().__init__(app)
        self.outgoing: dict[UUID, object] = {}  # e-mail notification -> when to try next
        self.inboxes: dict[str, list[UUID]] = {}
        self.dead: list[UUID] = []

    def apply(self, event) -> None:
        if isinstance(event, Notification.Created):
            if event.channel == "inbox":
                self.inboxes.setdefault(event.recipient, []).append(event.originator_id)
            else:
                self.outgoing[event.originator_id] = event.due
        elif isinstance(event, Notification.AttemptFailed):
            self.outgoing[event.originator_id] = event.retry_at
        else:  # delivered, dead-lettered or withdrawn: nothing more to send
            self.outgoing.pop(event.originator_id, None)
            if isinstance(event, Notification.DeadLettered):
                self.dead.append(event.originator_id)

    def due(self, now) -> list[UUID]:
        self.refresh()
        return sorted((i for i, at in self.outgoing.items() if at is not None and at <= now),
                      key=lambda i: self.outgoing[i])

    def inbox(self, user_id: str) -> list[UUID]:
        self.refresh()
        return list(self.inboxes.get(user_id, ()))

    def dead_letters(self) -> list[UUID]:
        self.refresh()
        return list(self.dead)
