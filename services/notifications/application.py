"""The notifications service's commands, queries and policies, in simple types."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.application import ProcessingEvent

from shared.contracts import event_type
from shared.store import ServiceApplication

from services.notifications.domain import ClientOnRecord


class NotificationsApplication(ServiceApplication):
    service_name = "notifications"

    def policies(self):
        return {event_type("intake", "client-registered", 1): self.note_registered_client}

    def note_registered_client(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        processing.collect_events(ClientOnRecord(
            client_id=data["client_id"],
            agency=data["agency"],
        ))

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)
