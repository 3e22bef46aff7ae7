"""The access log's retention (shared.retention): what readers added to their reads'
purposes goes ten years (``access_log_retention``) after the client's last read
recorded in a service; who read, when and why (the code) stay, and every chain holds."""
import datetime as dt

import pytest

from services.audit.application import AuditApplication
from services.audit.domain import Timeline
from services.intake.application import IntakeApplication
from shared import chain
from shared.errors import Forbidden
from shared.retention import AccessLogExpired
from tests.support.fakes import Link
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.shared.test_sealing import sqlite_store

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


def reads_of(app, client_id):
    return [e for e in app.stored(*app.reads) if e.client_id == client_id]


def test_an_old_access_log_loses_what_readers_added_and_keeps_who_read(tmp_path):
    intake = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    old = intake.register_client(WORKER, **registration_args(national_number=None))
    recent = intake.register_client(WORKER, **registration_args(national_number=None))
    intake.client_file(COORDINATOR, old, "court_request", "Zq7court file 2026/17")
    intake.client_file(COORDINATOR, recent, "court_request", "Zq7court file 2026/18")
    assert intake.apply_retention(DPO) == []  # read a moment ago: ten years to go
    with pytest.raises(Forbidden):
        intake.apply_retention(WORKER)

    intake.access_log_retention = dt.timedelta(seconds=0)  # the policy moved instead of the clock
    intake.client_file(COORDINATOR, recent, "casework")  # read again: due from this read on
    due = intake.apply_retention(DPO)  # a dry run: nothing changes
    assert {d["rule"] for d in due} == {"access_log"} and {d["client_id"] for d in due} == {str(old), str(recent)}
    assert reads_of(intake, old)[0].purpose_detail == "Zq7court file 2026/17"
    assert intake.apply_retention(DPO, dry_run=False) == due
    assert intake.apply_retention(DPO) == []  # done: nothing more is due

    reopened = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    (read,) = reads_of(reopened, old)
    assert (read.reader, read.purpose, read.purpose_detail) == (COORDINATOR["user_id"], "court_request", None)
    assert reopened.repository.get(old).family_name == "Testperson"  # the file itself stays
    assert len([e for e in reopened.stored(AccessLogExpired.Recorded) if e.client_id == old]) == 1
    assert b"Zq7court" not in (tmp_path / "intake.sqlite").read_bytes()
    assert list(chain.verify(reopened.recorder)) == []


def test_an_expiry_cut_short_before_the_key_went_finishes_next_time(tmp_path):
    intake = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    client_id = intake.register_client(WORKER, **registration_args(national_number=None))
    intake.client_file(COORDINATOR, client_id, "court_request", "Zq7court file")
    intake.access_log_retention = dt.timedelta(seconds=0)
    shred = intake.data_keys.shred
    intake.data_keys.shred = lambda *args: (_ for _ in ()).throw(OSError("the process stopped here"))
    with pytest.raises(OSError):
        intake.apply_retention(DPO, dry_run=False)
    intake.data_keys.shred = shred
    assert intake.apply_retention(DPO, dry_run=False)  # the fact was recorded already: the key goes now
    assert intake.apply_retention(DPO) == [] and reads_of(intake, client_id)[0].purpose_detail is None


def test_audit_s_snapshots_of_a_timeline_do_not_keep_what_its_expired_access_log_said(tmp_path):
    from tests.support.fakes import intake as new_intake

    intake = new_intake()
    client_id = intake.register_client(WORKER, **registration_args())
    audit = AuditApplication(store=sqlite_store(tmp_path / "audit.sqlite"))
    audit.snapshotting_intervals = {Timeline: 2}  # every other event: the reads are in a snapshot
    Link(audit, intake, "intake").deliver()
    for n in range(3):
        audit.timeline(AUDITOR, client_id, "inspection", purpose_detail=f"Zq7round {n}")
    assert audit.snapshots.recorder.select_events(Timeline.create_id(client_id), desc=True, limit=1)

    audit.access_log_retention = dt.timedelta(seconds=0)
    assert [d["client_id"] for d in audit.apply_retention(DPO, dry_run=False)] == [str(client_id)]
    reopened = AuditApplication(store=sqlite_store(tmp_path / "audit.sqlite"))
    shown = reopened.timeline(AUDITOR, client_id, "inspection")
    details = [r["purpose_detail"] for r in shown["access_log"] if r["service"] == "audit"]
    assert details[:3] == [None, None, None]  # the snapshot that held them is passed over
    assert shown["entries"][0]["data"]["languages"] == registration_args()["languages"]  # the rest stays
