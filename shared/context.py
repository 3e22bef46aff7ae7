"""The one request context: what travels with a command besides its payload.

It is set in one place at each edge (``shared.rpc.Observed`` for an RPC worker, the
follower for an upstream event, the gateway per HTTP request) and read through
``current()`` only. Nothing else travels invisibly: the correlation id that follows
a command through every service, the RPC request's own id (a redelivered request
changes nothing twice: ``shared.once``), the version the caller decided on
(HTTP If-Match: ``shared.concurrency``), the actor the service believes: the
one a verified assertion names (``shared.assertions``), never a payload field, and
the command's idempotency key with the saves it holds back until its answer is
stored beside them (``shared.outcomes``).

Three fields are *consumed*: the precondition holds for the first load of the record
it names, the request marker and the assertion's id for the first save; the store
clears each once it has served, so a command that reads its own change or saves
twice is not refused.
"""
from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass
class RequestContext:
    correlation_id: str = ""
    # Marker of the RPC request's first save (shared.once), None once stored or for a timer.
    request_marker: UUID | None = None
    # (record id, version) the caller read: If-Match (shared.concurrency), None once checked.
    precondition: tuple[UUID, int] | None = None
    # Who the verified assertion names (user_id, role, agency); None outside an RPC.
    actor: dict | None = None
    # The assertion's jti, recorded with the request's first save (shared.replays), None once stored.
    assertion: str | None = None
    # The command's idempotency key (HTTP Idempotency-Key, or the gateway's own); None for a read.
    idempotency_key: str | None = None
    # The saves a command holds back until its answer is known (shared.outcomes.Unit).
    unit: Any = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("jww_request", default=None)


def current() -> RequestContext:
    """This green thread's context; an empty one outside any request."""
    context = _current.get()
    if context is None:
        context = RequestContext()
        _current.set(context)
    return context


def use(context: RequestContext) -> RequestContext:
    """Make ``context`` current for this green thread, a new correlation id if it has none."""
    if not context.correlation_id:
        context.correlation_id = uuid.uuid4().hex
    _current.set(context)
    return context


def correlation_id() -> str:
    return current().correlation_id
