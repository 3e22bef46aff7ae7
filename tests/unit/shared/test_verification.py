"""A verification as a job (shared.verification): up to the log position it started
at, against audit's last witnessed checkpoint, with a result the service signed; the
request and the outcome are facts of the service's log."""
import sqlite3

from services.intake.application import IntakeApplication
from shared import checkpoints, keys, verification
from tests.support.samples import WORKER, registration_args
from tests.unit.shared.test_sealing import sqlite_store

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


def started(app, path, witnessed_last=None):
    jobs, later = verification.Jobs(), []
    job_id = jobs.start(app, path, AUDITOR, witnessed_last, later.append)
    return jobs, job_id, later


def test_a_verification_reads_up_to_where_the_log_was_and_signs_what_it_found(tmp_path):
    app = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    app.register_client(WORKER, **registration_args(national_number=None))
    path = tmp_path / "checkpoints.jsonl"
    taken = checkpoints.Checkpointer(app, keys.signing_key(keys.events_key_name("intake")), path).take()
    jobs, job_id, later = started(app, path, {"number": 1, "digest": checkpoints.digest(taken)})
    running = jobs.status(app, job_id)
    assert (running["status"], running["read"], running["result"]) == ("running", 0, None)
    app.register_client(WORKER, **registration_args(national_number=None))  # written meanwhile: not read
    (run,) = later
    run()
    finished = jobs.status(app, job_id)
    result = finished["result"]
    assert finished["status"] == "finished" and result["holds"] and result["problems"] == []
    assert result["up_to"] == running["up_to"] < app.head() and result["witnessed"]["number"] == 1
    assert verification.signature_problem(result) is None
    assert verification.signature_problem({**result, "holds": False}) == "its signature does not hold"


def test_what_a_verification_finds_is_its_outcome(tmp_path):
    app = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    client_id = app.register_client(WORKER, **registration_args(national_number=None))
    path = tmp_path / "checkpoints.jsonl"
    checkpoints.Checkpointer(app, keys.signing_key(keys.events_key_name("intake")), path).take()
    with sqlite3.connect(tmp_path / "intake.sqlite") as db:  # someone removes the registration
        db.execute("DELETE FROM stored_events WHERE originator_id = ?", (client_id.hex,))
    witnessed = {"number": 7, "digest": "0" * 64}  # audit saw more checkpoints than this store holds
    jobs, job_id, later = started(app, path, witnessed)
    later[0]()
    result = jobs.status(app, job_id)["result"]
    assert not result["holds"]
    assert any(f"stream {client_id}: version 1 missing" in problem for problem in result["problems"])
    assert any("audit's witness: checkpoint 7 was witnessed" in problem for problem in result["problems"])
