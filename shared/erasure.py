"""An approved erasure, carried out in every service that follows intake: its data
keys for that client are destroyed (shared.datakeys), so that every personal field
it keeps about the client becomes unreadable while the facts, and every chain over
them, stay. A redelivered approval changes nothing (a shredded key stays shredded);
one lost in a crash is applied again from the broker or the upstream's log."""
from __future__ import annotations

from uuid import UUID

from shared.contracts import event_type
from shared.contracts.declare import RETENTION_CLASSES

APPROVED = event_type("intake", "erasure-approved", 1)


def reactions(app) -> dict:
    """What every service does when intake approves an erasure."""

    def carry_out(event: dict, processing) -> None:
        data = event["data"]
        app.data_keys.shred(UUID(str(data["client_id"])), list(RETENTION_CLASSES), str(data["erasure_id"]))

    return {APPROVED: carry_out}
