"""The README's partner walk-through, run after the main curl walk-through in the same
shell, on a real platform: Transit's own user answers the referral the social
assistant sent, adds a note and completes it; then tries the client's file and is
refused. The README stays true."""
import re
import subprocess
import sys
from uuid import UUID

from shared import access_log
from shared.config import PROJECT_ROOT
from tests.integration.test_readme_walkthrough import walkthrough
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import Platform, free_port

PARTNER_START = "A partner's walk-through"
SERVICES = ("intake", "guidance", "referrals")  # what the two walk-throughs reach


def test_the_readme_partner_walkthrough_works(tmp_path):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path, uri)
    try:
        platform.start_services(*SERVICES)
        url = platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
        # The consent to Transit needs intake to know referrals' directory, published at its first start.
        wait_until(lambda: platform.application("intake").is_active_partner("transit"), timeout=30,
                   what="intake to learn the partner directory")
        main = walkthrough()
        assert "API=http://127.0.0.1:8080" in main
        script = main.replace("API=http://127.0.0.1:8080", f"API={url}")
        script += 'echo; echo "walked CLIENT=$CLIENT REFERRAL=$REFERRAL"\n'
        script += walkthrough(PARTNER_START)
        script = script.replace(".venv/bin/jww", f"{sys.executable} -m jww")  # it runs elsewhere than the checkout
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                              env={**platform.env("intake"), "PYTHONPATH": str(PROJECT_ROOT)}, cwd=platform.workdir)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "Traceback" not in done.stdout + done.stderr
        client, referral = re.search(r"walked CLIENT=(\S+) REFERRAL=(\S+)", done.stdout).groups()
        out = done.stdout[done.stdout.index("walked CLIENT="):]
        assert f'"referral_id": "{referral}"' in out and '"total": 1' in out  # the list Transit read
        assert out.strip().splitlines()[-1].startswith("HTTP/1.1 403")

        # The referral ended completed, each of Transit's steps as its user, and the note is theirs.
        shown = platform.application("referrals").repository.get(UUID(referral))
        assert (shown.state, shown.outcome) == ("completed", "effective")
        assert [(h["state"], h["by"], h["by_role"]) for h in shown.history] == [
            ("proposed", "apo-sa-1", "social_assistant"), ("sent", "apo-sa-1", "social_assistant"),
            ("acknowledged", "transit-1", "partner"), ("accepted", "transit-1", "partner"),
            ("started", "transit-1", "partner"), ("completed", "transit-1", "partner")]
        assert [(n["by"], n["by_role"]) for n in shown.notes] == [("transit-1", "partner")]
        # Transit's reads are on referrals' access log; its attempt at the file on intake's.
        reads = platform.application("referrals").stored(access_log.FileRead.Recorded)
        assert {(str(r.client_id), r.reader, r.query) for r in reads if r.reader == "transit-1"} == {
            (client, "transit-1", "partner_referrals"), (client, "transit-1", "partner_referral")}
        refused = platform.application("intake").stored(access_log.AccessRefused.Recorded)
        assert [(str(r.client_id), r.role, r.what) for r in refused if r.actor == "transit-1"] == [
            (client, "partner", "client_file")]
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)
