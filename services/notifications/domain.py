"""The notifications service's aggregates: who is told what, through which channel,
and whether it reached them.

A notification exists once per (fact, recipient, channel): its id derives from
those three, so a fact delivered twice, or a restart in the middle, cannot make a
second one. Messages carry what the recipient needs and never a confidential note.

The team, waitlist and client records follow other services' facts: a fact that
changes nothing (a client already waiting, a member never heard of) is absorbed,
not refused, since a follower cannot send it back.

What a notification says about its client (its kind, subject and body) is stored
sealed under the client's data keys; once those are shredded it loads as None, and
a message erased before it went out is withdrawn rather than sent.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import NotNow, NotPermitted, ServiceAggregate, Unknown

_NAMESPACE = uuid.UUID("3f6c1e8a-7b2d-4e9f-a1c5-0d8e2b7f4a93")
PENDING, DELIVERED, DEAD, WITHDRAWN = "pending", "delivered", "dead-lettered", "withdrawn"
INBOX = "inbox"


class NoSuchMessage(Unknown):
    """Only an inbox message can be read in the inbox."""


class AddressedToSomeoneElse(NotPermitted):
    """A message is marked read by its recipient only."""


class NotPending(NotNow):
    """A delivered or dead-lettered notification is not tried again."""


class ClientOnRecord(ServiceAggregate):
    """Which agency follows a client intake registered, and which worker guides
    them now. Its id is the client's UUID."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, agency: str):
        self.agency = agency
        self.worker: str | None = None
        self.reminders: dict[str, list[str]] = {}  # appointment -> the notifications reminding of it

    @event("WorkerAssigned")
    def assign_worker(self, agency: str, worker: str | None):
        self.agency, self.worker = agency, worker

    @event("AppointmentRemindersNoted")
    def note_appointment_reminders(self, appointment_id: str, notifications: list[str]):
        """The messages that remind of an appointment now (none: withdrawn), so that
        its rescheduling or cancellation finds them (issue 20)."""
        self.reminders = {**getattr(self, "reminders", {}), appointment_id: list(notifications)}

    def reminders_of(self, appointment_id: str) -> list[str]:
        return list(getattr(self, "reminders", {}).get(appointment_id, ()))


class Team(ServiceAggregate):
    """The staff of one agency that notifications may address: profile, languages
    (messages go in the first one there are messages in) and whether active."""

    @staticmethod
    def create_id(agency: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"team:{agency}")

    @event("Started")
    def __init__(self, agency: str):
        self.agency = agency
        self.members: dict[str, dict] = {}

    @event("MemberNoted")
    def note_member(self, user_id: str, profile: str, languages: list[str]):
        self.members[user_id] = {"profile": profile, "languages": list(languages), "active": True}

    def set_active(self, user_id: str, active: bool) -> None:
        if user_id in self.members:  # of a member never noted there is nothing to change
            self._active_changed(user_id=user_id, active=active)

    @event("MemberActiveChanged")
    def _active_changed(self, user_id: str, active: bool):
        self.members[user_id]["active"] = active

    def coordinators(self) -> list[str]:
        return [u for u, m in self.members.items() if m["profile"] == "coordinator" and m["active"]]


class Waitlist(ServiceAggregate):
    """How many clients wait at one agency, so the coordinator hears when it grows."""

    @staticmethod
    def create_id(agency: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"waitlist:{agency}")

    @event("Started")
    def __init__(self, agency: str):
        self.agency = agency
        self.waiting: list[str] = []
        self.reported = 0  # the size last reported to the coordinator

    def join(self, client_id: str, report_from: int) -> int | None:
        """Put a client on the list. Returns the new size when the coordinator is
        to hear of it: each time the list reaches a size at or above
        ``report_from`` that it has not reached before."""
        if client_id in self.waiting:
            return None
        self._joined(client_id=client_id)
        size = len(self.waiting)
        if size < report_from or size <= self.reported:
            return None
        self._growth_reported(size=size)
        return size

    def leave(self, client_id: str) -> None:
        if client_id in self.waiting:
            self._left(client_id=client_id)

    @event("Joined")
    def _joined(self, client_id: str):
        self.waiting.append(client_id)

    @event("Left")
    def _left(self, client_id: str):
        self.waiting.remove(client_id)

    @event("GrowthReported")
    def _growth_reported(self, size: int):
        self.reported = size


