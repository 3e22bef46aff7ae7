"""Who is told what: the rules that turn other services' facts into messages to
the right people (how each is told is ``addressing``).

Reminders are notifications due later: they are stored when the fact arrives, so
they survive restarts, and one that fell due while the service was down goes out
when it comes back.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.utils import get_topic

from shared.contracts import event_type

from services.notifications.addressing import Addressing
from services.notifications.domain import ClientOnRecord, Notification, Team, Waitlist
from services.notifications.messages import Message

if TYPE_CHECKING:
    from services.notifications.application import NotificationsApplication

Policy = Callable[[dict, ProcessingEvent], None]


def _day(value) -> dt.date:
    """A published day, as the follower hands it over (a date, or its ISO text)."""
    return dt.date.fromisoformat(str(value))


def _ref(client_id) -> str:
    """How a message names a client: enough for the worker to find the file, no name."""
    return str(client_id)[:8]


def _interpreter_desk(agency: str) -> str:
    """The recipient an interpreter request goes to: the agency's desk, not a person."""
    return f"interpreter-desk:{agency}"


class Policies:
    """The reactions to upstream facts; each collects its new events in the
    processing event, so they are stored with the upstream position."""

    def __init__(self, app: NotificationsApplication):
        self.app = app
        self.addressing = Addressing(app)

    def by_type(self) -> dict[str, Policy]:
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
            guidance("appointment-rescheduled"): self.on_appointment_rescheduled,
            guidance("appointment-cancelled"): self.on_appointment_cancelled,
            guidance("condition-period-ending"): self.on_condition_ending,
            guidance("continuity-gap"): self.on_continuity_gap,
            # The worker's agenda (issue 20): each reminded once (``Addressing.add``).
            guidance("document-expiring"): self.on_document_expiring,
            guidance("plan-review-due"): self.on_plan_review_due,
            referrals("case-conference-action-due"): self.on_conference_action_due,
        }

    # -- what notifications keeps of the clients and the staff ------------------------

    def note_client(self, event: dict, processing: ProcessingEvent) -> None:
        processing.collect_events(ClientOnRecord(client_id=event["data"]["client_id"], agency=event["data"]["agency"]))

    def note_staff_member(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        team = self.app.find(Team.create_id(data["agency"]), processing) or Team(agency=data["agency"])
        team.note_member(data["user_id"], data["profile"], data["languages"])
        processing.collect_events(team)

    def note_staff_active(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        team = self.app.find(Team.create_id(data["agency"]), processing)
        if team is not None:
            team.set_active(data["user_id"], data["active"])
            processing.collect_events(team)

    # -- who is told what -----------------------------------------------------------

    def on_assignment(self, event: dict, processing: ProcessingEvent) -> None:
        """New assignment -> the worker (accepted, reassigned, or transferred to a worker)."""
        data = event["data"]
        client = self.app.find(data["client_id"], processing)
        if client is None:
            return
        client.assign_worker(data["agency"], data["worker"])
        processing.collect_events(client)
        self._leave_waitlists(processing, data["client_id"], except_agency=None if data["worker"] else data["agency"])
        if data["worker"]:
            self.addressing.tell(processing, event, "new_assignment", [data["worker"]], lambda m: (
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
        self.addressing.tell(processing, event, "referral_answered", self._worker_of(processing, data["client_id"]),
                             lambda m: (m.t("Referral answered"), m.t(
                                 "The referral of client {client} to {partner} was answered: {answer}.",
                                 client=_ref(data["client_id"]), partner=data["partner"], answer=m.t(data["step"]))))

    def on_referral_stalled(self, event: dict, processing: ProcessingEvent) -> None:
        """Referral stalled -> the caseworker."""
        data = event["data"]
        self.addressing.tell(processing, event, "referral_stalled", self._worker_of(processing, data["client_id"]),
                             lambda m: (m.t("Referral without news"), m.t(
                                 "The referral of client {client} to {partner} has been {state} since {since} "
                                 "without news.", client=_ref(data["client_id"]), partner=data["partner"],
                                 state=m.t(data["state"]), since=m.day(data["since"].date()))))

    def on_appointment_planned(self, event: dict, processing: ProcessingEvent) -> None:
        """Appointment tomorrow -> the caseworker, the day before; an interpreter
        request -> the agency's interpreter desk, at once, by e-mail only."""
        self._remind_of_appointment(event, processing)

    def on_appointment_rescheduled(self, event: dict, processing: ProcessingEvent) -> None:
        """Appointment moved -> its reminder moves: the one for the old time is withdrawn
        (unless it went out already) and one for the new time is made, once; the
        interpreter desk is asked again for the new time."""
        self._withdraw_reminders(event, processing)
        if event["data"]["at"] is not None:  # None: erased before it reached us
            self._remind_of_appointment(event, processing)

    def on_appointment_cancelled(self, event: dict, processing: ProcessingEvent) -> None:
        """Appointment cancelled -> its reminder is withdrawn, unless it went out already;
        the interpreter desk, asked to book someone for it, is told that they are no
        longer needed."""
        self._withdraw_reminders(event, processing)

    def _withdraw_reminders(self, event: dict, processing: ProcessingEvent) -> None:
        """What was said about the appointment's old time is withdrawn where it has not
        gone out; an interpreter request that went out is called off by a message of its own."""
        data = event["data"]
        client = self.app.find(data["client_id"], processing)
        if client is None:
            return
        for notification_id in client.reminders_of(data["appointment_id"]):
            notification = self.app.find(UUID(notification_id), processing)
            if notification is None:
                continue
            if notification.call_off(self.app.clock()):
                processing.collect_events(notification)
            elif notification.kind == "interpreter_request":  # None once erased: nothing left to say
                self._call_off_interpreter(event, processing, notification)
        client.note_appointment_reminders(data["appointment_id"], [])
        processing.collect_events(client)

    def _call_off_interpreter(self, event: dict, processing: ProcessingEvent, request: Notification) -> None:
        """The desk booked someone from the request it was sent: the message quotes it,
        since the appointment's old time is no longer in the fact that moved it. It is
        caused by the request, so that it is made once, and a new request for the
        rescheduled time (caused by the fact, to the same desk) is not taken for it."""
        m = Message(request.language)
        if event["type"] == event_type("guidance", "appointment-cancelled", 1):
            why = m.t("The appointment below was cancelled: please cancel this booking.")
        else:
            why = m.t("The appointment below was moved to another time: please cancel this booking; a request "
                      "for the new time follows.")
        self.addressing.add(
            processing, caused_by=str(request.id), client_id=request.client_id, agency=request.agency,
            kind="interpreter_called_off", recipient=request.recipient, address=request.address,
            channel=request.channel, language=request.language, subject=m.t("Interpreter no longer needed"),
            body=f"{why}\n\n{request.body}", due=self.app.clock())

    def _note_reminders(self, event: dict, processing: ProcessingEvent, recipients: list[str]) -> None:
        """Keep which messages are about the appointment, to find them when it moves."""
        data = event["data"]
        client = self.app.find(data["client_id"], processing)
        if client is None:
            return
        made = [Notification.create_id(event["id"], recipient, channel)
                for recipient in recipients for channel in self.app.channels]
        if data["interpreter"]:
            made.append(Notification.create_id(event["id"], _interpreter_desk(data["agency"]), "email"))
        client.note_appointment_reminders(
            data["appointment_id"], [str(i) for i in made if self.app.find(i, processing) is not None])
        processing.collect_events(client)

    def _remind_of_appointment(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        interpreter = data["interpreter"]
        at = data["at"]

        def reminder(m: Message):
            line = (m.t("An interpreter ({language}) was requested.", language=interpreter["language"])
                    if interpreter else m.t("No interpreter is needed."))
            body = m.t("Client {client} has an appointment with {actor} on {at}.", client=_ref(data["client_id"]),
                       actor=m.actor(data["with_actor"]), at=m.when(at))
            return m.t("Appointment tomorrow"), f"{body} {line}"

        self.addressing.tell(processing, event, "appointment_tomorrow", [data["worker"]], reminder,
                             due=at - dt.timedelta(days=1))
        if interpreter and self.app.mailer:
            language = self.addressing.language_of(processing, data["agency"], data["worker"])
            m = Message(language)
            self.addressing.add(
                processing, caused_by=event["id"], client_id=data["client_id"], agency=data["agency"],
                kind="interpreter_request", recipient=_interpreter_desk(data["agency"]),
                address=self.app.interpreter_desk.format(agency=data["agency"]), channel="email", language=language,
                subject=m.t("Interpreter request"),
                body=m.t("Please book an interpreter ({language}) for an appointment of client {client} with "
                         "{actor} on {at}.", language=interpreter["language"], client=_ref(data["client_id"]),
                         actor=m.actor(data["with_actor"]), at=m.when(at)),
                due=self.app.clock())
        self._note_reminders(event, processing, [data["worker"]])

    def on_condition_ending(self, event: dict, processing: ProcessingEvent) -> None:
        """Condition period ending -> the caseworker."""
        data = event["data"]
        self.addressing.tell(processing, event, "condition_ending", [data["worker"]], lambda m: (
            m.t("Condition period ending"),
            m.t("A {kind} of client {client} ends on {ends}.", kind=m.t(data["kind"]), client=_ref(data["client_id"]),
                ends=m.day(dt.date.fromisoformat(str(data["ends"]))))))

    def on_document_expiring(self, event: dict, processing: ProcessingEvent) -> None:
        """Residence document expiring -> the caseworker."""
        data = event["data"]
        if data["expires"] is None:  # erased before it reached us
            return
        self.addressing.tell(processing, event, "document_expiring", [data["worker"]], lambda m: (
            m.t("Residence document expiring"),
            m.t("The residence document of client {client} expires on {expires}.", client=_ref(data["client_id"]),
                expires=m.day(_day(data["expires"])))))

    def on_plan_review_due(self, event: dict, processing: ProcessingEvent) -> None:
        """Plan review due -> the caseworker."""
        data = event["data"]
        self.addressing.tell(processing, event, "plan_review_due", [data["worker"]], lambda m: (
            m.t("Plan review due"),
            m.t("The plan of client {client} is due for review on {due}.", client=_ref(data["client_id"]),
                due=m.day(_day(data["due"])))))

    def on_conference_action_due(self, event: dict, processing: ProcessingEvent) -> None:
        """Case-conference action falling due -> the client's caseworker."""
        data = event["data"]
        self.addressing.tell(
            processing, event, "conference_action_due", self._worker_of(processing, data["client_id"]), lambda m: (
                m.t("Case-conference action due"),
                m.t("An action agreed at a case conference about client {client} falls due on {due}.",
                    client=_ref(data["client_id"]), due=m.day(_day(data["due"])))))

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

        self.addressing.tell(processing, event, "continuity_gap", recipients, message)

    # -- waitlists ------------------------------------------------------------------

    def _join_waitlist(self, processing: ProcessingEvent, event: dict, agency: str, client_id) -> None:
        """Waitlist growing -> the coordinator (when to tell is ``Waitlist.join``'s rule)."""
        waitlist = self.app.find(Waitlist.create_id(agency), processing) or Waitlist(agency=agency)
        size = waitlist.join(str(client_id), report_from=self.app.waitlist_threshold)
        if size is not None:
            self.addressing.tell(processing, event, "waitlist_growing", self._coordinators(processing, agency),
                                 lambda m: (m.t("Waitlist growing"), m.t(
                                     "{count} clients are waiting at {agency}.", count=size, agency=agency.upper())),
                                 about_client=False)
        processing.collect_events(waitlist)

    def _leave_waitlists(self, processing: ProcessingEvent, client_id, except_agency: str | None) -> None:
        for waitlist in self._waitlists(processing):
            if waitlist.agency != except_agency:
                waitlist.leave(str(client_id))
                processing.collect_events(waitlist)

    def _waitlists(self, processing: ProcessingEvent) -> list[Waitlist]:
        """Every agency's waitlist: those stored, and those that facts earlier in the
        same batch started, which are not stored yet."""
        started = get_topic(Waitlist.Started)
        stored = [n.originator_id for n in self.app.recorder.select_notifications(1, 10_000, topics=[started])]
        new = [a.id for a in processing.aggregates.values() if isinstance(a, Waitlist)]
        return [self.app.find(i, processing) for i in dict.fromkeys(stored + new)]

    # -- whom the facts name ------------------------------------------------------

    def _worker_of(self, processing: ProcessingEvent, client_id) -> list[str]:
        client = self.app.find(client_id, processing)
        return [client.worker] if client is not None and client.worker else []

    def _coordinators(self, processing: ProcessingEvent, agency: str) -> list[str]:
        team = self.app.find(Team.create_id(agency), processing)
        return team.coordinators() if team else []
