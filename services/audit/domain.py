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

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("c2a8e6f1-4b7d-4d3e-9f0a-5e1b8c7d2a64")
# The fact every service publishes for a read (shared.access_log.FACT; a test keeps them equal).
READ_FACT = "client-file-read"


def within(items: list[dict], key: str, since: dt.datetime | None, until: dt.datetime | None) -> list[dict]:
    """Items of the window ``(since, until]``; an open end when None."""
    return [i for i in items if (since is None or i[key] > since) and (until is None or i[key] <= until)]


def _fact(entry: dict) -> str:
    return entry["type"].split(".")[3]


class Timeline(ServiceAggregate):
    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"timeline:{client_id}")

    @event("Started")
    def __init__(self, client_id: UUID):
        self.client_id = client_id
        self.entries: list[dict] = []
        self.reads: list[dict] = []

    def record_entry(
        self, event_id: str, source: str, type: str, time: dt.datetime, position: int, agency: str | None,  # noqa: A002
        actor: str | None, actor_role: str | None, data: dict, personal: list[str],
    ) -> None:
        """One published fact; ``personal`` names the fields of its data that say
        something about the client (its contract's declaration), which are stored
        sealed, apart from the rest (shared.sealing)."""
        self._entry(
            client_id=self.client_id, event_id=event_id, source=source, type=type, time=time, position=position,
            agency=agency, actor=actor, actor_role=actor_role,
            data={k: v for k, v in data.items() if k not in personal},
            about_the_client={k: v for k, v in data.items() if k in personal}, withheld=sorted(personal),
        )

    # ``about_the_client`` is None once the client's keys are shredded: the fields it
    # held read as None and are named as erased, and the rest of the entry still counts.
    @event("EntryRecorded")
    def _entry(
        self, client_id: UUID, event_id: str, source: str, type: str, time: dt.datetime, position: int,  # noqa: A002
        agency: str | None, actor: str | None, actor_role: str | None, data: dict, about_the_client: dict | None,
        withheld: list[str],
    ):
        self.entries.append({
            "event_id": event_id, "source": source, "type": type, "time": time, "position": position,
            "agency": agency, "actor": actor, "actor_role": actor_role,
            "data": {**data, **(about_the_client if about_the_client is not None else dict.fromkeys(withheld))},
            "erased": [] if about_the_client is not None else list(withheld),
        })

    def record_read(self, reader: str, role: str, agency: str, purpose: str, purpose_detail: str, query: str,
                    at: dt.datetime) -> None:
        self._read(client_id=self.client_id, reader=reader, role=role, agency=agency, purpose=purpose,
                   purpose_detail=purpose_detail, query=query, at=at)

    # A read of this file through audit's own query: the fields every service's read
    # carries (declared in shared.contracts.base.FileRead), and the instant audit's
    # clock gave it, which a published read takes from its envelope.
    @event("FileRead")
    def _read(self, client_id: UUID, reader: str, role: str, agency: str, purpose: str, purpose_detail: str,
              query: str, at: dt.datetime):
        self.reads.append({"reader": reader, "role": role, "agency": agency, "purpose": purpose,
                           "purpose_detail": purpose_detail, "query": query, "at": at})

    def ordered(self) -> list[dict]:
        """Causal order: each service's facts in its own log order, services
        interleaved by when the facts happened."""
        return sorted(self.entries, key=lambda e: (e["time"], e["source"], e["position"]))

    def facts(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
        """What was done in the window ``(since, until]``, in causal order, without the reads."""
        return within([e for e in self.ordered() if _fact(e) != READ_FACT], "time", since, until)

    def access_log(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
        """Every recorded read of this file in the window ``(since, until]``, through
        any service's query or this one's, oldest first. What a reader added to the
        purpose of a read elsewhere stays in that service (None here)."""
        elsewhere = [
            {"reader": e["actor"], "role": e["actor_role"], "agency": e["agency"], "purpose": e["data"]["purpose"],
             "purpose_detail": None, "query": e["data"]["query"], "service": e["source"], "at": e["time"]}
            for e in self.entries if _fact(e) == READ_FACT
        ]
        here = [{**read, "service": "audit"} for read in self.reads]
        return within(sorted(elsewhere + here, key=lambda r: r["at"]), "at", since, until)
