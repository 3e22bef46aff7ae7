"""The notifications service's aggregates: who is told what, through which channel,
and whether it reached them.

A notification exists once per (fact, recipient, channel): its id derives from
those three, so a fact delivered twice, or a restart in the middle, cannot make a
second one. Messages carry what the recipient needs and never a confidential note.
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("3f6c1e8a-7b2d-4e9f-a1c5-0d8e2b7f4a93")
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead-lettered"


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

    @event("WorkerAssigned")
    def assign_worker(self, agency: str, worker: str | None):
        self.agency, self.worker = agency, worker


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

    @event("MemberActiveChanged")
    def set_active(self, user_id: str, active: bool):
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

    @event("Joined")
    def join(self, client_id: str):
        self.waiting.append(client_id)

    @event("Left")
    def leave(self, client_id: str):
        self.waiting.remove(client_id)

    @event("GrowthReported")
    def report_growth(self, size: int):
        self.reported = size


class Notification(ServiceAggregate):
    @staticmethod
    def create_id(fact_id: str, recipient: str, channel: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"notification:{fact_id}:{recipient}:{channel}")

    class Created(ServiceAggregate.Created):
        """Version 2 added the client the notification is about, so that audit can
        put it on the client's timeline; version 1 notifications read with none."""

        class_version = 2
        fact_id: str
        client_id: UUID | None
        kind: str
        recipient: str
        address: str
        channel: str
        language: str
        subject: str
        body: str
        due: dt.datetime

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["client_id"] = None

    @event(Created)
    def __init__(
        self, fact_id: str, client_id: UUID | None, kind: str, recipient: str, address: str, channel: str,
        language: str, subject: str, body: str, due: dt.datetime,
    ):
        self.fact_id, self.client_id, self.kind, self.recipient = fact_id, client_id, kind, recipient
        self.address = address
        self.channel, self.language, self.subject, self.body, self.due = channel, language, subject, body, due
        self.status = PENDING
        self.attempts = 0
        self.next_attempt = due
        self.read = False

    @event("AttemptFailed")
    def attempt_failed(self, error: str, retry_at: dt.datetime | None):
        self.attempts += 1
        self.next_attempt = retry_at

    @event("Delivered")
    def delivered(self, at: dt.datetime):
        self.status = DELIVERED

    @event("DeadLettered")
    def dead_letter(self, reason: str):
        self.status = DEAD

    @event("Read")
    def mark_read(self, at: dt.datetime):
        self.read = True
