"""The audit service's aggregate: one client's timeline across all services.

Each entry is an integration event as it was published (who did what, when, in
which agency); reading the timeline is itself an entry of the access log, kept in
the same chained stream, so the record of who looked is audited too.
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.access_log import FACT as READ_FACT
from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("c2a8e6f1-4b7d-4d3e-9f0a-5e1b8c7d2a64")


class Timeline(ServiceAggregate):
    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"timeline:{client_id}")

    @event("Started")
    def __init__(self, client_id: UUID):
        self.client_id = client_id
        self.entries: list[dict] = []
        self.reads: list[dict] = []

    @event("EntryRecorded")
    def record_entry(
        self, event_id: str, source: str, type: str, time: dt.datetime, position: int, agency: str | None,  # noqa: A002
        actor: str | None, actor_role: str | None, data: dict,
    ):
        self.entries.append({
            "event_id": event_id, "source": source, "type": type, "time": time, "position": position,
            "agency": agency, "actor": actor, "actor_role": actor_role, "data": data,
        })

    @event("FileRead")
    def record_read(self, reader: str, role: str, agency: str, purpose: str, query: str, at: dt.datetime):
        self.reads.append({"reader": reader, "role": role, "agency": agency, "purpose": purpose, "query": query,
                           "at": at})

    def ordered(self) -> list[dict]:
        """Causal order: each service's facts in its own log order, services
        interleaved by when the facts happened."""
        return sorted(self.entries, key=lambda e: (e["time"], e["source"], e["position"]))

    def facts(self) -> list[dict]:
        """What was done, in causal order, without the reads."""
        return [e for e in self.ordered() if e["type"].split(".")[3] != READ_FACT]

    def access_log(self) -> list[dict]:
        """Every recorded read of this file, through any service's query or this
        one's, oldest first."""
        elsewhere = [
            {"reader": e["actor"], "role": e["actor_role"], "agency": e["agency"], "purpose": e["data"]["purpose"],
             "query": e["data"]["query"], "service": e["source"], "at": e["time"]}
            for e in self.entries if e["type"].split(".")[3] == READ_FACT
        ]
        here = [{**read, "service": "audit"} for read in self.reads]
        return sorted(elsewhere + here, key=lambda r: r["at"])
