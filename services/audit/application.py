"""The audit service's policies and queries, in simple types.

Only auditors read the timeline, and every read names its purpose and is recorded
in the client's own chained stream (the access log).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import CATALOGUE
from shared.errors import Forbidden, NotFound
from shared.rpc import jsonable
from shared.store import ServiceApplication

from services.audit.domain import Timeline
from services.audit.replay import file_at

log = logging.getLogger(__name__)

AUDITORS = {"auditor"}


class AuditApplication(ServiceApplication):
    service_name = "audit"
    snapshotting_intervals = {Timeline: 500}

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    # -- every published fact about a client goes on its timeline -------------------

    def policies(self):
        return {name: self.record for name, schema in CATALOGUE.items() if "client_id" in schema._declared_fields}

    def record(self, event: dict, processing: ProcessingEvent) -> None:
        client_id = event["data"]["client_id"]
        try:
            timeline = self.aggregate_in(processing, Timeline.create_id(client_id))
        except AggregateNotFoundError:
            timeline = Timeline(client_id=client_id)
        timeline.record_entry(
            event["id"], event["source"].rsplit("/", 1)[-1], event["type"], event["time"], event["jwwposition"],
            event.get("jwwagency"), event.get("jwwactor"), event.get("jwwactorrole"), jsonable(event["data"]),
        )
        processing.collect_events(timeline)

    # -- reading, which is recorded -------------------------------------------------

    def _read(self, actor: dict, client_id: UUID, purpose: str, query: str) -> Timeline:
        if actor["role"] not in AUDITORS:
            log.warning("refused", extra={"command": query, "actor": actor["user_id"], "actor_role": actor["role"],
                                          "reason": "role"})
            raise Forbidden("only an auditor reads the audit timeline")
        try:
            timeline: Timeline = self.repository.get(Timeline.create_id(client_id))
        except AggregateNotFoundError:
            raise NotFound("no facts about this client", {"client_id": ["not found"]}) from None
        timeline.record_read(actor["user_id"], actor["role"], actor["agency"], purpose, query, self.clock())
        self.save(timeline)
        return timeline

    def timeline(self, actor: dict, client_id: UUID, purpose: str, since: dt.datetime | None = None,
                 until: dt.datetime | None = None) -> dict:
        """Who did what, when, in which agency; and who read this file before."""
        timeline = self._read(actor, client_id, purpose, "timeline")
        entries = [e for e in timeline.ordered()
                   if (since is None or e["time"] > since) and (until is None or e["time"] <= until)]
        return jsonable({"client_id": client_id, "entries": entries, "access_log": timeline.reads})

    def replay(self, actor: dict, client_id: UUID, at: dt.datetime, purpose: str) -> dict:
        """The file as it stood at ``at``, rebuilt from the stored facts alone."""
        timeline = self._read(actor, client_id, purpose, "replay")
        entries = [e for e in timeline.ordered() if e["time"] <= at]
        return jsonable({"client_id": client_id, "at": at, "facts": len(entries), "file": file_at(entries)})
