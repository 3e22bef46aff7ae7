"""A national register number belongs to one client file only."""
from __future__ import annotations

import hashlib
import hmac
import uuid

from eventsourcing.domain import event

from shared.domain import ServiceAggregate


class NationalNumberClaim(ServiceAggregate):
    """Saved together with a client's registration: a second registration of the
    same number collides with it in the store, so there is never a duplicate file.

    It is known by a keyed hash (HMAC) of the number, so that neither its id nor
    the store reveals the number to anyone without the service's key."""

    @staticmethod
    def digest(national_number: str, key: bytes) -> str:
        return hmac.new(key, national_number.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def create_id(digest: str) -> uuid.UUID:
        return uuid.UUID(hex=digest[:32])

    @event("Claimed")
    def __init__(self, digest: str, client_id: uuid.UUID):
        self.client_id: uuid.UUID | None = client_id

    def release(self) -> None:
        """The client's data was erased: the number no longer points to them, and may
        be registered again (WAVE2 11)."""
        self._released()

    @event("Released")
    def _released(self):
        self.client_id = None

    def claim_again(self, client_id: uuid.UUID) -> None:
        self._claimed_again(client_id=client_id)

    @event("ClaimedAgain")
    def _claimed_again(self, client_id: uuid.UUID):
        self.client_id = client_id
