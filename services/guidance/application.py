"""The guidance service's commands, queries and policies, in simple types."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from shared.contracts import event_type
from shared.store import ServiceApplication

from services.guidance.domain import ClientOnRecord


class GuidanceApplication(ServiceApplication):
    service_name = "guidance"

    def policies(self):
        return {event_type("intake", "client-registered", 1): self.note_registered_client}

    def note_registered_client(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        processing.collect_events(ClientOnRecord(
            client_id=data["client_id"],
            legal_position=data["legal_position"],
            languages=data["languages"],
            interpreter_needed=data["interpreter_needed"],
        ))

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)
