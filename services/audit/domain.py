"""The audit service's aggregate: one client's timeline across all services.

Each entry is an integration event as it was published (who did what, when, in
which agency); reading the timeline is itself an entry of the access log, kept in
the same chained stream, so the record of who looked is audited too. So is every
refused attempt: each service publishes its own beside its reads, and audit records
those it refuses itself (someone not an auditor asking for the timeline).
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("c2a8e6f1-4b7d-4d3e-9f0a-5e1b8c7d2a64")
# The facts every service publishes for a read and for a refused attempt
# (shared.access_log.FACT and REFUSED_FACT; a test keeps them equal).
READ_FACT = "client-file-read"
REFUSED_FACT = "client-access-refused"
ACCESS_FACTS = (READ_FACT, REFUSED_FACT)
# What became of an attempt to read or change the file, as the access log says.
READ, REFUSED = "read", "refused"


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
        self.refusals: list[dict] = []

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

    def refused_already(self, refusal_id: UUID) -> bool:
        """Whether this refusal is on record (the same request, delivered again)."""
        return any(r["refusal_id"] == refusal_id for r in self.refusals)

    def record_refusal(self, refusal_id: UUID, actor: str, role: str, agency: str, what: str, rule: str,
                       at: dt.datetime) -> None:
        self._refused(client_id=self.client_id, refusal_id=refusal_id, actor=actor, role=role, agency=agency,
                      what=what, rule=rule, at=at)

    # An attempt audit refused itself: the fields every service's refusal carries
    # (declared in shared.contracts.base.AccessRefused), the id that makes a
    # redelivered request's refusal the same one, and the instant audit's clock gave it.
    @event("AccessRefused")
    def _refused(self, client_id: UUID, refusal_id: UUID, actor: str, role: str, agency: str, what: str, rule: str,
                 at: dt.datetime):
        self.refusals.append({"refusal_id": refusal_id, "actor": actor, "role": role, "agency": agency,
                              "what": what, "rule": rule, "at": at})

    def ordered(self) -> list[dict]:
        """Causal order: each service's facts in its own log order, services
        interleaved by when the facts happened."""
        return sorted(self.entries, key=lambda e: (e["time"], e["source"], e["position"]))

    def facts(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
        """What was done in the window ``(since, until]``, in causal order, without the
        reads and refused attempts."""
        return within([e for e in self.ordered() if _fact(e) not in ACCESS_FACTS], "time", since, until)

    def access_log(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
        """Every recorded read of this file and every refused attempt to read or change
        it in the window ``(since, until]``, through any service or this one, oldest
        first. An attempt's ``outcome`` says which, and a refusal's ``rule`` what
        refused it; a refusal has no purpose (nothing was read), and its ``query`` is
        the RPC refused. What a reader added to the purpose of a read elsewhere stays
        in that service (None here)."""
        elsewhere = [
            {"outcome": READ, "reader": e["actor"], "role": e["actor_role"], "agency": e["agency"],
             "purpose": e["data"]["purpose"], "purpose_detail": None, "query": e["data"]["query"], "rule": None,
             "service": e["source"], "at": e["time"]}
            for e in self.entries if _fact(e) == READ_FACT
        ]
        elsewhere += [
            {"outcome": REFUSED, "reader": e["actor"], "role": e["actor_role"], "agency": e["agency"], "purpose": None,
             "purpose_detail": None, "query": e["data"]["what"], "rule": e["data"]["rule"], "service": e["source"],
             "at": e["time"]}
            for e in self.entries if _fact(e) == REFUSED_FACT
        ]
        here = [{"outcome": READ, **read, "rule": None, "service": "audit"} for read in self.reads]
        here += [{"outcome": REFUSED, "reader": r["actor"], "role": r["role"], "agency": r["agency"], "purpose": None,
                  "purpose_detail": None, "query": r["what"], "rule": r["rule"], "service": "audit", "at": r["at"]}
                 for r in self.refusals]
        return within(sorted(elsewhere + here, key=lambda r: r["at"]), "at", since, until)
