"""Audit witnesses every service's checkpoints through the running platform: intake's
relay signs one within seconds of new events, audit keeps it in its own store, and
``jww verify --witness`` checks intake's store against audit's copy, before and
after someone deletes the tail of a stream directly in intake's database."""
import sqlite3
import subprocess
import sys

from services.audit import witness
from shared import checkpoints
from tests.support.broker import wait_until
from tests.support.platform import last_published
from tests.support.samples import WORKER, registration_payload


def jww(platform, *args):
    return subprocess.run([sys.executable, "-m", "jww", *args], env=platform.env(args[1]), capture_output=True,
                          text=True, timeout=120)


def test_audit_keeps_intake_s_checkpoints_and_verify_holds_intake_to_them(platform, tmp_path):
    platform.start_services("intake", "audit")
    with platform.rpc() as rpc:
        clients = [rpc.intake.register_client(registration_payload(actor=WORKER))["client_id"] for _ in range(3)]
    head = last_published(platform.application("intake"))
    wait_until(lambda: any(c["position"] >= head for c in witness.witnessed(platform.application("audit"), "intake")),
               timeout=60, what="audit to witness a checkpoint of intake's registrations")
    kept = witness.witnessed(platform.application("audit"), "intake")
    assert kept == checkpoints.checkpoints_in_log(platform.application("intake"))[:len(kept)]
    platform.stop_all()

    printed = jww(platform, "witness", "intake")
    assert printed.returncode == 0, printed.stderr
    copy = tmp_path / "witness.jsonl"
    copy.write_text(printed.stdout)
    clean = jww(platform, "verify", "intake", "--witness", str(copy))
    assert (clean.returncode, clean.stdout.strip()) == (
        0, "intake: every chain, checkpoint and snapshot holds, and audit's witness"), clean.stdout + clean.stderr

    # Someone with access to intake's database removes a client's registration, and
    # rewrites the relay's file to match; audit's copy, elsewhere, still says it was there.
    store = platform.settings("intake").store.sqlite_path
    with sqlite3.connect(store) as db:
        db.execute("DELETE FROM stored_events WHERE originator_id = ?", (clients[1].replace("-", ""),))
    platform.settings("intake").checkpoint_path.write_text("")
    tampered = jww(platform, "verify", "intake", "--witness", str(copy))
    assert tampered.returncode == 1
    assert f"intake: CHECKPOINT stream {clients[1]}: version 1 missing; witnessed at checkpoint" in tampered.stdout
    assert "the relay's file" in tampered.stdout
