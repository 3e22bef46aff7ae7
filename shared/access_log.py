"""Who read a client's file, when, and for which purpose.

Every query that shows a client's file records one ``FileRead`` before it answers,
in the service's own chained store, and the service publishes it on its access
stream, which only audit reads, so the audit service keeps each read on the
client's timeline beside the facts. A read that cannot be recorded is not answered.
The record holds ids, role, agency, the purpose (a code) and what the reader added
to it (kept here, never published); never what was shown.

Every refusal of a read or a command about a client is recorded the same way, as
one ``AccessRefused``: whose file, who tried, through which RPC, and which rule
refused it, as codes (``record_refusal``, called by the RPC edge, shared.rpc).
Refusing changes nothing the request asked for, so the refusal is saved without
the request's marker (shared.once): the broker delivering the request again gets
the same refusal, and the record's id, derived from the request's, collides instead
of doubling. It is saved with the marker of the request's actor assertion
(shared.replays), so a copy of a refused message sent again is a replay, refused as
such, and not a second attempt put on that person's name. Unlike a read, a refusal
that cannot be recorded is still answered, and the failure is logged and counted
(``UNRECORDED``; shared.rpc says why).
"""
from __future__ import annotations

import uuid
from typing import Callable
from uuid import UUID

from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError
from prometheus_client import Counter

from shared import context, replays
from shared.contracts import CATALOGUE, event_type
from shared.contracts.base import ACCESS_REFUSED_VERSION, FILE_READ_VERSION
from shared.contracts.base import FileRead as FileReadFact
from shared.outbox import publish_as
from shared.domain import ServiceAggregate
from shared.replays import AssertionUsed

# What a caseworker's ordinary reading of a file they work on is for; any other
# purpose (shared.contracts.base.READ_PURPOSES) is stated by the reader.
CASEWORK = "casework"
FACT = "client-file-read"
REFUSED_FACT = "client-access-refused"
# Labelled by service only, as every counter of shared.metrics: never a client's id.
UNRECORDED = Counter("jww_access_refusals_unrecorded_total",
                     "Refusals about a client answered without their access-log record, which could not be saved",
                     ["service"])
_NAMESPACE = uuid.UUID("6e2b9c41-0d7a-4f35-b8e1-3a5c7d9f2b60")


class FileRead(ServiceAggregate):
    """One read: a one-event aggregate, so recording it never waits on another. Its
    fields are declared once, in ``shared.contracts.base.FileRead``."""

    @event("Recorded")
    def __init__(self, client_id: UUID, reader: str, role: str, agency: str, purpose: str, purpose_detail: str,
                 query: str):
        self.client_id, self.reader, self.role, self.agency = client_id, reader, role, agency
        self.purpose, self.purpose_detail, self.query = purpose, purpose_detail, query


def record(app, actor: dict, client_ids: list[UUID], purpose: str, purpose_detail: str, query: str) -> None:
    """One read per client shown, saved together: a search answers once, not per client."""
    app.save(*(FileRead(client_id=client_id, reader=actor["user_id"], role=actor["role"], agency=actor["agency"],
                        purpose=purpose, purpose_detail=purpose_detail, query=query) for client_id in client_ids))


class AccessRefused(ServiceAggregate):
    """One refused attempt: a one-event aggregate, like a read. It is created with the
    id ``refusal_id`` gives it, derived from the refused request's, so the same
    request delivered again collides with it. Its fields are declared once, in
    ``shared.contracts.base.AccessRefused``."""

    id: UUID  # given when created (eventsourcing then takes ``id=``), not made up

    @event("Recorded")
    def __init__(self, client_id: UUID, actor: str, role: str, agency: str, what: str, rule: str):
        self.client_id, self.actor, self.role, self.agency = client_id, actor, role, agency
        self.what, self.rule = what, rule


def refusal_id(request: UUID | None) -> UUID:
    """The id of the refusal of this RPC request (its shared.once marker); a new one
    for a call outside any request, which no broker delivers twice."""
    return uuid.uuid5(_NAMESPACE, f"refused:{request}") if request is not None else uuid.uuid4()


def _one_event(app) -> Callable[..., ServiceAggregate | None]:
    def refusal(refusal_id: UUID, actor: dict, client_id: UUID, what: str, rule: str) -> AccessRefused | None:
        if app.recorder.select_events(refusal_id, limit=1):
            return None  # on record already: the same request, delivered again
        return AccessRefused(id=refusal_id, client_id=client_id, actor=actor["user_id"], role=actor["role"],
                             agency=actor["agency"], what=what, rule=rule)
    return refusal


def _recording(app) -> Callable[..., ServiceAggregate | None] | None:
    """How ``app`` puts a refusal on record: ``(refusal_id, actor, client_id, what,
    rule)`` -> the aggregate to save, or None when it is on record already. Audit
    keeps its access log on the client's timeline (its own ``access_refused``); a
    service without an access log (notifications) records none."""
    own = getattr(app, "access_refused", None)
    if own is not None:
        return own
    if AccessRefused.Recorded in app.publications:
        return _one_event(app)
    return None


def record_refusal(app, actor: dict, client_id: UUID, what: str, rule: str, request: UUID | None,
                   attempts: int = 3) -> bool:
    """Put on record that ``actor`` was refused ``what`` on ``client_id``'s file by
    ``rule`` during the RPC request whose once-marker is ``request``; False where the
    service keeps no access log. A save that collides is tried again: a fact audit's
    follower wrote to the same timeline meanwhile, or the same request delivered
    twice at once (then the refusal is found on record). Raises what the store
    raises, and ``replays.replayed()`` when a copy of the message spent the request's
    assertion first."""
    refusal = _recording(app)
    if refusal is None:
        return False
    the_id, current = refusal_id(request), context.current()
    marker, current.request_marker = current.request_marker, None  # see the module's docstring
    try:
        tried = 0
        while True:
            tried += 1
            recorded = refusal(the_id, actor, client_id, what, rule)
            if recorded is None:
                return True
            spent = (replays.marker_id(current.assertion), marker) if current.assertion and marker else None
            try:
                app.save(recorded, *([AssertionUsed(*spent)] if spent else []))
            except IntegrityError:
                found = app.recorder.select_events(spent[0], limit=1) if spent else None
                if found and app.mapper.to_domain_event(found[0]).request != marker:
                    raise replays.replayed() from None
                if tried == attempts:
                    raise
                continue
            if spent:
                replays.stored()
            return True
    finally:
        current.request_marker = marker


# Domain event class -> the fact it records: every fact about a client here (what
# subject access shows), sealing the personal fields. A refusal has none, and stays
# out of subject access, which takes the client's agency from the facts it lists: a
# refusal's agency is the agency of whoever was refused.
SEALED = {FileRead.Recorded: FileReadFact}  # what the reader added to the purpose is personal


def publication(service: str):
    """How ``service`` publishes its reads and refusals: who read or was refused is the
    envelope's actor, role and agency."""
    return {
        FileRead.Recorded: publish_as(CATALOGUE[event_type(service, FACT, FILE_READ_VERSION)],
                                      actor=lambda e: {"user_id": e.reader, "role": e.role}),
        AccessRefused.Recorded: publish_as(CATALOGUE[event_type(service, REFUSED_FACT, ACCESS_REFUSED_VERSION)],
                                           actor=lambda e: {"user_id": e.actor, "role": e.role}),
    }
