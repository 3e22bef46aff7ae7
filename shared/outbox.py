"""The store's notification log read as an outbox of integration events, each
signed with the service's event key (shared/signing.py).

A service declares which of its domain events cross its boundary, and how each
becomes an integration event (``Publication``) on which of its streams (its events,
or its access log: shared.messaging); every other domain event stays private.
Each stream chains its own positions (``jwwprevposition``), so a follower of one
stream sees a gap only where that stream lost something. Both the relay and the
RPCs that followers pull a gap from read through this one class, so they cannot
disagree about what was published at a position.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from eventsourcing.utils import get_topic

from shared import keys, signing
from shared.contracts.base import ERASED_FACT, EVENTS, STREAMS
from shared.contracts import CATALOGUE, envelope, event_type
from shared.store import ServiceApplication


@dataclass(frozen=True)
class Publication:
    type: str  # a catalogued CloudEvents type
    subject: str  # the client's UUID
    data: dict[str, Any]
    agency: str | None = None
    actor: str | None = None
    actor_role: str | None = None
    recipient: str | None = None  # a feed entry's organisation (services/sharing)
    sequence: int | None = None  # its place in that organisation's feed


def publish_as(
    schema, *, actor: str | Callable[[Any], dict | None] | None = None, identity: str | None = None,
    derived: dict[str, Callable[[Any], Any]] | None = None, subject: Callable[[Any], str] | None = None,
    agency: Callable[[Any], str | None] | None = None,
) -> Callable[[Any], Publication]:
    """The translation of a domain event into the integration event ``schema``
    declares (shared.contracts.declare): each of its fields is the event's attribute
    of the same name; ``identity`` names the field that is the event's own stream
    id; ``derived`` computes what the event holds in another form; ``actor`` is the
    attribute (or a function of the event) that says who acted. The envelope's
    subject is the event's client and its agency the event's agency (shared.domain's
    CaseAggregate), unless ``subject`` or ``agency`` say otherwise: a fact about a
    staff member, or a notice about no one client."""
    derived = derived or {}
    names = [name for name in schema._declared_fields if name not in derived and name != identity]
    dumper = schema()
    fact = event_type(schema.service, schema.fact, schema.version)
    subject_of = subject or (lambda e: str(e.client_id))
    agency_of = agency or (lambda e: e.agency)

    def publish(event) -> Publication:
        values = {name: getattr(event, name) for name in names}
        values.update({name: compute(event) for name, compute in derived.items()})
        if identity:
            values[identity] = event.originator_id
        by = actor(event) if callable(actor) else getattr(event, actor) if actor else None
        return Publication(
            type=fact, subject=subject_of(event), data=dumper.dump(values), agency=agency_of(event),
            actor=by["user_id"] if by else None, actor_role=by["role"] if by else None,
        )

    # What a test checks the domain event against (tests/unit/shared/test_declarations.py).
    publish.schema, publish.reads, publish.about_client = schema, tuple(names), subject is None
    publish.stream = schema.stream  # where the contract says it is published
    return publish


class Outbox:
    def __init__(self, app: ServiceApplication):
        self.app = app
        self.service = app.service_name
        from shared import checkpoints  # it reads this module's publications

        publications = {**app.publications, **checkpoints.publication(self.service)}
        self._by_topic = {get_topic(cls): fn for cls, fn in publications.items()}
        self._topics = {stream: tuple(t for t, fn in self._by_topic.items() if fn.stream == stream)
                        for stream in STREAMS}
        self._data_schemas: dict[str, Any] = {}
        self._key: keys.SigningKey | None = None

    @property
    def key(self) -> keys.SigningKey:
        """The service's event signing key. The relay signs what it publishes; the
        workers sign what a follower pulls to fill a gap (the same bytes: Ed25519
        signatures are deterministic)."""
        if self._key is None:
            self._key = keys.signing_key(keys.events_key_name(self.service))
        return self._key

    @staticmethod
    def stream_of(event: dict) -> str:
        """The stream an integration event is published on, as its contract says."""
        return CATALOGUE[event["type"]].stream

    def read(self, after: int, limit: int, until: int | None = None, streams: tuple[str, ...] = (EVENTS,),
             prevs: dict[str, int] | None = None) -> list[dict]:
        """Integration events of ``streams`` at positions in ``(after, until]``, oldest first.

        ``prevs`` holds, per stream, the position of its last published event at or
        before ``after`` when the caller knows it (the relay does); otherwise it is
        looked up.
        """
        topics = tuple(topic for stream in streams for topic in self._topics[stream])
        if not topics:
            return []
        notifications = self.app.recorder.select_notifications(
            start=after, stop=until, limit=limit, topics=topics, inclusive_of_start=False
        )
        if not notifications:
            return []
        prevs = dict(prevs or {})
        for stream in streams:
            if stream not in prevs:
                prevs[stream] = self.last_published_at_or_before(after, stream)
        out = []
        key = self.key
        for notification in notifications:
            event = self.app.mapper.to_domain_event(notification)
            publish = self._by_topic[notification.topic]
            publication = self._unless_erased(publish(event))
            out.append(signing.sign(
                envelope(
                    service=self.service,
                    type_=publication.type,
                    subject=publication.subject,
                    time=event.timestamp,
                    data=self._checked(publication),
                    position=notification.id,
                    prev_position=prevs[publish.stream],
                    aggregate_id=event.originator_id,
                    aggregate_version=event.originator_version,
                    agency=publication.agency,
                    actor=publication.actor,
                    actor_role=publication.actor_role,
                    correlation_id=getattr(event, "correlation_id", None),
                    recipient=publication.recipient,
                    sequence=publication.sequence,
                ),
                key,
            ))
            prevs[publish.stream] = notification.id
        return out

    def last_published_at_or_before(self, position: int, stream: str = EVENTS, window: int = 1000) -> int:
        """Position of the stream's newest integration event at or before ``position`` (0 if none)."""
        topics = self._topics[stream]
        while position > 0 and topics:
            start = max(1, position - window + 1)
            found = self.app.recorder.select_notifications(
                start=start, stop=position, limit=window, topics=topics
            )
            if found:
                return found[-1].id
            position = start - 1
        return 0

    def _unless_erased(self, publication: Publication) -> Publication:
        """The publication, or, when a field its contract requires was erased with the
        client's keys (shared.sealing: it reads as None), what stands for it."""
        schema = CATALOGUE[publication.type]
        if not any(publication.data.get(name) is None and not field.allow_none
                   for name, field in schema._declared_fields.items()):
            return publication
        return Publication(
            type=event_type(self.service, ERASED_FACT, 1), subject=publication.subject,
            data={"client_id": publication.subject, "erased_type": publication.type}, agency=publication.agency,
            actor=publication.actor, actor_role=publication.actor_role,
        )

    def _checked(self, publication: Publication) -> dict:
        """An event that does not fit its published contract is a bug that must
        stop the relay, not reach other agencies."""
        schema = self._data_schemas.get(publication.type)
        if schema is None:
            schema = self._data_schemas[publication.type] = CATALOGUE[publication.type]()
        errors = schema.validate(publication.data)
        if errors:
            raise ValueError(f"{publication.type} does not fit its contract: {sorted(errors)}")
        return publication.data
