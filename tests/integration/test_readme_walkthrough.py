"""The README's curl walk-through, run as a newcomer would paste it, on the whole
platform: over plain AMQP and over AMQP with TLS (a throw-away node whose certificate
a throw-away CA signed: tests/support/tls_broker.py). The README stays true."""
import re
import subprocess

from shared import config
from shared.config import PROJECT_ROOT
from tests.support import broker
from tests.support.platform import Platform, free_port, http
from tests.support.tls_broker import tls_broker  # noqa: F401  (the session's node)

START = "A client from intake to an accepted trajectory"


def walkthrough() -> str:
    """The indented shell block that follows the walk-through's introduction."""
    text = (PROJECT_ROOT / "README.md").read_text()
    after = text[text.index(START):]
    lines = after.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("    "))
    block = []
    for line in lines[start:]:
        if line and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block).strip() + "\n"


def run_walkthrough(platform: Platform) -> None:
    url = platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
    script = walkthrough()
    assert "API=http://127.0.0.1:8080" in script
    script = script.replace("API=http://127.0.0.1:8080", f"API={url}")
    script += 'echo; echo "walked CLIENT=$CLIENT REFERRAL=$REFERRAL"\n'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    client, referral = re.search(r"walked CLIENT=(\S+) REFERRAL=(\S+)", done.stdout).groups()

    token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})[2]
    me = {"Authorization": f"Bearer {token['access_token']}"}
    status, _, trajectory = http("GET", f"{url}/trajectories/{client}", headers=me)
    assert status == 200 and trajectory["plan"]["intensity"] == "weekly"
    assert len(trajectory["interventions"]) == 2
    status, _, referrals = http("GET", f"{url}/clients/{client}/referrals?state=sent", headers=me)
    assert status == 200 and [r["referral_id"] for r in referrals["items"]] == [referral]
    assert "Traceback" not in done.stdout + done.stderr


def test_the_readme_walkthrough_works(tmp_path):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path, uri)
    try:
        platform.start_services(*config.SERVICES)
        run_walkthrough(platform)
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
