"""An auditor verifies each service's store through the running platform's HTTP API
(``jww verify --api``): each service verifies its own store as a job, against audit's
last witnessed checkpoint of it, shows how far it got, and signs its result, which
the command checks with the public key the API publishes. Only auditors may."""
import subprocess
import sys

from services.audit import witness
from shared import config
from tests.support.broker import wait_until
from tests.support.platform import http, last_published
from tests.support.accounts import totp

PERSON = {"given_names": "Samira", "family_name": "Testperson", "birth_date": "1985-07-30",
          "legal_position": "convicted", "situation": "probation", "languages": ["ar", "fr"],
          "preferred_language": "ar"}


def test_an_auditor_verifies_every_store_over_the_api(platform, tmp_path):
    platform.start_services(*config.SERVICES)
    url = platform.start_gateway()
    status, _, token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})
    assert status == 200, token
    worker = {"Authorization": f"Bearer {token['access_token']}"}
    assert http("POST", url + "/clients", PERSON, worker)[0] == 201
    head = last_published(platform.application("intake"))
    wait_until(lambda: any(c["position"] >= head for c in witness.witnessed(platform.application("audit"), "intake")),
               timeout=60, what="audit to witness a checkpoint of intake's registration")
    # A worker may not start a verification: it is an auditor's.
    assert http("POST", url + "/verifications/intake", {}, worker)[0] == 403

    env = {**platform.env("intake"), "JWW_API_URL": url, "JWW_TOKEN_FILE": str(tmp_path / "token.json")}

    def jww(*args, given=""):
        return subprocess.run([sys.executable, "-m", "jww", *args], env=env, input=given, capture_output=True,
                              text=True, timeout=180)

    signed_in = jww("login", "auditor-1", "--password-stdin", "--totp", totp("auditor-1"), given="sample-auditor-1\n")
    assert signed_in.returncode == 0, signed_in.stderr
    verified = jww("verify", "--api")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lines = verified.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == list(config.SERVICES)
    intake_line = next(line for line in lines if line.startswith("intake:"))
    assert intake_line.startswith("intake: every chain, checkpoint and snapshot holds up to position ")
    assert ", and audit's checkpoint " in intake_line
