"""Event store wiring: one eventsourcing Application per service.

Persistence is chosen by settings: an SQLite file under ``var/<service>/`` by
default, PostgreSQL (the service's own database and schema) in production. Every
service application uses a *process* recorder, so that an upstream position
(tracking record) is written in the same transaction as the events it caused, and
the relay can keep its own position in the same database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from typing import Any, Callable, ClassVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import (
    IntegrityError, InternalError, JSONTranscoder, ProcessRecorder, ProgrammingError, Tracking, Transcoding,
)

from shared import chain, concurrency, correlation, once
from shared.config import StoreSettings
from shared.errors import Conflict


def store_env(store: StoreSettings) -> dict[str, str]:
    if store.kind == "sqlite":
        store.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(store.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    ensure_postgres_database(store)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": store.postgres_dbname,
        "POSTGRES_HOST": store.postgres_host,
        "POSTGRES_PORT": str(store.postgres_port),
        "POSTGRES_USER": store.postgres_user,
        "POSTGRES_PASSWORD": os.environ.get("PGPASSWORD", ""),
        "POSTGRES_SCHEMA": store.postgres_schema,
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


def ensure_postgres_database(store: StoreSettings) -> None:
    """Create the service's own database and schema if they are missing.

    In production ops create them with least-privilege roles; creating them here
    keeps a developer's first run and every isolated test database one step.
    """
    import psycopg
    import psycopg.errors
    from psycopg import sql

    common = dict(
        host=store.postgres_host,
        port=store.postgres_port,
        user=store.postgres_user,
        password=os.environ.get("PGPASSWORD") or None,
        autocommit=True,
    )
    # A service's workers and its relay start together and may race to create them.
    races = (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema)
    with psycopg.connect(dbname="postgres", **common) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (store.postgres_dbname,)
        ).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(store.postgres_dbname)))
            except races:
                pass
    with psycopg.connect(dbname=store.postgres_dbname, **common) as conn:
        try:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(store.postgres_schema)))
        except races:
            pass


class ServiceAggregate(Aggregate):
    """Base of every aggregate: each event it triggers records the correlation id of
    the command that caused it, so a relay publishing it later (in another process)
    can still say which command it came from."""

    class Event(Aggregate.Event):
        correlation_id: str = dataclasses.field(default="", kw_only=True)
        chain: str = dataclasses.field(default="", kw_only=True)  # set when saved (shared/chain.py)

        def mutate(self, aggregate):
            aggregate = super().mutate(aggregate)
            if self.chain:  # a stored event: its stream's head so far
                aggregate._chain = self.chain
            return aggregate

    class Created(Event, Aggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("correlation_id", correlation.current())
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        kwargs.setdefault("correlation_id", correlation.current())
        return super()._create(event_class, id=id, **kwargs)


class DateAsISO(Transcoding):
    """Calendar dates (a birth date, the end of a probation period) as ISO strings."""

    type = dt.date
    name = "date_iso"

    def encode(self, obj: dt.date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> dt.date:
        return dt.date.fromisoformat(data)


class RequestCarriedOut(ServiceAggregate):
    """Marks that one RPC request changed this store (see shared/once.py); its id
    is derived from the request's, so a redelivered request collides with it."""

    @staticmethod
    def create_id(marker: UUID) -> UUID:
        return marker

    @event("Marked")
    def __init__(self, marker: UUID):
        pass


class CheckedRepository(Repository):
    """Checks each aggregate a command loads against the version its caller said it
    decided on (shared/concurrency.py), before the command changes anything."""

    def get(self, aggregate_id, *, version=None, **kwargs):
        aggregate = super().get(aggregate_id, version=version, **kwargs)
        if version is None:  # a historical version is read on purpose
            concurrency.check(aggregate)
        return aggregate


class ServiceApplication(Application):
    """Base of each service's application.

    A subclass names its service, declares which of its domain events are published
    and how (``publications``: domain event class -> function returning a
    ``shared.outbox.Publication``), and which upstream integration events it acts on
    (``policies()``: CloudEvents type -> function of the event and the processing
    event that collects the new events).
    """

    service_name: ClassVar[str] = ""
    publications: ClassVar[dict[type, Callable[[Any], Any]]] = {}

    def policies(self) -> dict[str, Callable[[dict, ProcessingEvent], None]]:
        return {}

    def __init__(self, store: StoreSettings | None = None, env: dict | None = None):
        merged = dict(store_env(store)) if store is not None else {}
        merged.update(env or {})
        for attempt in range(3):
            try:
                super().__init__(env=merged)
                return
            except (IntegrityError, InternalError, ProgrammingError):
                # A service's workers and relay start together; PostgreSQL's
                # CREATE TABLE IF NOT EXISTS can then collide ("duplicate key",
                # "tuple concurrently updated", or "type ... already exists" for the
                # table's row type). The loser just retries; a lasting error stays.
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_repository(self) -> Repository:
        # The library builds its repository from the environment; only the check is added.
        repository = super().construct_repository()
        repository.__class__ = CheckedRepository
        return repository

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def process_recorder(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    def _record(self, processing: ProcessingEvent):
        request = once.pending()
        if request is not None:
            processing.collect_events(RequestCarriedOut(marker=request))
        # Every save, a command's or a follower's, chains its events before storing.
        chain.seal(processing.events, processing.aggregates, self.mapper)
        try:
            recordings = super()._record(processing)
        except IntegrityError:
            if request is not None and self.recorder.select_events(request, limit=1):
                raise Conflict("this request was carried out already", {"request": ["already carried out"]}) from None
            raise
        if request is not None:
            once.stored()
        return recordings

    def record_processing(self, processing: ProcessingEvent) -> None:
        """Store the events a processed upstream event caused, together with its
        tracking position, in one transaction (the library's own followers do the
        same through these two protected steps)."""
        self._record(processing)
        self._take_snapshots(processing)

    def aggregate_in(self, processing: ProcessingEvent, aggregate_id: Any) -> Any:
        """An aggregate as a policy must see it: with the changes that earlier events
        of the same batch made, which are not stored yet."""
        return processing.aggregates.get(aggregate_id) or self.repository.get(aggregate_id)

    def position_of(self, upstream: str) -> int:
        """The last position of ``upstream`` applied here (0 when none)."""
        return self.process_recorder.max_tracking_id(upstream) or 0

    def track(self, upstream: str, position: int) -> None:
        self.process_recorder.insert_tracking(Tracking(upstream, position))

    def head(self) -> int:
        """The position of the newest event in this service's own log (0 when empty)."""
        return self.recorder.max_notification_id() or 0
