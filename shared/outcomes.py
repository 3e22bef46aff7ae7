"""A command's outcome, kept with its effect: safe retries (issue 18, WAVE2 5, 12).

The gateway gives every command an idempotency key: the caller's ``Idempotency-Key``
(the IETF httpapi draft), or one of its own. The key travels with the RPC request
(``shared.context``), so a request the broker delivers again carries it too. The
service carries the command out with its saves held back (``Unit``), then stores
every event it made together with a ``CommandOutcome`` named after the user and the
key, in one transaction: the answer is on record exactly when the effect is.

A later request with the same key, the same user and the same payload gets that
answer back and changes nothing, whether a client retried after a 503 or the broker
delivered the request again after a restart; two copies racing each other collide
on the outcome's id, and the loser answers what the winner stored. The same key
with another payload is refused (422). A key is kept ``LIFETIME``; after that it may
name a new command.

The answer is stored sealed under the client's key when the command names a client
(erased with the client); a command whose answer holds a secret shown once (an
enrolment code) keeps no answer: a repeat is told it was carried out already.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from shared import context
from shared.contracts.base import CommandOutcome as CommandOutcomeFact
from shared.domain import ServiceAggregate
from shared.errors import Conflict, Gone, InvalidInput

LIFETIME = dt.timedelta(hours=24)
HEADER = "Idempotency-Key"
_NAMESPACE = UUID("5b8f2d1e-6a3c-4e7f-9b0d-1c2e3f4a5b6c")


def outcome_id(user_id: str, key: str) -> UUID:
    """Keys are the caller's own: one user's key never meets another's."""
    return uuid.uuid5(_NAMESPACE, f"{user_id}\n{key}")


def fingerprint(rpc: str, payload: Any) -> str:
    return hashlib.sha256(json.dumps([rpc, payload], sort_keys=True, default=str).encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class CarriedOut(Conflict):
    """The request's once-marker was stored already (``shared.once``)."""


class CommandOutcome(ServiceAggregate):
    """What one command answered its caller, kept as long as its key lives."""

    @staticmethod
    def create_id(key: UUID) -> UUID:
        return key

    @event("Recorded")
    def __init__(self, key: UUID, rpc: str, fingerprint: str, answer: str | None, kept: bool,
                 client_id: UUID | None, at: str):
        self._note(rpc, fingerprint, answer, kept, client_id, at)

    @event("Renewed")
    def renew(self, rpc: str, fingerprint: str, answer: str | None, kept: bool, client_id: UUID | None,
              at: str) -> None:
        """The key, run out, names a new command."""
        self._note(rpc, fingerprint, answer, kept, client_id, at)

    def _note(self, rpc, fingerprint, answer, kept, client_id, at) -> None:
        self.rpc, self.fingerprint, self.answer, self.kept = rpc, fingerprint, answer, kept
        self.client_id, self.at = client_id, at

    def live(self, now: dt.datetime) -> bool:
        return dt.datetime.fromisoformat(self.at) + LIFETIME > now

    def answer_for(self, fingerprint: str) -> Any:
        """The stored answer, for the same request again."""
        if fingerprint != self.fingerprint:
            raise InvalidInput("this Idempotency-Key was used for another request",
                               {HEADER: ["used already, with another payload: send a new key for a new command"]})
        if not self.kept:
            raise CarriedOut("this request was carried out already; its answer was shown once",
                             {HEADER: ["carried out already"]})
        if self.answer is None:  # sealed under a client's key, erased since
            raise Gone("this request was carried out; its answer was about a client since erased")
        return json.loads(self.answer)


# The answer may name the client's details: sealed under the client's key.
SEALED = {CommandOutcome.Recorded: CommandOutcomeFact, CommandOutcome.Renewed: CommandOutcomeFact}


@dataclass
class Unit:
    """The saves of one command, held back until its answer is known."""

    app: Any
    processing: ProcessingEvent = field(default_factory=ProcessingEvent)

    def unsaved(self, aggregate_id: UUID) -> Any:
        """An aggregate this command saved, as it saved it (a command reads its own change)."""
        return self.processing.aggregates.get(aggregate_id)


def held(app) -> Unit | None:
    """The unit ``app``'s saves go into now, if a command holds them back."""
    unit = context.current().unit
    return unit if unit is not None and unit.app is app else None


def carry_out(app, rpc: str, payload: Any, run: Callable[[], Any], client_id: UUID | None = None,
              keeps_answer: bool = True, clock: Callable[[], dt.datetime] | None = None) -> Any:
    """``run()``'s answer, stored with its effect under the request's idempotency key;
    the stored answer when that key carried out the same request already."""
    clock = clock or _now
    request = context.current()
    if not request.idempotency_key or request.actor is None:
        return run()
    key, digest = outcome_id(request.actor["user_id"], request.idempotency_key), fingerprint(rpc, payload)
    stored: CommandOutcome | None = app.find(key)
    if stored is not None and stored.live(clock()):
        return stored.answer_for(digest)
    unit = request.unit = Unit(app)
    try:
        answer = run()
    finally:
        request.unit = None
    if not unit.processing.events:
        return answer  # it changed nothing: nothing to keep
    note = dict(rpc=rpc, fingerprint=digest, answer=json.dumps(answer, default=str) if keeps_answer else None,
                kept=keeps_answer, client_id=client_id, at=clock().isoformat())
    before = stored.version if stored is not None else None
    if stored is None:
        outcome = CommandOutcome(key=key, **note)
    else:
        stored.renew(**note)
        outcome = stored
    unit.processing.collect_events(outcome)
    try:
        app.commit(unit.processing)
    except (IntegrityError, CarriedOut):
        # A copy of this request (the broker's redelivery, the client's retry) stored
        # its outcome first; anything else that collided is the caller's conflict.
        winner: CommandOutcome | None = app.find(key)
        if winner is None or winner.version == before or not winner.live(clock()):
            raise
        return winner.answer_for(digest)
    return answer
