"""What the facts of intake, guidance and referrals do here: a client's consent
facts update what the client allows (``Consents``), and every other fact about a
client is copied to the feed of each organisation the client's consents let it go
to, with the consented categories only (``domain``)."""
from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Callable
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from shared import recipients
from shared.contracts import CATALOGUE, event_type
from shared.contracts.sharing import FEED_TYPES, categories_of

from services.sharing.domain import Consents, Feed, HistoryQueue

if TYPE_CHECKING:
    from services.sharing.application import SharingApplication

log = logging.getLogger(__name__)

# Version 2 names the categories; intake publishes version 1 beside it for older
# consumers, which this one is not.
CONSENT_GIVEN = event_type("intake", "consent-given", 2)
CONSENT_WITHDRAWN = event_type("intake", "consent-withdrawn", 1)
ERASURE_APPROVED = event_type("intake", "erasure-approved", 1)


def instant(value: dt.datetime) -> str:
    """An instant as the consents' periods compare them: UTC, to the microsecond."""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def split(schema, data: dict, allowed: set[str]) -> tuple[dict, dict[str, dict]]:
    """A fact's data (JSON) as a copy holds it: the fields of no category, and the
    fields of each allowed category in a block of their own."""
    by_field = categories_of(schema)
    plain = {name: value for name, value in data.items() if by_field.get(name) is None}
    blocks: dict[str, dict] = {}
    for name, value in data.items():
        if by_field.get(name) in allowed:
            blocks.setdefault(by_field[name], {})[name] = value
    return plain, blocks


class IntakeNotDrained(Exception):
    """A fact of guidance or referrals waits for intake's facts before it to be applied
    (a consent's withdrawal among them)."""


class Policies:
    def __init__(self, app: SharingApplication):
        self.app = app
        self._dumpers: dict[str, object] = {}
        self._intake_drained_at: str | None = None  # when intake was last found to hold nothing new

    def _intake_applied_until(self, at: str) -> bool:
        """Whether every fact intake recorded before ``at`` is applied here. Once intake
        was found drained, everything it recorded before that moment is: a burst of
        facts from before it needs no second question."""
        if self._intake_drained_at is not None and at < self._intake_drained_at:
            return True
        asked = instant(dt.datetime.now(dt.timezone.utc))
        if not self.app.intake_drained(self.app.position_of("intake")):
            return False
        self._intake_drained_at = asked
        return True

    def _dumper(self, event_type: str):
        """The source fact's schema, made once per type: what turns its loaded data back to JSON."""
        if event_type not in self._dumpers:
            self._dumpers[event_type] = CATALOGUE[event_type]()
        return self._dumpers[event_type]

    def by_type(self) -> dict[str, Callable[[dict, ProcessingEvent], None]]:
        return {**{source_type: self.share for source_type in FEED_TYPES},
                CONSENT_GIVEN: self.note_consent, CONSENT_WITHDRAWN: self.note_withdrawal,
                ERASURE_APPROVED: self.tell_erasure}

    def _consents(self, processing: ProcessingEvent, client_id: UUID, create: bool = False) -> Consents | None:
        found = self.app.find(Consents.create_id(client_id), processing)
        return found or (Consents(client_id=client_id) if create else None)

    def _feed(self, processing: ProcessingEvent, organisation: str) -> Feed:
        return self.app.find(Feed.create_id(organisation), processing) or Feed(organisation=organisation)

    def note_consent(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        consents = self._consents(processing, data["client_id"], create=True)
        at = instant(event["time"])
        consents.note_given(data["recipient"], data["purpose"], data["categories"], data["share_history"], at)
        new_period = bool(consents.pending_events)  # not the same consent heard again
        processing.collect_events(consents)
        if data["share_history"] and new_period:
            queue = self.app.find(HistoryQueue.create_id(), processing) or HistoryQueue()
            queue.request(data["client_id"], data["recipient"], data["purpose"], at)
            processing.collect_events(queue)

    def note_withdrawal(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        consents = self._consents(processing, data["client_id"])
        if consents is None or not consents.note_withdrawn(data["recipient"], data["purpose"], instant(event["time"])):
            return
        processing.collect_events(consents)
        if recipients.public_key(data["recipient"]) is None:
            return  # its feed is not provisioned: it received nothing to stop
        feed = self._feed(processing, data["recipient"])
        feed.tell_withdrawal(data["client_id"], data["purpose"], instant(event["time"]))
        processing.collect_events(feed)

    def share(self, event: dict, processing: ProcessingEvent) -> None:
        try:
            client_id = UUID(event["subject"])
        except ValueError:
            return  # a fact about no one client
        consents = self._consents(processing, client_id)
        if consents is None:
            return
        schema = CATALOGUE[event["type"]]
        at = instant(event["time"])
        if schema.service != "intake" and not self._intake_applied_until(at):
            # The consents come from intake, the other facts from their own queues: a
            # withdrawal intake recorded before this fact may not be applied here yet.
            # Not yet, then: the message comes back once intake's queue is drained.
            raise IntakeNotDrained(event["type"])
        found = consents.recipients(schema.service, schema.fact, event["data"], at)
        if not found:
            return
        data = self._dumper(event["type"]).dump(event["data"])
        for organisation, (purposes, allowed) in sorted(found.items()):
            plain, blocks = split(schema, data, allowed)
            if not blocks:
                continue  # nothing the consent covers
            if recipients.public_key(organisation) is None:
                self.app.not_provisioned(organisation)
                continue
            feed = self._feed(processing, organisation)
            feed.share(client_id, event["id"], event["type"], at, sorted(purposes), plain, blocks)
            processing.collect_events(feed)

    def tell_erasure(self, event: dict, processing: ProcessingEvent) -> None:
        """Every organisation the client ever consented to hears that the data is
        erased (art. 19); this service's own copies are erased with the client's keys
        (shared.erasure, which runs beside this)."""
        consents = self._consents(processing, event["data"]["client_id"])
        for organisation in consents.organisations() if consents else ():
            if recipients.public_key(organisation) is None:
                continue
            feed = self._feed(processing, organisation)
            feed.tell_erasure(event["data"]["client_id"], instant(event["time"]))
            processing.collect_events(feed)
