"""The notifications service over RPC: validate, call, serialise; and the delivery
loop."""

from nameko.timer import timer

from shared.contracts import notifications as contracts
from shared.rpc import command, rpc
from shared.service import EventStore, ServiceBase

from services.notifications.application import NotificationsApplication
from services.notifications.mail import SmtpMailer


def configure(app: NotificationsApplication, settings) -> None:
    options = settings.options
    if options.get("smtp_host"):
        app.mailer = SmtpMailer(options["smtp_host"], options["smtp_port"], options["sender"])
    app.email_address = options["email_address"]
    app.interpreter_desk = options["interpreter_desk"]
    app.max_attempts = options["max_attempts"]
    app.retry_seconds = options["retry_seconds"]
    app.waitlist_threshold = options["waitlist_threshold"]


class NotificationsService(ServiceBase):
    name = "notifications"
    app = EventStore(NotificationsApplication, on_start=configure)

    @timer(interval=1)
    def deliver(self) -> None:
        self.app.deliver_due()

    @rpc
    @command(contracts.Inbox)
    def inbox(self, data: dict) -> list:
        return self.app.inbox(**data)

    @rpc
    @command(contracts.MarkRead)
    def mark_read(self, data: dict) -> dict:
        self.app.mark_read(**data)
        return {"notification_id": str(data["notification_id"]), "read": True}

    @rpc
    @command(contracts.Inbox)
    def dead_letters(self, data: dict) -> list:
        return self.app.dead_letters(**data)
