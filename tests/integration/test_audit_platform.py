"""The audit issue's "done when", on a platform that has run a realistic case: an
auditor gets the timeline, a replay at a past instant and an export, over RPC and
from the command line; verify passes on the untouched stores and names the exact
broken link once the access log itself is tampered with."""
import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time

import pytest

from shared.errors import Forbidden, InvalidInput, NotFound
from tests.support.broker import wait_until
from tests.support.platform import last_published
from tests.support.samples import COORDINATOR, WORKER, registration_payload
from tests.support.accounts import totp

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}
SERVICES = ("intake", "guidance", "referrals", "notifications", "audit")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def case(platform):
    """A client from registration to a trajectory with interventions, a referral sent
    behind a consent, a coordinator's read for a complaint: all five services running."""
    platform.start_services(*SERVICES)
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        me = {"actor": WORKER, "client_id": client_id}
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        wait_until(lambda: _trajectory(rpc, me), what="guidance to open the trajectory")
        before_interventions = _now()
        time.sleep(0.05)
        for minutes in (45, 30):
            rpc.guidance.record_intervention({
                **me, "at": (_now() - dt.timedelta(minutes=minutes)).isoformat(), "minutes": 30, "place": "office",
                "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"],
                "note": "talked about the landlord", "next_steps": ""})
        rpc.intake.give_consent({**me, "recipient": "projet-lama", "purpose": "referral", "scope": ["identity"]})
        referral = wait_until(lambda: _proposed(rpc, me), what="referrals to know the client")
        wait_until(lambda: _sent(rpc, referral["referral_id"]), what="the consent to reach referrals")
        rpc.intake.client_file({"actor": COORDINATOR, "client_id": client_id, "purpose": "complaint",
                                "purpose_detail": "2026/31"})
        audit = platform.application("audit")
        wait_until(lambda: all(audit.position_of(s) == last_published(platform.application(s))
                               for s in SERVICES[:4]), timeout=30, what="audit to follow every service")
    return client_id, before_interventions


def test_an_auditor_gets_the_timeline_a_past_replay_and_an_export_over_rpc(platform, case):
    client_id, before_interventions = case
    query = {"actor": AUDITOR, "client_id": client_id}
    with platform.rpc() as rpc:
        timeline = rpc.audit.timeline({**query, "purpose": "inspection"})
        then = rpc.audit.replay({**query, "at": before_interventions.isoformat(), "purpose": "inspection"})
        now = rpc.audit.replay({**query, "at": _now().isoformat(), "purpose": "inspection"})
        export = rpc.audit.export({**query, "since": before_interventions.isoformat(), "until": _now().isoformat(),
                                   "purpose": "inspection"})
        readable = rpc.audit.export_report({**query, "since": before_interventions.isoformat(),
                                            "until": _now().isoformat(), "purpose": "inspection"})["report"]
        with pytest.raises(Forbidden):
            rpc.audit.timeline({**query, "actor": WORKER, "purpose": "casework"})
        first = dt.datetime.fromisoformat(timeline["entries"][0]["time"])
        with pytest.raises(NotFound) as no_file_yet:
            rpc.audit.replay({**query, "at": (first - dt.timedelta(microseconds=1)).isoformat(),
                              "purpose": "inspection"})
        with pytest.raises(InvalidInput) as future:
            rpc.audit.replay({**query, "at": (_now() + dt.timedelta(hours=1)).isoformat(), "purpose": "inspection"})

    facts = [(e["source"], e["type"].split(".")[3]) for e in timeline["entries"]]
    assert {source for source, _ in facts} == {"intake", "guidance", "referrals", "notifications"}
    # Guidance and notifications both react to the acceptance, in either order.
    assert facts[:2] == [("intake", "client-registered"), ("intake", "intake-accepted")]
    assert facts.index(("guidance", "trajectory-opened")) < facts.index(("guidance", "intervention-recorded"))
    assert facts.count(("guidance", "intervention-recorded")) == 2
    assert ("referrals", "referral-step-recorded") in facts
    reads = [(r["service"], r["reader"], r["query"], r["purpose"]) for r in timeline["access_log"]]
    assert ("intake", "apo-coord", "client_file", "complaint") in reads
    assert ("intake", "apo-coord", "accept_intake", "casework") in reads
    assert reads[-1] == ("audit", "audit-1", "timeline", "inspection")
    assert then["file"]["trajectory"]["status"] == "open" and then["file"]["trajectory"]["interventions"] == []
    assert [(i["method"], i["minutes"], i["by"]) for i in now["file"]["trajectory"]["interventions"]] == [
        ("listening_support", 30, "apo-sa-1")] * 2
    assert [(r["partner"], r["state"], [s["step"] for s in r["steps"]]) for r in now["file"]["referrals"]] == [
        ("projet-lama", "sent", ["sent"])]
    assert any(n["kind"] == "new_assignment" for n in now["file"]["notifications"])
    added = [c["item"] for c in export["changes"] if c["change"] == "added"]
    assert added.count("trajectory.interventions") == 2 and added.count("referrals") == 1
    assert "cocaine use" not in json.dumps(now)  # the referral's reason stays in referrals
    assert (no_file_yet.value.details, list(future.value.details)) == (
        {"at": [f"before the client's first fact ({first.isoformat()})"]}, ["at"])
    assert "talked about the landlord" not in json.dumps(export) + readable
    assert f"Audit report: client {client_id}" in readable and "intervention recorded" in readable


