"""Audit as the independent witness of every service's checkpoints (WAVE2 21): each
``checkpoint-taken`` a service publishes is kept here, in audit's own chained store,
so that a service's store, its relay's file and this copy must all agree
(shared/checkpoints.py). Whoever rewrites one service's database and file still
meets audit's copy, in another database, under another key."""
from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import event

from shared.contracts import event_type
from shared.contracts.checkpoints import SERVICES
from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("6e1d0c9b-8a7f-4b3e-a2d1-0f9e8d7c6b5a")


class WitnessedCheckpoint(ServiceAggregate):
    """One checkpoint of one service, as audit received it (its signature was checked
    with the envelope's, by the follower)."""

    @staticmethod
    def create_id(service: str, number: int) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"{service}:{number}")

    @event("Witnessed")
    def __init__(self, service: str, number: int, checkpoint: dict):
        self.service, self.number = service, number


def policies() -> dict:
    """Audit keeps each service's checkpoints (not its own: nobody follows audit)."""
    return {event_type(service, "checkpoint-taken", 1): witness for service in SERVICES if service != "audit"}


def witness(upstream: dict, processing: ProcessingEvent) -> None:
    data = upstream["data"]
    processing.collect_events(WitnessedCheckpoint(service=data["service"], number=data["number"], checkpoint=data))


def witnessed(app, service: str) -> list[dict]:
    """Every checkpoint of ``service`` audit holds, in number order."""
    found = [e.checkpoint for e in app.stored(WitnessedCheckpoint.Witnessed) if e.service == service]
    return sorted(found, key=lambda c: c["number"])
