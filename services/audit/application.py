"""The audit service's policies and queries, in simple types.

Only auditors read the timeline, and every read names its purpose and is recorded
in the client's own chained stream (the access log); so is every attempt audit
refuses (shared.access_log calls ``access_refused``).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import retry

from shared.access import allow
from shared.contracts import CATALOGUE
from shared.contracts import audit as contracts
from shared.contracts.base import FileRead
from shared.contracts.declare import personal_fields
from shared.errors import InvalidInput, NotFound
from shared.jsonable import jsonable
from shared.retention import Retention
from shared.store import ServiceApplication

from services.audit import exports, witness
from services.audit.domain import Timeline
from services.audit.replay import between, file_at

AUDITORS = {"auditor"}
# Domain event class -> the fact it records: its personal fields are stored sealed.
# A refused attempt (Timeline.AccessRefused) has none, and stays out of subject
# access, which takes the client's agency from these facts: a refusal's agency is
# the agency of whoever was refused.
SEALED = {Timeline.EntryRecorded: contracts.TimelineEntry, Timeline.FileRead: FileRead}
EXPORT_FORMAT = "jww-audit-export/1"


class AuditApplication(Retention, ServiceApplication):
    service_name = "audit"
    snapshotting_intervals = {Timeline: 500}
    sealed = SEALED
    reads = (Timeline.FileRead,)  # an auditor's reads are recorded on the timeline itself

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    # -- every published fact about a client goes on its timeline -------------------

    def policies(self):
        return {**{name: self.record for name, schema in CATALOGUE.items() if "client_id" in schema._declared_fields},
                **witness.policies()}

    def record(self, event: dict, processing: ProcessingEvent) -> None:
        client_id = event["data"]["client_id"]
        if client_id is None:  # a notice about a whole agency, not one client
            return
        try:
            timeline = self.aggregate_in(processing, Timeline.create_id(client_id))
        except AggregateNotFoundError:
            timeline = Timeline(client_id=client_id)
        timeline.record_entry(
            event["id"], event["source"].rsplit("/", 1)[-1], event["type"], event["time"], event["jwwposition"],
            event.get("jwwagency"), event.get("jwwactor"), event.get("jwwactorrole"), jsonable(event["data"]),
            personal_fields(CATALOGUE[event["type"]]),
        )
        processing.collect_events(timeline)

    # -- refusing, which is recorded -------------------------------------------------

    def access_refused(self, refusal_id: UUID, actor: dict, client_id: UUID, what: str, rule: str) -> Timeline | None:
        """The client's timeline with this refusal recorded on it, to be saved; None
        when it is on record already (shared.access_log). An attempt on a client no
        fact has reached yet begins the timeline: it is something about that client."""
        try:
            timeline: Timeline = self.repository.get(Timeline.create_id(client_id))
        except AggregateNotFoundError:
            timeline = Timeline(client_id=client_id)
        if timeline.refused_already(refusal_id):
            return None
        timeline.record_refusal(refusal_id, actor["user_id"], actor["role"], actor["agency"], what, rule,
                                self.clock())
        return timeline

    # -- reading, which is recorded -------------------------------------------------

    @retry(IntegrityError, max_attempts=3)
    def _read(self, actor: dict, client_id: UUID, purpose: str, purpose_detail: str, query: str) -> Timeline:
        """The timeline, once this read is recorded on it. A fact arriving meanwhile
        (the follower writes the same stream) fails the save: the read is then
        recorded after that fact, and shows it."""
        allow(actor, AUDITORS, f"read_audit_{query}")
        try:
            timeline: Timeline = self.repository.get(Timeline.create_id(client_id))
        except AggregateNotFoundError:
            raise NotFound("no facts about this client", {"client_id": ["not found"]}) from None
        timeline.record_read(actor["user_id"], actor["role"], actor["agency"], purpose, purpose_detail, query,
                             self.clock())
        self.save(timeline)
        return timeline

    def _erased(self, client_id: UUID) -> dict | None:
        """When (and on whose decision) the client's file was erased here, if it was."""
        for tombstone in self.data_keys.tombstones(client_id):
            if tombstone["retention"] == "case_file":
                return {"on": tombstone["shredded_at"], "decision": tombstone["decision"]}
        return None

    def timeline(self, actor: dict, client_id: UUID, purpose: str, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, purpose_detail: str = "") -> dict:
        """Who did what, when, in which agency; and who read this file."""
        timeline = self._read(actor, client_id, purpose, purpose_detail, "timeline")
        return jsonable({"client_id": client_id, "erased": self._erased(client_id),
                         "entries": timeline.facts(since, until), "access_log": timeline.access_log(since, until)})

    def replay(self, actor: dict, client_id: UUID, at: dt.datetime, purpose: str, purpose_detail: str = "") -> dict:
        """The file as it stood at ``at``, item by item, rebuilt from the stored facts
        alone. An instant after audit's clock is refused before anything is read: the
        file is known up to now. An instant before the client's first fact is a read
        of the file all the same (the auditor learns where it begins, so it is on the
        access log), answered as not found: there was no file yet."""
        allow(actor, AUDITORS, "read_audit_replay")
        self._known_by_now("at", at)
        timeline = self._read(actor, client_id, purpose, purpose_detail, "replay")
        facts = timeline.facts(until=at)
        if not facts:
            first = timeline.facts()
            raise NotFound("the client's file did not exist yet at this instant", {"at": [
                f"before the client's first fact ({first[0]['time'].isoformat()})" if first
                else "no fact about this client is on record"]})
        # The file is JSON as it is built (services/audit/replay.py): only the rest needs converting.
        return {**jsonable({"client_id": client_id, "erased": self._erased(client_id), "at": at,
                            "facts": len(facts)}), "file": file_at(facts)}

    def _known_by_now(self, field: str, instant: dt.datetime) -> None:
        """The file is known up to audit's clock: a later instant is refused before
        anything is read (a window ending tomorrow would seem to vouch for tomorrow)."""
        now = self.clock()
        if instant > now:
            raise InvalidInput("the instant is in the future: the file is known up to now",
                               {field: [f"must not be after the audit service's clock ({now.isoformat()})"]})

    def changes(self, actor: dict, client_id: UUID, since: dt.datetime, until: dt.datetime, purpose: str,
                purpose_detail: str = "") -> dict:
        """What changed in the file between two instants, item by item, and the facts
        that changed it."""
        allow(actor, AUDITORS, "read_audit_changes")
        self._known_by_now("until", until)
        timeline = self._read(actor, client_id, purpose, purpose_detail, "changes")
        return jsonable({"client_id": timeline.client_id, "erased": self._erased(client_id), "since": since,
                         "until": until, **between(timeline.facts(), since, until)})

    def export(self, actor: dict, client_id: UUID, since: dt.datetime, until: dt.datetime, purpose: str,
               purpose_detail: str = "") -> dict:
        """A client's history over a time window, whole, for an auditor to keep: the
        file at both ends, what changed, every fact and every read in between."""
        allow(actor, AUDITORS, "read_audit_export")
        self._known_by_now("until", until)
        timeline = self._read(actor, client_id, purpose, purpose_detail, "export")
        return exports.signed(self, jsonable({
            "format": EXPORT_FORMAT, "client_id": timeline.client_id, "erased": self._erased(client_id),
            "exported_at": self.clock(),
            "exported_by": {k: actor[k] for k in ("user_id", "role", "agency")}, "purpose": purpose,
            "purpose_detail": purpose_detail,
            "since": since, "until": until, **between(timeline.facts(), since, until),
            "access_log": timeline.access_log(since, until),
        }))
