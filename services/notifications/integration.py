"""What notifications publishes: that someone was told something about a client,
and whether the e-mail reached them, never the subject or the body; and that it
erased what it kept about a client.

Each translation reads the domain event alone: the events a notification
publishes repeat whom and what it is about (``domain.Notification``). A notice
about no one client (a waitlist's size) is the notification's own subject, and the
envelope names no agency for any of them (as published since version 1)."""
from __future__ import annotations

from shared.contracts import notifications as contracts
from shared.erasure import ErasureCarriedOut
from shared.outbox import publish_as

from services.notifications.domain import Notification


def _subject(e) -> str:
    return str(e.client_id) if e.client_id else f"notification/{e.originator_id}"


def _published(schema):
    return publish_as(schema, identity="notification_id", subject=_subject, agency=lambda e: None)


def _by_kind(version_1, version_2):
    """Version 1 for the kinds it promised (and a kind erased), version 2 for a kind
    added since: consumers of version 1 see nothing change."""
    old, new = _published(version_1), _published(version_2)

    def publish(e):
        return (old if e.kind is None or e.kind in contracts.KINDS else new)(e)

    publish.schema, publish.reads, publish.about_client, publish.stream = (
        old.schema, old.reads, old.about_client, old.stream)
    publish.versions = (old.schema, new.schema)
    return publish


PUBLICATIONS = {
    Notification.Created: _by_kind(contracts.NotificationIssuedV1, contracts.NotificationIssuedV2),
    Notification.Delivered: _by_kind(contracts.NotificationDeliveredV1, contracts.NotificationDeliveredV2),
    Notification.DeadLettered: _by_kind(contracts.NotificationDeadLetteredV1, contracts.NotificationDeadLetteredV2),
    # Recorded by shared code for a client on intake's decision.
    ErasureCarriedOut.Recorded: publish_as(contracts.ErasureCarriedOutV1, agency=lambda e: None),
}


# Domain event class -> the fact it records: its personal fields (what a notification
# says about its client: kind, subject, body) are stored sealed under the client's
# data keys (shared.sealing). The other events hold nothing about a client: the
# client, team and waitlist records keep ids, agencies and staff (directory data, as
# intake declares them), and an attempt, a withdrawal or a reading only when and how.
SEALED = {
    Notification.Created: contracts.Notification,
    Notification.Delivered: contracts.Delivery,
    Notification.DeadLettered: contracts.DeadLetter,
}
