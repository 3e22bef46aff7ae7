"""An export is signed by audit, naming audit's last checkpoint when it was made: a
kept copy can later be shown to be what audit answered; a copy changed in any way
no longer holds."""
import copy
import datetime as dt

from services.audit import exports, witness
from services.audit.application import AuditApplication
from shared import checkpoints, keys
from tests.support.fakes import IN_MEMORY, Link, intake as new_intake
from tests.support.samples import WORKER, registration_args
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


def window() -> dict:
    """From well before the case to now: a window may not end after audit's clock."""
    return {"since": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), "until": dt.datetime.now(dt.timezone.utc)}


def test_an_export_is_signed_at_audit_s_last_checkpoint_and_a_changed_copy_does_not_hold(tmp_path):
    intake, audit = new_intake(), AuditApplication(env=IN_MEMORY)
    client_id = intake.register_client(WORKER, **registration_args())
    Link(audit, intake, "intake").deliver()
    taken = checkpoints.Checkpointer(audit, keys.signing_key(keys.events_key_name("audit")),
                                     tmp_path / "audit.jsonl", every_seconds=0).take()

    export = audit.export(AUDITOR, client_id, purpose="inspection", **window())
    assert export["checkpoint"] == {"number": 1, "position": taken["position"], "digest": checkpoints.digest(taken)}
    assert exports.signature_problem(export) is None

    changed = copy.deepcopy(export)
    changed["facts"][0]["actor"] = "someone-else"
    assert exports.signature_problem(changed) == "its signature does not hold"
    unsigned = {k: v for k, v in export.items() if k != "signature"}
    assert exports.signature_problem(unsigned).startswith("its signature is malformed")


def test_audit_keeps_the_checkpoints_each_service_publishes(tmp_path):
    intake, audit = new_intake(clients=1), AuditApplication(env=IN_MEMORY)
    taker = checkpoints.Checkpointer(intake, keys.signing_key(keys.events_key_name("intake")),
                                     tmp_path / "intake.jsonl", every_seconds=0)
    first = taker.take()
    Link(audit, intake, "intake").deliver()
    assert witness.witnessed(audit, "intake") == [first]
    Link(audit, intake, "intake").deliver()  # delivered again: kept once
    assert witness.witnessed(audit, "intake") == [first]


def test_the_command_line_says_whether_a_kept_export_holds(tmp_path, capsys):
    import json

    from jww.main import main

    intake, audit = new_intake(), AuditApplication(env=IN_MEMORY)
    client_id = intake.register_client(WORKER, **registration_args())
    Link(audit, intake, "intake").deliver()
    kept = tmp_path / "export.json"
    kept.write_text(json.dumps(audit.export(AUDITOR, client_id, purpose="inspection", **window())))
    assert main(["verify-export", str(kept)]) == 0
    assert capsys.readouterr().out == f"{kept}: signed by audit before any checkpoint\n"
    kept.write_text(kept.read_text().replace('"inspection"', '"complaint"'))
    assert main(["verify-export", str(kept)]) == 1
    assert "not what audit signed: its signature does not hold" in capsys.readouterr().out
