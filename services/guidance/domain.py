"""The guidance service's aggregates."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.store import ServiceAggregate


class ClientOnRecord(ServiceAggregate):
    """What guidance needs to know of a client intake registered, and nothing more.
    Its id is the client's UUID, so a client can be on record here only once."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, legal_position: str, languages: list[str], interpreter_needed: bool):
        self.legal_position = legal_position
        self.languages = list(languages)
        self.interpreter_needed = interpreter_needed