def test_the_command_line_reads_as_the_signed_in_auditor_and_refuses_clearly(platform, case, tmp_path):
    client_id, before_interventions = case
    url = platform.start_gateway()
    env = {**platform.env("audit"), "JWW_API_URL": url, "JWW_TOKEN_FILE": str(tmp_path / "token.json")}

    def jww(*args, given=""):
        return subprocess.run([sys.executable, "-m", "jww", *args], env=env, input=given, capture_output=True,
                              text=True, timeout=60)

    not_signed_in = jww("timeline", client_id, "--purpose", "inspection")
    assert not_signed_in.returncode == 1 and "sign in (again) with: jww login USERNAME" in not_signed_in.stderr
    assert jww("login", "apo-sa-1", "--password-stdin", given="sample-apo-sa-1\n").returncode == 0
    worker = jww("timeline", client_id, "--purpose", "inspection")
    assert worker.returncode == 1 and worker.stderr.startswith("jww: 403 ")
    assert jww("login", "auditor-1", "--password-stdin", "--totp", totp("auditor-1"), given="sample-auditor-1\n").returncode == 0

    timeline = jww("timeline", client_id, "--purpose", "inspection")
    replay = jww("replay", client_id, "--at", before_interventions.isoformat(), "--purpose", "court_request",
                 "--purpose-detail", "2026/123", "--json")
    out = tmp_path / "export.txt"
    export = jww("export", client_id, "--since", before_interventions.isoformat(), "--until", _now().isoformat(),
                 "--purpose", "inspection", "--format", "text", "--out", str(out))
    assert timeline.returncode == 0, timeline.stderr
    assert "client registered" in timeline.stdout and "intervention recorded" in timeline.stdout
    assert "apo-coord (coordinator, apo) via intake client_file: complaint" in timeline.stdout
    assert "2026/31" not in timeline.stdout  # what intake's reader added stays in intake
    assert replay.returncode == 0 and json.loads(replay.stdout)["file"]["trajectory"]["interventions"] == []
    assert export.returncode == 0 and "writing the report" in export.stderr
    assert "What was done (" in out.read_text()

    unknown = jww("timeline", "00000000-0000-4000-8000-000000000000", "--purpose", "inspection")
    bad_date = jww("replay", client_id, "--at", "yesterday", "--purpose", "inspection")
    bad_id = jww("timeline", "not-a-client", "--purpose", "inspection")
    bad_purpose = jww("timeline", client_id, "--purpose", "curious")
    tomorrow = (_now() + dt.timedelta(days=1)).isoformat()
    future_window = jww("changes", client_id, "--since", before_interventions.isoformat(), "--until", tomorrow,
                        "--purpose", "inspection")
    no_api = subprocess.run([sys.executable, "-m", "jww", "timeline", client_id, "--purpose", "inspection"],
                            env={**env, "JWW_API_URL": "http://127.0.0.1:1", "JWW_TOKEN_FILE": str(tmp_path / "none")},
                            capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 1 and "no facts about this client\n  client_id: not found\n" in unknown.stderr
    assert bad_date.returncode == 2 and "'yesterday' is not a date or instant" in bad_date.stderr
    assert bad_id.returncode == 1 and "client_id: Not a valid UUID." in bad_id.stderr
    assert bad_purpose.returncode == 2 and "invalid choice: 'curious'" in bad_purpose.stderr
    assert no_api.returncode == 1 and "the API is not reachable" in no_api.stderr
    assert future_window.returncode == 1 and "jww: 422 " in future_window.stderr
    assert "  until: must not be after the audit service's clock" in future_window.stderr
    outline = jww("replay", client_id, "--at", _now().isoformat(), "--purpose", "inspection")
    future = jww("replay", client_id, "--at", tomorrow, "--purpose", "inspection")
    assert outline.returncode == 0, outline.stderr
    assert "  Trajectory\n" in outline.stdout and "    Interventions (2)\n" in outline.stdout
    assert "method listening_support" in outline.stdout and "talked about the landlord" not in outline.stdout
    assert future.returncode == 1 and "the instant is in the future" in future.stderr
    assert "  at: must not be after the audit service's clock" in future.stderr
    for result in (not_signed_in, worker, unknown, bad_date, bad_id, bad_purpose, future_window, no_api, outline,
                   future):
        assert "Traceback" not in result.stderr

    with platform.rpc() as rpc:  # the command line's reads are on the record, under the signed-in auditor
        log = rpc.audit.timeline({"actor": AUDITOR, "client_id": client_id, "purpose": "inspection"})["access_log"]
    assert [(r["reader"], r["query"], r["purpose_detail"]) for r in log if r["reader"] == "auditor-1"] == [
        ("auditor-1", "timeline", ""), ("auditor-1", "replay", "2026/123"), ("auditor-1", "export", ""),
        ("auditor-1", "replay", "")]
    assert [(r["reader"], r["outcome"]) for r in log if r["reader"] == "apo-sa-1" and r["query"] == "timeline"] == [
        ("apo-sa-1", "refused")]


def test_verify_holds_on_every_untouched_store_and_names_a_tampered_read(platform, case):
    client_id, _ = case
    with platform.rpc() as rpc:
        rpc.audit.timeline({"actor": AUDITOR, "client_id": client_id, "purpose": "complaint",
                            "purpose_detail": "2026/31"})
    platform.stop_all()

    def verify(service):
        return subprocess.run([sys.executable, "-m", "jww", "verify", service], env=platform.env(service),
                              capture_output=True, text=True, timeout=60)

    for service in SERVICES:
        result = verify(service)
        assert (result.returncode, result.stdout.strip()) == (
            0, f"{service}: every chain, checkpoint and snapshot holds (without audit's witness: see --witness)"
        ), result.stdout + result.stderr

    # Someone hides why the file was read: the audit's own record of the read.
    with sqlite3.connect(platform.settings("audit").store.sqlite_path) as db:
        # (What the auditor added, 2026/31, is sealed; the purpose's code is in clear.)
        rows = db.execute("SELECT originator_id, originator_version, state FROM stored_events "
                          "WHERE topic LIKE '%FileRead' AND CAST(state AS TEXT) LIKE '%\"purpose\":\"complaint\"%'"
                          ).fetchall()
        (stream, version, state), = rows
        db.execute("UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                   (state.replace(b'"purpose":"complaint"', b'"purpose":"casework"'), stream, version))
    tampered = verify("audit")
    assert tampered.returncode == 1
    assert f"audit: BROKEN stream {stream[:8]}" in tampered.stdout.replace("-", "")
    assert f"version {version}" in tampered.stdout


def _trajectory(rpc, me):
    try:
        return rpc.guidance.trajectory(me)
    except Exception:
        return None


def _proposed(rpc, me):
    try:
        return rpc.referrals.propose_referral(
            {**me, "partner": "projet-lama", "domains": ["addiction"], "reason": "cocaine use"})
    except NotFound:
        return None


def _sent(rpc, referral_id):
    try:
        return rpc.referrals.record_referral_step({"actor": WORKER, "referral_id": referral_id, "step": "sent"})
    except Forbidden:
        return None
