"""Intake's commands and queries, in simple types."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared.contracts import event_type
from shared.errors import Conflict, Forbidden, NotFound
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


def _languages_recorded(e: Client.LanguagesRecorded) -> Publication:
    return Publication(
        type=event_type("intake", "client-languages-recorded", 1),
        subject=str(e.originator_id),
        data={
            "client_id": str(e.originator_id),
            "languages": list(e.languages),
            "preferred_language": e.preferred_language,
            "interpreter_needed": e.interpreter_needed,
        },
        agency=e.recorded_by["agency"],
        actor=e.recorded_by["user_id"],
        actor_role=e.recorded_by["role"],
    )


class IntakeApplication(ServiceApplication):
    service_name = "intake"
    publications = {Client.Registered: _client_registered, Client.LanguagesRecorded: _languages_recorded}

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

    def record_languages(
        self,
        actor: dict,
        client_id: UUID,
        expected_version: int,
        languages: list[str],
        preferred_language: str,
        interpreter_needed: bool,
    ) -> int:
        client = self.get_client(client_id)
        if client.agency != actor["agency"]:
            raise Forbidden("this client is followed by another agency")
        if client.version != expected_version:
            # The caller decided on what it saw at expected_version; acting on a
            # newer file could silently undo someone else's change.
            raise Conflict(
                "the client file changed since you read it; reload it and try again",
                {"expected_version": [f"the file is at version {client.version}"]},
            )
        client.record_languages(languages, preferred_language, interpreter_needed, recorded_by=actor)
        self.save(client)
        return client.version

    def get_client(self, client_id: UUID) -> Client:
        try:
            return self.repository.get(client_id)
        except AggregateNotFoundError:
            raise NotFound("no such client", {"client_id": [str(client_id)]}) from None
