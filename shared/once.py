"""Each RPC request changes the store at most once.

nameko acknowledges a request only after answering it. When the broker goes away
between a command's commit and that acknowledgement, the broker gives the request
to a worker again, and the command would be carried out twice (two identical
interventions on record). So the first save a request makes also stores a marker
named after the request's AMQP correlation id (``shared.store``); a redelivered
request collides with its own marker, in the same transaction, and changes nothing.
"""
from __future__ import annotations

import contextvars
import uuid
from uuid import UUID

CONTEXT_KEY = "jww_request"  # where shared.rpc puts the request's correlation id for the worker

_NAMESPACE = UUID("9d3c6a52-1f4e-4b8a-a7d2-6c0e5b9f3e17")
# The current request's marker id while its first save has not been stored yet.
_pending: contextvars.ContextVar[UUID | None] = contextvars.ContextVar("pending_request", default=None)


def use(request_id: str | None) -> None:
    """Make the worker's request (or none: a timer, a follower) current."""
    _pending.set(marker_id(request_id) if request_id else None)


def marker_id(request_id: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"request:{request_id}")


def pending() -> UUID | None:
    return _pending.get()


def stored() -> None:
    """The request's first save is stored: later saves of the same request add nothing."""
    _pending.set(None)