@dataclasses.dataclass(frozen=True)
class Backoff:
    """How many times an e-mail is tried, waiting twice as long after each failure."""

    attempts: int
    first_wait: dt.timedelta

    def retry_at(self, failed: int, now: dt.datetime) -> dt.datetime | None:
        """When to try again after ``failed`` attempts failed; None once all are used."""
        if failed >= self.attempts:
            return None
        return now + self.first_wait * 2 ** (failed - 1)


class Notification(ServiceAggregate):
    """One message to one recipient through one channel. Its fields are declared
    once, in ``shared.contracts.notifications.Notification``; its published events
    repeat whom and what it is about (``Notice``), so publishing one reads nothing else."""

    @staticmethod
    def create_id(caused_by: str, recipient: str, channel: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"notification:{caused_by}:{recipient}:{channel}")

    class Created(ServiceAggregate.Created):
        caused_by: str
        client_id: UUID | None  # none for a notice about a whole agency
        agency: str
        kind: str
        recipient: str
        address: str
        channel: str
        language: str
        subject: str
        body: str
        due: dt.datetime

    @event(Created)
    def __init__(
        self, caused_by: str, client_id: UUID | None, agency: str, kind: str, recipient: str, address: str,
        channel: str, language: str, subject: str, body: str, due: dt.datetime,
    ):
        self.caused_by, self.client_id, self.agency, self.kind = caused_by, client_id, agency, kind
        self.recipient, self.address = recipient, address
        self.channel, self.language, self.subject, self.body, self.due = channel, language, subject, body, due
        self.status = PENDING
        self.attempts = 0
        self.next_attempt = due
        self.read = False

    @property
    def pending(self) -> bool:
        return self.status == PENDING

    @property
    def erased(self) -> bool:
        """What it says about its client was erased (the client's keys shredded): it
        loads as None."""
        return self.kind is None or self.subject is None or self.body is None

    def record_delivery(self, at: dt.datetime) -> None:
        self._check_pending()
        self._delivered(at=at, **self._about())

    def record_failure(self, error: str, now: dt.datetime, backoff: Backoff) -> None:
        """A failed attempt (``error`` names the kind of failure, never its text):
        tried again later, or dead-lettered when it was the last attempt."""
        self._check_pending()
        failed = self.attempts + 1
        retry_at = backoff.retry_at(failed, now)
        self._attempt_failed(error=error, retry_at=retry_at)
        if retry_at is None:
            self._dead_lettered(reason=f"{failed} attempts failed, last: {error}", **self._about())

    def withdraw(self, at: dt.datetime) -> None:
        """A message whose text was erased before it went out is never sent: there is
        nothing left to tell, and no published fact can say what kind it was."""
        self._check_pending()
        if not self.erased:
            raise NotNow("only a message whose text was erased is withdrawn", {"notification_id": ["not erased"]})
        self._withdrawn(at=at)

    def call_off(self, at: dt.datetime) -> bool:
        """A reminder of something that moved or was cancelled, withdrawn unless it went
        out already (its time came): told once, and never of a time that no longer holds."""
        if not self.pending or self.due <= at:
            return False
        self._withdrawn(at=at)
        return True

    def mark_read(self, reader: str, at: dt.datetime) -> None:
        if self.channel != INBOX:
            raise NoSuchMessage("no such message", {"notification_id": ["not found"]})
        if reader != self.recipient:
            raise AddressedToSomeoneElse("this message is addressed to someone else")
        if not self.read:
            self._marked_read(at=at)

    def _check_pending(self) -> None:
        if not self.pending:
            raise NotPending(f"this notification is {self.status} already", {"notification_id": [self.status]})

    def _about(self) -> dict:
        return {"client_id": self.client_id, "agency": self.agency, "kind": self.kind,
                "recipient": self.recipient, "channel": self.channel}

    @event("AttemptFailed")
    def _attempt_failed(self, error: str, retry_at: dt.datetime | None):
        self.attempts += 1
        self.next_attempt = retry_at

    # Delivered and DeadLettered repeat whom and what the notification is about
    # (``_about``, the declared ``Notice``), which the state holds already, for their
    # publication alone.
    @event("Delivered")
    def _delivered(self, at: dt.datetime, client_id: UUID | None, agency: str, kind: str, recipient: str,
                   channel: str):
        self.status = DELIVERED

    @event("DeadLettered")
    def _dead_lettered(self, reason: str, client_id: UUID | None, agency: str, kind: str, recipient: str,
                       channel: str):
        self.status = DEAD

    @event("Withdrawn")
    def _withdrawn(self, at: dt.datetime):
        self.status = WITHDRAWN

    @event("Read")
    def _marked_read(self, at: dt.datetime):
        self.read = True
