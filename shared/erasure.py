"""An approved erasure, carried out in every service that follows intake: its data
keys for that client are destroyed (shared.datakeys), so that every personal field
it keeps about the client becomes unreadable while the facts, and every chain over
them, stay. The service records that it did (``ErasureCarriedOut``, in its own
chained log), and its read models forget the client when they read that. A
redelivered approval changes nothing (a shredded key stays shredded); one lost in a
crash is applied again from the broker or the upstream's log."""
from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.assertions import system_actor
from shared.contracts import event_type
from shared.contracts.declare import RETENTION_CLASSES
from shared.domain import ServiceAggregate

APPROVED = event_type("intake", "erasure-approved", 1)
# Who decides what a retention policy makes due: the policy itself, as a system actor.
RETENTION_POLICY = system_actor("retention")
_NAMESPACE = uuid.UUID("5d1b7c2e-8f3a-4e6b-9c0d-1a2b3c4d5e6f")


class ErasureCarriedOut(ServiceAggregate):
    """This service destroyed a client's data keys, on this decision."""

    @staticmethod
    def create_id(erasure_id: UUID) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"erasure-carried-out:{erasure_id}")

    @event("Recorded")
    def __init__(self, client_id: UUID, erasure_id: UUID):
        self.client_id, self.erasure_id = client_id, erasure_id


def carry_out(app, client_id: UUID, decision: UUID, retentions: list[str]) -> ErasureCarriedOut:
    """Destroy the client's keys of these classes here, and the fact that says so
    (to be saved): one path for an approved erasure and for retention."""
    app.data_keys.shred(client_id, retentions, str(decision))
    return ErasureCarriedOut(client_id=client_id, erasure_id=decision)


def retention_decision(rule: str, record_id: UUID) -> UUID:
    """The decision a retention rule makes about one record: the same each time it is asked."""
    return uuid.uuid5(_NAMESPACE, f"retention:{rule}:{record_id}")


def reactions(app) -> dict:
    """What every service does when intake approves an erasure."""

    def react(upstream: dict, processing) -> None:
        data = upstream["data"]
        client_id, erasure_id = UUID(str(data["client_id"])), UUID(str(data["erasure_id"]))
        processing.collect_events(carry_out(app, client_id, erasure_id, list(RETENTION_CLASSES)))

    return {APPROVED: react}
