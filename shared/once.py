"""Each RPC request changes the store at most once.

nameko acknowledges a request only after answering it. When the broker goes away
between a command's commit and that acknowledgement, the broker gives the request
to a worker again, and the command would be carried out twice (two identical
interventions on record). So the first save a request makes also stores a marker
named after the request's AMQP correlation id (``shared.store``); a redelivered
request collides with its own marker, in the same transaction, and changes nothing.
The marker travels in the request context (``shared.context``).
"""
from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared import context
from shared.domain import ServiceAggregate

_NAMESPACE = UUID("9d3c6a52-1f4e-4b8a-a7d2-6c0e5b9f3e17")


def marker_id(request_id: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"request:{request_id}")


def marker_for(request_id: str | None) -> UUID | None:
    """The marker of a worker's request, or none (a timer, a follower)."""
    return marker_id(request_id) if request_id else None


def pending() -> UUID | None:
    return context.current().request_marker


def stored() -> None:
    """The request's first save is stored: later saves of the same request add nothing."""
    context.current().request_marker = None


class RequestCarriedOut(ServiceAggregate):
    """Marks that one RPC request changed this store (see shared/once.py); its id
    is derived from the request's, so a redelivered request collides with it."""

    @staticmethod
    def create_id(marker: UUID) -> UUID:
        return marker

    @event("Marked")
    def __init__(self, marker: UUID):
        pass
