"""Each service's event-sourced application: one eventsourcing Application per
service, on the store its settings choose (``shared.persistence``).

Every service application uses a *process* recorder, so that an upstream position
(tracking record) is written in the same transaction as the events it caused, and
the relay can keep its own position in the same database. Every save seals the
personal fields of its events under their client's data keys (``shared.sealing``,
``shared.datakeys``), chains them (``shared.chain``) and, for an RPC request, stores
the request's marker (``shared.once``) and its actor assertion's (``shared.replays``).
A command with an idempotency key holds its saves back and stores them in one
transaction with its answer (``shared.outcomes``).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, ClassVar, Iterator

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Recording, Repository
from eventsourcing.persistence import (
    IntegrityError, InternalError, JSONTranscoder, Notification, ProcessRecorder, ProgrammingError, Tracking,
)
from eventsourcing.utils import get_topic, retry

from shared import chain, datakeys, once, outcomes, recorders, replays
from shared.concurrency import CheckedRepository
from shared.config import StoreSettings
from shared.once import RequestCarriedOut
from shared.persistence import DateAsISO, store_env
from shared.replays import AssertionUsed
from shared.sealing import Sealer, SealingMapper


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
    # Domain event class -> the fact it records (shared.contracts): its personal
    # fields are stored sealed.
    sealed: ClassVar[dict[type, type]] = {}

    def policies(self) -> dict[str, Callable[[dict, ProcessingEvent], None]]:
        return {}

    def reactions(self) -> dict[str, Callable[[dict, ProcessingEvent], None]]:
        """What a follower applies: the service's policies, and what every service
        does (an approved erasure: shared.erasure), both where a type has both."""
        from shared import erasure  # it reads the contracts, which read this module's neighbours

        own, common = self.policies(), erasure.reactions(self)
        both = {t: _both(own[t], common[t]) for t in own.keys() & common.keys()}
        return {**own, **common, **both}

    @functools.cached_property
    def outbox(self):
        """What this service publishes, read from its log and signed (one per process:
        the relay's and the ``integration_events`` RPC's, so the key is read once)."""
        from shared.outbox import Outbox  # the outbox reads this module's applications

        return Outbox(self)

    def __init__(self, store: StoreSettings | None = None, env: dict | None = None):
        merged = dict(store_env(store)) if store is not None else {}
        merged.update(env or {})
        self.data_keys = datakeys.for_store(self.service_name, store, merged)
        self._construct(merged)
        self.data_keys.ledger = self.recorder.client_keys
        self.data_keys.forget = self.recorder.forget_client_keys

    def _store_keys(self, made: datakeys.KeysMade) -> None:
        """Keys a seal outside a save assigned (a snapshot's): stored at once."""
        self.recorder.insert_events([], **{recorders.ROWS: made.rows()})
        self.data_keys.stored(made)

    def close(self) -> None:
        super().close()
        self.data_keys.close()

    # A service's workers and relay start together; PostgreSQL's CREATE TABLE IF NOT
    # EXISTS can then collide ("duplicate key", "tuple concurrently updated", or
    # "type ... already exists" for the table's row type). The loser just tries
    # again; a lasting error stays.
    @retry((IntegrityError, InternalError, ProgrammingError), max_attempts=3, wait=0.2)
    def _construct(self, env: dict) -> None:
        super().__init__(env=env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> SealingMapper:
        mapper = self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=SealingMapper)
        # Kept answers are sealed like the facts, but are none of them (subject access lists ``sealed``).
        mapper.sealer = Sealer(self.data_keys, {**outcomes.SEALED, **self.sealed}, mapper.transcoder,
                               store_keys=self._store_keys)
        return mapper

    def construct_repository(self) -> Repository:
        # The library builds its repository from the environment; only the check is added.
        repository = super().construct_repository()
        repository.__class__ = CheckedRepository
        return repository

    def construct_recorder(self) -> ProcessRecorder:
        return recorders.recorder(self.factory)

    @property
    def process_recorder(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    def save(self, *objs, **kwargs) -> list[Recording]:
        """Stored now, or, inside a command that keeps its answer, held back until
        the answer is stored with it (``commit``)."""
        unit = outcomes.held(self)
        if unit is None:
            return super().save(*objs, **kwargs)
        unit.processing.collect_events(*objs, **kwargs)
        return []

    def commit(self, processing: ProcessingEvent) -> list[Recording]:
        """A command's held-back saves and its answer, in one transaction."""
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def _record(self, processing: ProcessingEvent):
        request = once.pending()
        # A kept answer marks the request itself; without one, the once-marker does.
        answer = next((a.id for a in processing.aggregates.values() if isinstance(a, outcomes.CommandOutcome)), None)
        marker = answer or request
        if request is not None and answer is None:
            processing.collect_events(RequestCarriedOut(marker=request))
        spent = replays.pending()
        if spent is not None:
            processing.collect_events(AssertionUsed(*spent))
        # Every save, a command's or a follower's, seals and then chains its events
        # before storing: the bytes chained are the bytes stored. The data keys it
        # assigns are recorded in the same transaction.
        made = self.mapper.sealer.seal(processing.events)
        processing.saved_kwargs[recorders.ROWS] = made.rows()
        records = chain.seal(processing.events, processing.aggregates, self.mapper)
        try:
            recordings = self._put(processing, records)
        except IntegrityError:
            # A copy of this request stored first (its assertion's marker collides too).
            if marker is not None and self.recorder.select_events(marker, limit=1):
                raise outcomes.CarriedOut("this request was carried out already",
                                          {"request": ["already carried out"]}) from None
            if spent is not None and self.recorder.select_events(spent[0], limit=1):
                raise replays.replayed() from None
            raise
        self.data_keys.stored(made)
        if request is not None:
            once.stored()
        if spent is not None:
            replays.stored()
        return recordings

    def _put(self, processing: ProcessingEvent, records: list) -> list[Recording]:
        """The library's own recording of a save (``Application._record``), given the
        records as chained, so that no event is mapped a second time."""
        ids = self.recorder.insert_events(records, tracking=processing.tracking, **processing.saved_kwargs) or []
        if self.repository.cache and not self.repository.fastforward:
            for aggregate_id, aggregate in processing.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        return [Recording(event, Notification(originator_id=stored.originator_id,
                                              originator_version=stored.originator_version,
                                              topic=stored.topic, state=stored.state, id=position))
                for event, stored, position in zip(processing.events, records, ids)]

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

    def find(self, aggregate_id: Any, processing: ProcessingEvent | None = None) -> Any:
        """The aggregate (as the processing event sees it, when given), or None."""
        try:
            return self.aggregate_in(processing, aggregate_id) if processing else self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def position_of(self, upstream: str) -> int:
        """The last position of ``upstream`` applied here (0 when none)."""
        return self.process_recorder.max_tracking_id(upstream) or 0

    def track(self, upstream: str, position: int) -> None:
        self.process_recorder.insert_tracking(Tracking(upstream, position))

    def stored(self, *event_classes: type) -> Iterator:
        """Every stored event of these kinds, in log order, opened (a page at a time)."""
        topics, position = [get_topic(cls) for cls in event_classes], 0
        while True:
            page = self.recorder.select_notifications(start=position, limit=500, topics=topics,
                                                      inclusive_of_start=False)
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            if len(page) < 500:
                return
            position = page[-1].id

    def head(self) -> int:
        """The position of the newest event in this service's own log (0 when empty)."""
        return self.recorder.max_notification_id() or 0


def _both(first, second):
    def react(event, processing):
        first(event, processing)
        second(event, processing)
    return react
