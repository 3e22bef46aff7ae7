"""An actor assertion vouches for one message only.

Whoever copies an assertion off the bus could send it again in a message of their
own within its short life. So the first save a request makes also stores a marker
named after the assertion's ``jti`` (``shared.store``), in the same transaction, in
the service's own store: every instance of the service sees it. A command whose
assertion is marked already for another request is refused before it runs
(``refuse_replay``); two copies racing each other collide on the marker, and the
loser's transaction changes nothing.

A message the broker delivers again carries the same request id: it is not a
replay, and goes on to the once path (``shared.once``), which answers it.
Calls that save nothing (lists, health, a follower's pull) change nothing when sent
twice, and are bound by the assertion to the very same payload and RPC within its
minute of life.
"""
from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared import context
from shared.domain import ServiceAggregate
from shared.errors import Unauthenticated

_NAMESPACE = UUID("3f0c2b8e-7a41-4d5e-9c61-2b7d8e4f1a90")


def marker_id(jti: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"assertion:{jti}")


def pending() -> tuple[UUID, UUID] | None:
    """(marker id, request marker) to store with this request's first save, if any."""
    request = context.current()
    if request.assertion is None or request.request_marker is None:
        return None
    return marker_id(request.assertion), request.request_marker


def stored() -> None:
    context.current().assertion = None


def replayed() -> Unauthenticated:
    return Unauthenticated("the call does not carry a valid actor assertion", {"assertion": ["replayed"]})


def refuse_replay(app) -> None:
    """Refuse this request if its assertion was spent by another request already."""
    marked = pending()
    if marked is None:
        return
    marker, request = marked
    found = app.recorder.select_events(marker, limit=1)
    if found and app.mapper.to_domain_event(found[0]).request != request:
        raise replayed()


class AssertionUsed(ServiceAggregate):
    """Marks that an assertion was spent by one request (see shared/replays.py)."""

    @staticmethod
    def create_id(marker: UUID, request: UUID) -> UUID:
        return marker

    @event("Marked")
    def __init__(self, marker: UUID, request: UUID):
        self.request = request
