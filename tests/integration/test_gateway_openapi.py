"""The served OpenAPI document holds: schemathesis generates requests for every
operation from it (valid and invalid ones) against the running platform, and
checks that no answer is a 5xx and every answer conforms to the document, success
bodies to the routes' answer schemas included."""
import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from shared import config
from services.gateway.routes import ROUTES
from tests.support import broker
from tests.support.platform import Platform, http
from tests.support.accounts import credentials

# Bounded so the run takes well under two minutes on the CI machine; raise it locally to dig deeper.
EXAMPLES = os.environ.get("JWW_SCHEMATHESIS_EXAMPLES", "10")
SEED = os.environ.get("JWW_SCHEMATHESIS_SEED", "8")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path_factory.mktemp("openapi"), uri)
    try:
        platform.start_services(*config.SERVICES)
        yield platform.start_gateway()
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)


def test_every_answer_conforms_to_the_served_document_and_none_is_a_server_error(gateway, tmp_path):
    status, _, token = http("POST", gateway + "/auth/token", credentials("apo-coord"))
    assert status == 200
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{gateway}/openapi.json",
         "--header", f"Authorization: Bearer {token['access_token']}",
         "--max-examples", EXAMPLES, "--seed", SEED, "--generation-database", "none", "--no-color",
         "--request-timeout", "20", "--report", "har", "--report-har-path", str(tmp_path / "run.har"),
         # Every check, response_schema_conformance among them: success bodies against the
         # routes' answer schemas. Schema-valid input that a business rule refuses (a leave
         # permit that ends before it starts, a worker not in the directory) is a 422 by
         # design, not a failure.
         "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         # Signing out would refuse the token every later request carries.
         "--exclude-path", "/auth/sign-out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # every route, and the gateway's own: sign-in, refresh, enrolment, health, subject access,
    # the agenda, the calendar feed's state, turning it on and off, and the feed itself
    assert f"Tested: {len(ROUTES) + 10}" in run.stdout
    # Conformance is only as good as the success bodies it saw: the stateless lists and
    # checks always answer, and the stateful phase follows a registered client's id on.
    answered = succeeded(json.loads((tmp_path / "run.har").read_text()))
    assert ALWAYS_ANSWERED <= answered, sorted(ALWAYS_ANSWERED - answered)
    assert len(answered) >= 20, sorted(answered)


ALWAYS_ANSWERED = {"intake.register_client", "intake.search_clients", "intake.directory", "guidance.caseload",
                   "guidance.activity", "guidance.check_time", "referrals.partners", "referrals.check_time",
                   "notifications.inbox"}


def succeeded(har: dict) -> set[str]:
    """The operations that answered a success body in the recorded run."""
    urls = Map([Rule(r.rule, methods=[r.method], endpoint=r.operation_id) for r in ROUTES]).bind("gateway")
    done = set()
    for entry in har["log"]["entries"]:
        if 200 <= entry["response"]["status"] < 300:
            path = urlsplit(entry["request"]["url"]).path
            try:
                done.add(urls.match(path, method=entry["request"]["method"])[0])
            except HTTPException:  # the gateway's own endpoints
                continue
    return done
