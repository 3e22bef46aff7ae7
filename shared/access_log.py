"""Who read a client's file, when, and for which purpose.

Every query that shows a client's file records one ``FileRead`` before it answers,
in the service's own chained store, and the service publishes it on its access
stream, which only audit reads, so the audit service keeps each read on the
client's timeline beside the facts. A read that cannot be recorded is not answered.
The record holds ids, role, agency, the purpose (a code) and what the reader added
to it (kept here, never published); never what was shown.
"""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.contracts import CATALOGUE, event_type
from shared.contracts.base import FILE_READ_VERSION
from shared.contracts.base import FileRead as FileReadFact
from shared.outbox import publish_as
from shared.domain import ServiceAggregate

# What a caseworker's ordinary reading of a file they work on is for; any other
# purpose (shared.contracts.base.READ_PURPOSES) is stated by the reader.
CASEWORK = "casework"
FACT = "client-file-read"


class FileRead(ServiceAggregate):
    """One read: a one-event aggregate, so recording it never waits on another. Its
    fields are declared once, in ``shared.contracts.base.FileRead``."""

    @event("Recorded")
    def __init__(self, client_id: UUID, reader: str, role: str, agency: str, purpose: str, purpose_detail: str,
                 query: str):
        self.client_id, self.reader, self.role, self.agency = client_id, reader, role, agency
        self.purpose, self.purpose_detail, self.query = purpose, purpose_detail, query


def record(app, actor: dict, client_ids: list[UUID], purpose: str, purpose_detail: str, query: str) -> None:
    """One read per client shown, saved together: a search answers once, not per client."""
    app.save(*(FileRead(client_id=client_id, reader=actor["user_id"], role=actor["role"], agency=actor["agency"],
                        purpose=purpose, purpose_detail=purpose_detail, query=query) for client_id in client_ids))


SEALED = {FileRead.Recorded: FileReadFact}  # what the reader added to the purpose is personal


def publication(service: str):
    """How ``service`` publishes its reads: who read is the envelope's actor, role and agency."""
    return {FileRead.Recorded: publish_as(CATALOGUE[event_type(service, FACT, FILE_READ_VERSION)],
                                          actor=lambda e: {"user_id": e.reader, "role": e.role})}
