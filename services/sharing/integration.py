"""What sharing publishes: each organisation's feed entries, routed to that
organisation alone (``jwwrecipient``), each consented category sealed to the
organisation's public key as it is published (shared.recipients); and the notices
that a consent was withdrawn and that the client's data was erased (art. 19).

The store keeps each block sealed under the client's own key (``SEALED``), so an
erasure leaves an entry not yet published with no block to seal: it goes out
with its ids only."""
from __future__ import annotations

import json

from shared import recipients
from shared.contracts import CATALOGUE, event_type
from shared.contracts.declare import CATEGORIES
from shared.contracts.sharing import FEED_TYPES, SERVICE, SharedFact
from shared.outbox import Publication

from services.sharing.domain import Feed

WITHDRAWAL_NOTICE = event_type(SERVICE, "consent-withdrawn", 1)
ERASURE_NOTICE = event_type(SERVICE, "client-erased", 1)


def _sealed(organisation: str, blocks: dict) -> dict[str, str]:
    key = recipients.public_key(organisation)
    if key is None:  # provisioned when it was shared, so removed since: nothing goes out in clear
        raise recipients.keys.KeyMissing(f"no public key for organisation {organisation}")
    return {category: recipients.seal(key, json.dumps(block, separators=(",", ":"), sort_keys=True).encode())
            for category, block in blocks.items()}


def _entry(event) -> Publication:
    blocks = {c: getattr(event, c) for c in CATEGORIES if getattr(event, c, None) is not None}
    return Publication(
        type=FEED_TYPES[event.source_type], subject=str(event.client_id), recipient=event.recipient,
        sequence=event.sequence,
        data={"client_id": str(event.client_id), "recipient": event.recipient, "sequence": event.sequence,
              "fact_id": event.fact_id, "source": CATALOGUE[event.source_type].service,
              "recorded": event.recorded, "purposes": event.purposes, "fields": event.plain,
              "categories": _sealed(event.recipient, blocks)})


def _withdrawal(event) -> Publication:
    return Publication(
        type=WITHDRAWAL_NOTICE, subject=str(event.client_id), recipient=event.recipient, sequence=event.sequence,
        data={"client_id": str(event.client_id), "recipient": event.recipient, "sequence": event.sequence,
              "purpose": event.purpose, "withdrawn": event.withdrawn})


def _erasure(event) -> Publication:
    return Publication(
        type=ERASURE_NOTICE, subject=str(event.client_id), recipient=event.recipient, sequence=event.sequence,
        data={"client_id": str(event.client_id), "recipient": event.recipient, "sequence": event.sequence,
              "erased": event.erased})


def _on_stream(publish, stream: str = "events"):
    publish.stream = stream  # what the outbox reads it by
    return publish


PUBLICATIONS = {
    Feed.EntryShared: _on_stream(_entry),
    Feed.WithdrawalTold: _on_stream(_withdrawal),
    Feed.ErasureTold: _on_stream(_erasure),
}

SEALED = {Feed.EntryShared: SharedFact}
