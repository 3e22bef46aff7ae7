"""Audit's copies at rest (shared.sealing): what a published fact says about the
client, and what an auditor added to the purpose of a read, are sealed under the
client's keys; once shredded, the timeline still counts the facts."""
import datetime as dt

from services.audit.application import AuditApplication
from shared.contracts.audit_answers import FileReplay, Timeline
from shared import chain
from shared.contracts.declare import RETENTION_CLASSES
from tests.support.fakes import Link, intake as new_intake
from tests.support.samples import WORKER, registration_args
from tests.unit.shared.test_sealing import sqlite_store

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}
MARKER = "Zq7court-file-2026-17"


def test_what_is_about_the_client_is_sealed_and_the_facts_still_count_once_erased(tmp_path):
    intake = new_intake()
    client_id = intake.register_client(WORKER, **registration_args(languages=["ar"], preferred_language="ar"))
    audit = AuditApplication(store=sqlite_store(tmp_path / "audit.sqlite"))
    Link(audit, intake, "intake").deliver()
    shown = audit.timeline(AUDITOR, client_id, "court_request", purpose_detail=MARKER)
    assert shown["entries"][0]["data"]["languages"] == ["ar"]
    assert (shown["erased"], shown["entries"][0]["erased"]) == (None, [])

    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert MARKER.encode() not in stored
    registered = [r for r in chain.records(audit.recorder) if r.topic.endswith("EntryRecorded")][0]
    assert b'"languages"' not in registered.state.split(b'"withheld"')[0]  # only its name, among the withheld
    assert list(chain.verify(audit.recorder)) == []

    audit.data_keys.shred(client_id, list(RETENTION_CLASSES), "erasure 2026/1")
    reopened = AuditApplication(store=sqlite_store(tmp_path / "audit.sqlite"))
    after = reopened.timeline(AUDITOR, client_id, "inspection")
    assert [e["type"] for e in after["entries"]] == [e["type"] for e in shown["entries"]]
    assert after["entries"][0]["data"]["languages"] is None
    assert "languages" in after["entries"][0]["erased"]  # said to be erased, not merely empty
    assert after["erased"]["decision"] == "erasure 2026/1" and after["erased"]["on"]
    replayed = reopened.replay(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc), "inspection")
    assert replayed["erased"] == after["erased"] and replayed["facts"] == len(after["entries"])
    Timeline().load(after) and FileReplay().load(replayed)  # what the gateway answers: valid against the contract
    assert [r["purpose_detail"] for r in after["access_log"] if r["query"] == "timeline"] == [None, ""]
    assert list(chain.verify(reopened.recorder)) == []
