"""The README's curl walk-through, run as a newcomer would paste it, on the whole
platform: over plain AMQP and over AMQP with TLS (a throw-away node whose certificate
a throw-away CA signed: tests/support/tls_broker.py); then, in the same shell, the
auditor's walk-through. The README stays true."""
import json
import re
import subprocess
import sys
from uuid import UUID

from shared import config
from shared.config import PROJECT_ROOT
from tests.support import broker
from tests.support.platform import Platform, free_port, http
from tests.support.tls_broker import tls_broker  # noqa: F401  (the session's node)

START = "A client from intake to an accepted trajectory"
AUDITOR_START = "An auditor's walk-through"


def walkthrough(start: str = START) -> str:
    """The indented shell block that follows a walk-through's introduction."""
    text = (PROJECT_ROOT / "README.md").read_text()
    after = text[text.index(start):]
    lines = after.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("    "))
    block = []
    for line in lines[start:]:
        if line and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block).strip() + "\n"


def run_walkthrough(platform: Platform, auditor_too: bool = False) -> subprocess.CompletedProcess:
    url = platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
    script = walkthrough()
    assert "API=http://127.0.0.1:8080" in script
    script = script.replace("API=http://127.0.0.1:8080", f"API={url}")
    script = script.replace(".venv/bin/jww", f"{sys.executable} -m jww")  # it runs elsewhere than the checkout
    script += 'echo; echo "walked CLIENT=$CLIENT REFERRAL=$REFERRAL"\n'
    if auditor_too:
        # The auditor's steps write their files where they run: the platform's folder here.
        script += "set -e\n" + walkthrough(AUDITOR_START).replace(".venv/bin/jww", f"{sys.executable} -m jww")
    env = {**platform.env("audit"), "JWW_TOKEN_FILE": str(platform.workdir / "token.json"),
           "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300, env=env,
                          cwd=platform.workdir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    client, referral = re.search(r"walked CLIENT=(\S+) REFERRAL=(\S+)", done.stdout).groups()

    token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})[2]
    me = {"Authorization": f"Bearer {token['access_token']}"}
    status, _, trajectory = http("GET", f"{url}/trajectories/{client}", headers=me)
    assert status == 200 and trajectory["plan"]["intensity"] == "weekly"
    assert len(trajectory["interventions"]) == 2
    status, _, referrals = http("GET", f"{url}/clients/{client}/referrals?state=sent", headers=me)
    assert status == 200 and [r["referral_id"] for r in referrals["items"]] == [referral]
    assert "Traceback" not in done.stdout + done.stderr
    return done


def test_the_readme_walkthrough_and_the_auditors_work(tmp_path):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path, uri)
    try:
        platform.start_services(*config.SERVICES)
        done = run_walkthrough(platform, auditor_too=True)
        client = re.search(r"walked CLIENT=(\S+)", done.stdout).group(1)
        out = done.stdout[done.stdout.index("walked CLIENT="):]
        # The timeline, the replay (as an outline and as JSON over HTTP), the changes.
        assert "client registered" in out and "intervention recorded" in out
        assert f"File of client {client} at " in out and "    Interventions (2)\n" in out
        replayed = json.JSONDecoder().raw_decode(out[out.index('{"client_id"'):])[0]
        assert [i["method"] for i in replayed["file"]["trajectory"]["interventions"]] == [
            "listening_support", "referral_coordination"]
        assert "What changed in the file, item by item (" in out
        # The export as audit signed it, checked with the API's keys; the report; every store.
        export = json.loads((platform.workdir / "export.json").read_text())
        assert export["client_id"] == client and export["exported_by"]["user_id"] == "auditor-1"
        assert "export.json: signed by audit " in out
        assert f"Audit report: client {client}" in (platform.workdir / "report.txt").read_text()
        for service in config.SERVICES:
            assert f"{service}: every chain, checkpoint and snapshot holds up to position " in out
        # Each read is on record under the signed-in auditor, with its purpose.
        reads = platform.application("audit").timeline(
            {"user_id": "auditor-1", "role": "auditor", "agency": "platform"}, UUID(client), "inspection")["access_log"]
        assert [(r["reader"], r["query"], r["purpose"]) for r in reads if r["reader"] == "auditor-1"][:6] == [
            ("auditor-1", "timeline", "inspection"), ("auditor-1", "replay", "court_request"),
            ("auditor-1", "replay", "inspection"), ("auditor-1", "changes", "inspection"),
            ("auditor-1", "export", "inspection"), ("auditor-1", "export", "inspection")]
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)


def test_the_readme_walkthrough_works_over_tls(tls_broker, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JWW_AMQP_CA_FILE", tls_broker.ca_file)
    platform = Platform(tmp_path, tls_broker.uri())
    try:
        platform.start_services(*config.SERVICES)
        run_walkthrough(platform)
        assert all(connection["ssl"] for connection in tls_broker.connections())
    finally:
        platform.stop_all()
