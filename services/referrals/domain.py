"""The referrals service's aggregates."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.store import ServiceAggregate


class ClientOnRecord(ServiceAggregate):
    """What referrals needs to know of a client intake registered, and nothing more.
    Its id is the client's UUID, so a client can be on record here only once."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, languages: list[str], preferred_language: str):
        self.languages = list(languages)
        self.preferred_language = preferred_language
