"""Storage limitation (GDPR art. 5(1)(e)): what a service keeps about a client goes
when its retention period is over, through the same path as an erasure.

Every service that records reads of a client's file keeps them as the access log
(``shared.access_log``): what a reader added to a read's purpose is sealed under the
client's ``access_log`` key, which goes ``access_log_retention`` after the client's
last read recorded here (ten years by default; ``access_log_retention_days`` in the
service's own settings section). A service adds its own rules (``own_retention_due``,
``carry_out_own``): intake's declined intakes, guidance's closed trajectories.

``apply_retention`` lists what is due (a dry run), or carries it out; the daily job
(``shared.service.RetentionJob``) and ops call it.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from shared import access_log
from shared.access import allow
from shared.domain import ServiceAggregate

ACCESS_LOG_RULE = "access_log"
ACCESS_LOG_RETENTION = dt.timedelta(days=3653)  # ten years
# Who may ask for it: the data-protection side, and the daily job acting as the policy.
DECIDES = frozenset({"admin", "data_protection_officer", "system"})
_NAMESPACE = uuid.UUID("3f8e2a61-7c4d-4b09-a5e2-9d1c6b7f0a34")


class AccessLogExpired(ServiceAggregate):
    """The client's access log here reached the end of its retention: what readers
    added to their reads' purposes is destroyed (the ``access_log`` key); who read,
    when and why (the code) stay. Recorded before the key goes, so a run cut short
    between the two finishes the next time."""

    @staticmethod
    def create_id(client_id: UUID, last_read: dt.datetime) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"access-log-expired:{client_id}:{last_read.isoformat()}")

    @event("Recorded")
    def __init__(self, client_id: UUID, last_read: dt.datetime, kept_for_days: int):
        self.client_id = client_id


class Retention:
    """Mixed into a service application."""

    access_log_retention: dt.timedelta = ACCESS_LOG_RETENTION
    # The events that record a read of a client's file here (each names its client_id).
    reads: ClassVar[tuple[type, ...]] = (access_log.FileRead.Recorded,)

    def now(self) -> dt.datetime:
        clock = getattr(self, "clock", None)
        return clock() if clock is not None else dt.datetime.now(dt.timezone.utc)

    def own_retention_due(self, now: dt.datetime) -> list[dict]:
        return []

    def carry_out_own(self, due: list[dict]) -> list[dict]:
        """Carry out what the service's own rules made due; what was done."""
        return due

    def access_log_due(self, now: dt.datetime) -> list[dict]:
        """Clients whose last read recorded here is older than ``access_log_retention``
        and whose access-log key here still exists."""
        last: dict[UUID, dt.datetime] = {}
        for read in self.stored(*self.reads):
            last[read.client_id] = read.timestamp  # in log order: the last one stays
        return [{"client_id": str(client_id), "rule": ACCESS_LOG_RULE,
                 "due_since": (at + self.access_log_retention).isoformat(), "last_read": at}
                for client_id, at in last.items()
                if at + self.access_log_retention <= now and self.data_keys.key(client_id, "access_log")]

    def apply_retention(self, actor: dict, dry_run: bool = True) -> list[dict]:
        """What is due (``dry_run``), or carry it out: the service's own rules, then
        the access log. Ids, rules and since when; nothing personal."""
        allow(actor, DECIDES, "apply_retention")
        now = self.now()
        own, reads = self.own_retention_due(now), self.access_log_due(now)
        if not dry_run:
            own = self.carry_out_own(own)
            for item in reads:
                self._expire_access_log(UUID(item["client_id"]), item["last_read"])
        return [{k: item[k] for k in ("client_id", "rule", "due_since")} for item in own + reads]

    def _expire_access_log(self, client_id: UUID, last_read: dt.datetime) -> None:
        expired = AccessLogExpired(client_id=client_id, last_read=last_read,
                                   kept_for_days=self.access_log_retention.days)
        try:
            self.save(expired)
        except IntegrityError:  # recorded by a run cut short before the key went: finish it
            pass
        self.data_keys.shred(client_id, ["access_log"], str(expired.id))
