"""The notifications service's use cases, in simple types: delivering what is due,
and each person's inbox.

Which facts tell whom what is ``policies``; the rules of one notification (when
to try again, who may mark it read) are the aggregate's own (``domain``).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable
from uuid import UUID

from shared.errors import Forbidden, NotFound
from shared.store import ServiceApplication

from services.notifications.domain import DEAD, INBOX, WITHDRAWN, Backoff, ClientOnRecord, Notification
from services.notifications.integration import PUBLICATIONS, SEALED
from services.notifications.policies import Policies
from services.notifications.projections import NotificationIndex

log = logging.getLogger(__name__)

Mailer = Callable[[str, str, str, str], None]  # (address, subject, body, message id); raises when it fails


class NotificationsApplication(ServiceApplication):
    service_name = "notifications"
    publications = PUBLICATIONS
    sealed = SEALED  # notifications shows no client's file, so records no file reads

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.index = NotificationIndex(self)
        # Deployment settings (see deploy/notifications/service.toml); e-mail is off
        # until an SMTP server is configured and a mailer given.
        self.mailer: Mailer | None = None
        self.email_address = "{user_id}@{agency}.example.org"
        self.interpreter_desk = "interpreters@{agency}.example.org"
        self.max_attempts = 5
        self.retry_seconds = 30.0
        self.waitlist_threshold = 5

    @property
    def channels(self) -> tuple[str, ...]:
        return (INBOX, "email") if self.mailer else (INBOX,)

    def policies(self):
        return Policies(self).by_type()

    # -- delivery -------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Send the e-mails that are due; a failed one is tried again later, and
        after its last attempt goes to the dead letters ops can see; one whose text
        was erased meanwhile is withdrawn, not sent. Returns how many were delivered."""
        if self.mailer is None:
            return 0
        backoff = Backoff(self.max_attempts, dt.timedelta(seconds=self.retry_seconds))
        delivered = 0
        for notification_id in self.index.due(self.clock()):
            notification: Notification = self.repository.get(notification_id)
            if not notification.pending:  # the index can lag behind the store
                continue
            if notification.erased:  # the client's keys were shredded before it went out
                notification.withdraw(self.clock())
                self.save(notification)
                continue
            try:
                self.mailer(notification.address, notification.subject, notification.body, str(notification.id))
            except Exception as error:  # the server refused or is away: try again later
                notification.record_failure(type(error).__name__, self.clock(), backoff)
                if notification.status == DEAD:
                    log.warning("notification dead-lettered", extra={"notification": str(notification.id)})
            else:
                notification.record_delivery(self.clock())
                delivered += 1
            self.save(notification)
        return delivered

    # -- the inbox and the dead letters -----------------------------------------------

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    def inbox(self, actor: dict) -> list[dict]:
        """The actor's messages, newest first; what an erased one said is None."""
        now = self.clock()
        items = [self.repository.get(i) for i in self.index.inbox(actor["user_id"])]
        return [
            {"notification_id": str(n.id), "kind": n.kind, "subject": n.subject, "body": n.body,
             "language": n.language, "at": n.due.isoformat(), "read": n.read}
            for n in sorted(items, key=lambda n: (n.due, n.created_on), reverse=True)
            if n.due <= now and n.status != WITHDRAWN
        ]

    def mark_read(self, actor: dict, notification_id: UUID) -> None:
        notification = self.find(notification_id)
        if not isinstance(notification, Notification):
            raise NotFound("no such message", {"notification_id": ["not found"]})
        notification.mark_read(actor["user_id"], self.clock())
        if notification.pending_events:  # read before: nothing to store
            self.save(notification)

    def dead_letters(self, actor: dict) -> list[dict]:
        if actor["role"] != "admin":
            raise Forbidden("only an admin (ops) reads the dead letters")
        return [
            {"notification_id": str(n.id), "kind": n.kind, "recipient": n.recipient, "channel": n.channel,
             "attempts": n.attempts, "status": n.status}
            for n in (self.repository.get(i) for i in self.index.dead_letters())
        ]
