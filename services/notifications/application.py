"""The notifications service's rules, delivery and inbox, in simple types.

Rules turn other services' facts into messages to the right people, each in the
recipient's language, through the in-app inbox and (where configured) e-mail.
Reminders are notifications due later: they are stored when the fact arrives, so
they survive restarts, and one that fell due while the service was down goes out
when it comes back.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.utils import get_topic

from shared.contracts import event_type
from shared.errors import Forbidden, NotFound
from shared.store import ServiceApplication

from services.notifications.domain import PENDING, ClientOnRecord, Notification, Team, Waitlist
from services.notifications.integration import Publications
from services.notifications.messages import Message, language_for
from services.notifications.projections import NotificationIndex

log = logging.getLogger(__name__)

Mailer = Callable[[str, str, str, str], None]  # (address, subject, body, message id); raises when it fails


def _ref(client_id) -> str:
    """How a message names a client: enough for the worker to find the file, no name."""
    return str(client_id)[:8]


class NotificationsApplication(ServiceApplication):
    service_name = "notifications"

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.index = NotificationIndex(self)
        self.publications = Publications(self.repository)
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
        return ("inbox", "email") if self.mailer else ("inbox",)

    # -- the rules ------------------------------------------------------------------

    def policies(self):
        intake, guidance, referrals = (
            lambda fact: event_type("intake", fact, 1),
            lambda fact: event_type("guidance", fact, 1),
            lambda fact: event_type("referrals", fact, 1),
        )
        return {
            intake("client-registered"): self.note_client,
            intake("staff-member-added"): self.note_staff_member,
            intake("staff-member-active-changed"): self.note_staff_active,
            intake("intake-accepted"): self.on_assignment,
            intake("client-reassigned"): self.on_assignment,
            intake("client-transferred"): self.on_assignment,
            intake("intake-waitlisted"): self.on_waitlisted,
            intake("intake-declined"): self.on_declined,
            referrals("referral-step-recorded"): self.on_referral_step,
            referrals("referral-stalled"): self.on_referral_stalled,
            guidance("appointment-planned"): self.on_appointment_planned,
            guidance("condition-period-ending"): self.on_condition_ending,
            guidance("continuity-gap"): self.on_continuity_gap,
        }

    def note_client(self, event: dict, processing: ProcessingEvent) -> None:
        processing.collect_events(ClientOnRecord(client_id=event["data"]["client_id"], agency=event["data"]["agency"]))

    def note_staff_member(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        team = self._get(processing, Team.create_id(data["agency"])) or Team(agency=data["agency"])
        team.note_member(data["user_id"], data["profile"], data["languages"])
        processing.collect_events(team)

    def note_staff_active(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        team = self._get(processing, Team.create_id(data["agency"]))
        if team is not None and data["user_id"] in team.members:
            team.set_active(data["user_id"], data["active"])
            processing.collect_events(team)

    def on_assignment(self, event: dict, processing: ProcessingEvent) -> None:
        """New assignment -> the worker (accepted, reassigned, or transferred to a worker)."""
        data = event["data"]
        client = self._get(processing, data["client_id"])
        if client is None:
            return
        client.assign_worker(data["agency"], data["worker"])
        processing.collect_events(client)
        self._leave_waitlists(processing, data["client_id"], except_agency=None if data["worker"] else data["agency"])
        if data["worker"]:
            self._tell(processing, event, "new_assignment", [data["worker"]], lambda m: (
                m.t("New client assigned"),
                m.t("You now guide client {client} at {agency}.", client=_ref(data["client_id"]),
                    agency=data["agency"].upper())))
        else:
            self._join_waitlist(processing, event, data["agency"], data["client_id"])

    def on_waitlisted(self, event: dict, processing: ProcessingEvent) -> None:
        self._join_waitlist(processing, event, event["data"]["agency"], event["data"]["client_id"])

    def on_declined(self, event: dict, processing: ProcessingEvent) -> None:
        self._leave_waitlists(processing, event["data"]["client_id"], except_agency=None)

    def on_referral_step(self, event: dict, processing: ProcessingEvent) -> None:
        """Referral answered -> the caseworker."""
        data = event["data"]
        if not data["answered"]:
            return
        self._tell(processing, event, "referral_answered", self._worker_of(processing, data["client_id"]),
                     lambda m: (m.t("Referral answered"), m.t(
                         "The referral of client {client} to {partner} was answered: {answer}.",
                         client=_ref(data["client_id"]), partner=data["partner"], answer=m.t(data["step"]))))

    def on_referral_stalled(self, event: dict, processing: ProcessingEvent) -> None:
        """Referral stalled -> the caseworker."""
        data = event["data"]
        self._tell(processing, event, "referral_stalled", self._worker_of(processing, data["client_id"]),
                     lambda m: (m.t("Referral without news"), m.t(
                         "The referral of client {client} to {partner} has been {state} since {since} without news.",
                         client=_ref(data["client_id"]), partner=data["partner"], state=m.t(data["state"]),
                         since=m.day(data["since"].date()))))

    def on_appointment_planned(self, event: dict, processing: ProcessingEvent) -> None:
        """Appointment tomorrow -> the caseworker, the day before; an interpreter
        request -> the agency's interpreter desk, at once."""
        data = event["data"]
        interpreter = data["interpreter"]
        at = data["at"]

        def reminder(m: Message):
            line = (m.t("An interpreter ({language}) was requested.", language=interpreter["language"])
                    if interpreter else m.t("No interpreter is needed."))
            body = m.t("Client {client} has an appointment with {actor} on {at}.", client=_ref(data["client_id"]),
                       actor=m.actor(data["with_actor"]), at=m.when(at))
            return m.t("Appointment tomorrow"), f"{body} {line}"

        self._tell(processing, event, "appointment_tomorrow", [data["worker"]], reminder,
                     due=at - dt.timedelta(days=1))
        if interpreter and self.mailer:
            desk = f"interpreter-desk:{data['agency']}"
            language = self._language_of(processing, data["agency"], data["worker"])
            m = Message(language)
            self._add(processing, event["id"], data["client_id"], "interpreter_request", desk,
                      self.interpreter_desk.format(agency=data["agency"]), "email", language,
                      m.t("Interpreter request"),
                      m.t("Please book an interpreter ({language}) for an appointment of client {client} with "
                          "{actor} on {at}.", language=interpreter["language"], client=_ref(data["client_id"]),
                          actor=m.actor(data["with_actor"]), at=m.when(at)),
                      self.clock())

    def on_condition_ending(self, event: dict, processing: ProcessingEvent) -> None:
        """Condition period ending -> the caseworker."""
        data = event["data"]
        self._tell(processing, event, "condition_ending", [data["worker"]], lambda m: (
            m.t("Condition period ending"),
            m.t("A {kind} of client {client} ends on {ends}.", kind=m.t(data["kind"]), client=_ref(data["client_id"]),
                ends=m.day(dt.date.fromisoformat(str(data["ends"]))))))

    def on_continuity_gap(self, event: dict, processing: ProcessingEvent) -> None:
        """Continuity gap -> the caseworker and the team coordinator."""
        data = event["data"]
        recipients = [data["worker"], *self._coordinators(processing, data["agency"])]

        def message(m: Message):
            client, due = _ref(data["client_id"]), m.day(data["due"].date())
            if data["last_contact"]:
                body = m.t("No contact with client {client} since {last}; a contact was due on {due}.",
                           client=client, last=m.day(data["last_contact"].date()), due=due)
            else:
                body = m.t("No contact with client {client} yet; a contact was due on {due}.", client=client, due=due)
            return m.t("Continuity of help"), body

        self._tell(processing, event, "continuity_gap", recipients, message)

    # -- waitlists ------------------------------------------------------------------

    def _join_waitlist(self, processing: ProcessingEvent, event: dict, agency: str, client_id) -> None:
        """Waitlist growing -> the coordinator, each time it reaches a new size at or
        above the threshold."""
        waitlist = self._get(processing, Waitlist.create_id(agency)) or Waitlist(agency=agency)
        if str(client_id) in waitlist.waiting:
            return
        waitlist.join(str(client_id))
        size = len(waitlist.waiting)
        if size >= self.waitlist_threshold and size > waitlist.reported:
            waitlist.report_growth(size)
            self._tell(processing, event, "waitlist_growing", self._coordinators(processing, agency), lambda m: (
                m.t("Waitlist growing"), m.t("{count} clients are waiting at {agency}.", count=size,
                                             agency=agency.upper())), about_client=False)
        processing.collect_events(waitlist)

    def _leave_waitlists(self, processing: ProcessingEvent, client_id, except_agency: str | None) -> None:
        started = get_topic(Waitlist.Started)
        for notification in self.recorder.select_notifications(1, 10_000, topics=[started]):
            waitlist = self._get(processing, notification.originator_id)
            if waitlist.agency != except_agency and str(client_id) in waitlist.waiting:
                waitlist.leave(str(client_id))
                processing.collect_events(waitlist)

    # -- making notifications -------------------------------------------------------

    def _tell(
        self, processing, event: dict, kind: str, recipients: list[str], render, due=None, about_client: bool = True,
    ) -> None:
        """Tell staff of the event's agency, each in their language, through every channel."""
        client_id = event["data"]["client_id"] if about_client else None
        agency = event["data"].get("agency") or event.get("jwwagency")
        team = self._get(processing, Team.create_id(agency))
        for recipient in dict.fromkeys(r for r in recipients if r):
            member = team.members.get(recipient) if team else None
            if member is not None and not member["active"]:
                continue
            language = language_for(member["languages"]) if member else "en"
            subject, body = render(Message(language))
            for channel in self.channels:
                address = recipient if channel == "inbox" else self.email_address.format(user_id=recipient, agency=agency)
                self._add(processing, event["id"], client_id, kind, recipient, address,
                          channel, language, subject, body, due or self.clock())

    def _add(
        self, processing, fact_id, client_id, kind, recipient, address, channel, language, subject, body, due,
    ) -> None:
        notification_id = Notification.create_id(fact_id, recipient, channel)
        if self._get(processing, notification_id) is not None:
            return  # the same fact told this person through this channel already
        processing.collect_events(Notification(
            fact_id=fact_id, client_id=client_id, kind=kind, recipient=recipient, address=address, channel=channel,
            language=language, subject=subject, body=body, due=due,
        ))

    def _get(self, processing: ProcessingEvent | None, aggregate_id):
        try:
            return self.aggregate_in(processing, aggregate_id) if processing else self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _worker_of(self, processing, client_id) -> list[str]:
        client = self._get(processing, client_id)
        return [client.worker] if client is not None and client.worker else []

    def _language_of(self, processing, agency: str, user_id: str) -> str:
        team = self._get(processing, Team.create_id(agency))
        member = team.members.get(user_id) if team else None
        return language_for(member["languages"]) if member else "en"

    def _coordinators(self, processing, agency: str) -> list[str]:
        team = self._get(processing, Team.create_id(agency))
        return team.coordinators() if team else []

    # -- delivery -------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Send the e-mails that are due, retrying with backoff; after the last
        attempt a notification goes to the dead letters ops can see. Returns how
        many were delivered."""
        if self.mailer is None:
            return 0
        delivered = 0
        for notification_id in self.index.due(self.clock()):
            notification: Notification = self.repository.get(notification_id)
            if notification.status != PENDING:
                continue
            try:
                self.mailer(notification.address, notification.subject, notification.body, str(notification.id))
            except Exception as error:  # the server refused or is away: retry later
                attempts = notification.attempts + 1
                if attempts >= self.max_attempts:
                    notification.attempt_failed(type(error).__name__, None)
                    notification.dead_letter(f"{attempts} attempts failed, last: {type(error).__name__}")
                    log.warning("notification dead-lettered", extra={"notification": str(notification.id)})
                else:
                    retry_at = self.clock() + dt.timedelta(seconds=self.retry_seconds * 2 ** (attempts - 1))
                    notification.attempt_failed(type(error).__name__, retry_at)
            else:
                notification.delivered(self.clock())
                delivered += 1
            self.save(notification)
        return delivered

    # -- queries --------------------------------------------------------------------

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    def inbox(self, actor: dict) -> list[dict]:
        now = self.clock()
        items = [self.repository.get(i) for i in self.index.inbox(actor["user_id"])]
        return [
            {"notification_id": str(n.id), "kind": n.kind, "subject": n.subject, "body": n.body,
             "language": n.language, "at": n.due.isoformat(), "read": n.read}
            for n in sorted(items, key=lambda n: (n.due, n.created_on), reverse=True) if n.due <= now
        ]

    def mark_read(self, actor: dict, notification_id: UUID) -> None:
        notification = self._get(None, notification_id)
        if not isinstance(notification, Notification) or notification.channel != "inbox":
            raise NotFound("no such message", {"notification_id": ["not found"]})
        if notification.recipient != actor["user_id"]:
            raise Forbidden("this message is addressed to someone else")
        if not notification.read:
            notification.mark_read(self.clock())
            self.save(notification)

    def dead_letters(self, actor: dict) -> list[dict]:
        if actor["role"] != "admin":
            raise Forbidden("only an admin (ops) reads the dead letters")
        return [
            {"notification_id": str(n.id), "kind": n.kind, "recipient": n.recipient, "channel": n.channel,
             "attempts": n.attempts, "status": n.status}
            for n in (self.repository.get(i) for i in self.index.dead_letters())
        ]
