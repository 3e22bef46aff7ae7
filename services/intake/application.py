"""Intake's commands and queries, in simple types."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared.contracts import event_type
from shared.errors import Forbidden, NotFound
from shared.outbox import Publication
from shared.store import ServiceApplication

from services.intake.domain import Client

MAY_REGISTER = {"social_assistant", "criminologist", "jurist", "coordinator", "admin"}


def _client_registered(e: Client.Registered) -> Publication:
    return Publication(
        type=event_type("intake", "client-registered", 1),
        subject=str(e.originator_id),
        data={
            "client_id": str(e.originator_id),
            "agency": e.agency,
            "legal_position": e.legal_position,
            "languages": list(e.languages),
            "preferred_language": e.preferred_language,
            "interpreter_needed": e.interpreter_needed,
        },
        agency=e.agency,
        actor=e.registered_by["user_id"],
        actor_role=e.registered_by["role"],
    )


class IntakeApplication(ServiceApplication):
    service_name = "intake"
    publications = {Client.Registered: _client_registered}

    def register_client(
        self,
        actor: dict,
        legal_position: str,
        languages: list[str],
        preferred_language: str,
        interpreter_needed: bool = False,
    ) -> UUID:
        if actor["role"] not in MAY_REGISTER:
            raise Forbidden(f"a {actor['role']} may not register clients")
        client = Client(
            agency=actor["agency"],
            registered_by=actor,
            legal_position=legal_position,
            languages=languages,
            preferred_language=preferred_language,
            interpreter_needed=interpreter_needed,
        )
        self.save(client)
        return client.id

    def get_client(self, client_id: UUID) -> Client:
        try:
            return self.repository.get(client_id)
        except AggregateNotFoundError:
            raise NotFound("no such client", {"client_id": [str(client_id)]}) from None
