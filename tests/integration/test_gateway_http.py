"""The HTTP API end to end: every service and the gateway as real processes on the
real RabbitMQ, driven over HTTP the way a caseworker's tools would."""
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from uuid import UUID

import pytest

from shared import config
from services.accounts.users_file import UsersFile
from services.gateway.auth import Tokens
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import Platform, count_events, free_port, http
from tests.support.accounts import credentials

PERSON = {"given_names": "Samira", "family_name": "Testperson", "birth_date": "1985-07-30",
          "national_number": "85.07.30-033.28", "legal_position": "convicted", "situation": "probation",
          "languages": ["ar", "fr"], "preferred_language": "ar"}


class Api:
    def __init__(self, platform: Platform, metrics_port: int):
        self.platform = platform
        self.url = platform.gateway_url
        self.metrics_port = metrics_port
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            status, _, answer = http("POST", self.url + "/auth/token", credentials(user))
            assert status == 200, answer
            self.tokens[user] = answer["access_token"]
        return self.tokens[user]

    def __call__(self, method: str, path: str, body=None, as_user: str | None = "apo-sa-1", **headers):
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if as_user:
            headers["Authorization"] = f"Bearer {self.token(as_user)}"
        return http(method, self.url + path, body, headers)

    def until(self, method: str, path: str, as_user: str = "apo-sa-1", what: str = "an answer"):
        """Followers learn of a fact a moment after it is stored: ask until they know."""
        return wait_until(lambda: (r := self(method, path, as_user=as_user))[0] == 200 and r, what=what)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path_factory.mktemp("gateway"), uri)
    metrics_port = free_port()
    try:
        platform.start_services(*config.SERVICES)
        platform.start_gateway(JWW_METRICS_PORT=str(metrics_port))
        yield Api(platform, metrics_port)
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)


def test_a_client_goes_from_intake_to_a_trajectory_with_interventions_and_a_referral(api):
    status, headers, answer = api("POST", "/clients", PERSON, X_Correlation_ID="walk-1")
    assert status == 201 and headers["X-Correlation-ID"] == "walk-1"
    client = answer["client_id"]
    assert api("POST", f"/clients/{client}/help-requests", {
        "source": "justice_assistant", "domains": ["housing", "addiction"], "question": "Un logement.",
        "urgency": "high"})[0] == 201
    assert api("POST", f"/clients/{client}/consents", {
        "recipient": "transit", "purpose": "referral", "scope": ["identity", "help_request"]})[0] == 201
    status, _, file = api("POST", f"/clients/{client}/acceptance", {"worker": "apo-sa-1"}, as_user="apo-coord",
                          X_Correlation_ID="walk-accept")
    assert (status, file["status"], file["worker"]) == (200, "accepted", "apo-sa-1")

    _, headers, trajectory = api.until("GET", f"/trajectories/{client}", what="guidance to open the trajectory")
    assert trajectory["status"] == "open" and trajectory["worker"] == "apo-sa-1"
    status, headers, _ = api("PUT", f"/trajectories/{client}/plan", {
        "goals": [{"domain": "housing", "goal": "a stable home"}], "intensity": "weekly", "expected_weeks": 26},
        If_Match=headers["ETag"])
    assert status == 200
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat()
    for method, sub_kind in (("listening_support", "listening_ear"), ("information_guidance", "budget_support")):
        status, _, answer = api("POST", f"/trajectories/{client}/interventions", {
            "at": at, "minutes": 45, "place": "office", "method": method, "sub_kind": sub_kind,
            "domains": ["housing"], "note": "confidential"}, If_Match=headers["ETag"])
        assert status == 201, answer
        _, headers, _ = api("GET", f"/trajectories/{client}")

    _, _, referral = api.until("GET", f"/clients/{client}/coordination", what="referrals to know the client")
    status, _, answer = api("POST", f"/clients/{client}/referrals", {
        "partner": "transit", "domains": ["addiction"], "reason": "support with use"})
    assert status == 201
    referral = answer["referral_id"]
    sent = wait_until(lambda: (r := api("POST", f"/referrals/{referral}/steps", {"step": "sent"}))[0] != 403 and r,
                      what="referrals to learn of the consent")
    assert sent[0] == 200 and sent[2]["state"] == "sent"
    _, _, history = api("GET", f"/clients/{client}/referrals?state=sent")
    assert [r["referral_id"] for r in history["items"]] == [referral] and history["total"] == 1

    _, _, trajectory = api("GET", f"/trajectories/{client}")
    assert len(trajectory["interventions"]) == 2 and trajectory["plan"]["intensity"] == "weekly"
    # The correlation id of the HTTP request is the one the services stored with the facts.
    events = list(api.platform.application("intake").events.get(UUID(client)))
    assert events[0].correlation_id == "walk-1" and events[-1].correlation_id == "walk-accept"


def test_refusals_have_the_status_a_client_expects(api):
    _, _, answer = api("POST", "/clients", {**PERSON, "national_number": None, "family_name": "Other"})
    client = answer["client_id"]

    status, headers, problem = api("GET", f"/clients/{client}", as_user=None)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    expired = Tokens(config.gateway_token_key(), dt.timedelta(minutes=1),
                     clock=lambda: dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
    old = expired.issue(UsersFile.load(config.DEPLOY_DIR / "accounts" / "sample-users.json").by_name["apo-sa-1"])
    status, _, problem = api("GET", f"/clients/{client}", as_user=None, Authorization=f"Bearer {old['access_token']}")
    assert status == 401 and "expired" in problem["detail"]

    status, _, problem = api("GET", f"/clients/{client}", as_user="dsr-sa-1")
    assert (status, problem["detail"]) == (403, "this client is followed by another agency")
    assert api("POST", f"/clients/{client}/acceptance", {"worker": "apo-sa-1"})[0] == 403  # not a coordinator
    assert api("GET", "/clients/00000000-0000-4000-8000-000000000000")[0] == 404
    status, _, problem = api("POST", "/clients", {**PERSON, "national_number": "85.07.30-033.29"})
    assert status == 422 and problem["errors"] == {"national_number": ["the check digits do not match"]}
    status, _, problem = api("POST", "/clients", {**PERSON, "family_name": "Duplicate"})
    assert status == 409 and "existing_client_id" in problem["errors"]

    _, headers, _ = api("GET", f"/clients/{client}")
    api("POST", f"/clients/{client}/help-requests", {"source": "self", "domains": ["work"], "question": "?"})
    status, _, problem = api("POST", f"/clients/{client}/help-requests", {
        "source": "self", "domains": ["work"], "question": "again?"}, If_Match=headers["ETag"])
    assert status == 409 and "If-Match" in problem["errors"]
    assert http("POST", api.url + "/clients", raw=b"{oops", headers={
        "Authorization": f"Bearer {api.token('apo-sa-1')}", "Content-Type": "application/json"})[0] == 400


def test_a_command_sent_again_with_its_idempotency_key_is_answered_as_the_first_time(api):
    """Issue 18: the client retries (after a 503, a timeout) with the same key and
    gets the first outcome; the file holds one help request. Another payload under
    that key is refused, naming the header; so is a malformed key."""
    _, _, answer = api("POST", "/clients", {**PERSON, "national_number": None, "family_name": "Retry"},
                       Idempotency_Key="register-retry-1")
    client = answer["client_id"]
    again = api("POST", "/clients", {**PERSON, "national_number": None, "family_name": "Retry"},
                Idempotency_Key="register-retry-1")
    assert again[0] == 201 and again[2] == answer  # not a second client, not a duplicate's 409
    ask = {"source": "self", "domains": ["work"], "question": "a job?"}
    first = api("POST", f"/clients/{client}/help-requests", ask, Idempotency_Key='"help-1"')
    second = api("POST", f"/clients/{client}/help-requests", ask, Idempotency_Key="help-1")
    assert first[0] == second[0] == 201 and first[2] == second[2]
    status, _, problem = api("POST", f"/clients/{client}/help-requests", {**ask, "question": "a flat?"},
                             Idempotency_Key="help-1")
    assert status == 422 and list(problem["errors"]) == ["Idempotency-Key"]
    status, _, problem = api("POST", f"/clients/{client}/help-requests", ask, Idempotency_Key="é" * 3)
    assert status == 400 and list(problem["errors"]) == ["Idempotency-Key"]
    _, _, file = api("GET", f"/clients/{client}")
    assert [r["question"] for r in file["help_requests"]] == ["a job?"]


def test_an_erasure_over_http_takes_two_people_and_leaves_the_file_marked(api):
    _, _, answer = api("POST", "/clients", {**PERSON, "national_number": None, "family_name": "Toerase"})
    client = answer["client_id"]
    status, _, problem = api("POST", f"/clients/{client}/erasure", {"legal_basis": "because"}, as_user="apo-coord")
    assert status == 422 and "legal_basis" in problem["errors"]
    assert api("POST", f"/clients/{client}/erasure", {"legal_basis": "consent_withdrawn"})[0] == 403  # not a coordinator
    assert api("POST", f"/clients/{client}/erasure", {"legal_basis": "consent_withdrawn"}, as_user="apo-coord")[0] == 201
    assert api("POST", f"/clients/{client}/erasure/approval", {}, as_user="apo-coord")[0] == 403
    status, _, done = api("POST", f"/clients/{client}/erasure/approval", {}, as_user="admin-1")
    assert (status, done["status"]) == (200, "approved")
    assert api("POST", f"/clients/{client}/erasure/approval", {}, as_user="admin-1")[0] == 409
    _, _, file = api("GET", f"/clients/{client}", as_user="apo-coord")
    assert file["personal"] is None and file["erased"]["legal_basis"] == "consent_withdrawn"
    status, _, due = api("POST", "/retention", {}, as_user="admin-1")
    assert status == 200 and due["dry_run"] is True


def test_a_client_s_subject_access_document_over_http(api):
    _, _, answer = api("POST", "/clients", {**PERSON, "national_number": None, "family_name": "Askstheirdata"})
    client = answer["client_id"]
    status, headers, doc = api("GET", f"/clients/{client}/subject-access?language=fr", as_user="apo-coord")
    assert status == 200 and headers["Content-Language"] == "fr"
    assert set(doc["services"]) == set(config.SERVICES)
    assert doc["services"]["intake"][0]["fields"]["family_name"] == "Askstheirdata"
    assert api("GET", f"/clients/{client}/subject-access")[0] == 403  # a worker does not produce it
    assert api("GET", f"/clients/{client}/subject-access", as_user="dsr-coord")[0] == 403  # another agency


def test_lists_page_and_filter(api):
    status, headers, page = api("GET", "/partners?kind=addiction&limit=2")
    assert status == 200 and page["total"] == 3 and len(page["items"]) == 2
    assert page["next"] == "/partners?kind=addiction&limit=2&offset=2" and "rel=\"next\"" in headers["Link"]
    _, _, rest = api("GET", page["next"])
    assert rest["next"] is None and {p["kind"] for p in page["items"] + rest["items"]} == {"addiction"}
    _, _, agencies = api("GET", "/agencies?language=pl")
    assert [a["code"] for a in agencies["items"]] == ["smbg"]


def test_the_gateway_counts_requests_by_route_and_status(api):
    api("GET", "/partners?limit=1")
    api("GET", "/clients/00000000-0000-4000-8000-000000000000")
    body = urllib.request.urlopen(f"http://127.0.0.1:{api.metrics_port}/metrics", timeout=5).read().decode()
    assert 'jww_http_requests_total{method="GET",route="/partners",status="200"}' in body
    assert 'jww_http_requests_total{method="GET",route="/clients/{client_id}",status="404"}' in body
    assert "00000000-0000" not in body  # ids never become labels
    assert "jww_http_request_seconds_bucket" in body


def test_the_command_line_signs_in_and_drives_the_main_flow(api, tmp_path):
    env = dict(os.environ, JWW_TOKEN_FILE=str(tmp_path / "jww" / "token.json"))

    def jww(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "jww", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=60)

    signed_in = jww("login", "apo-sa-1", "--url", api.url, "--password-stdin", stdin="sample-apo-sa-1\n")
    assert signed_in.returncode == 0, signed_in.stderr
    assert (tmp_path / "jww" / "token.json").stat().st_mode & 0o777 == 0o600
    registered = jww("register-client", "--given-names", "Jan", "--family-name", "Proef", "--birth-date",
                     "1990-01-01", "--legal-position", "suspect", "--situation", "at_liberty_awaiting_trial",
                     "--language", "nl")
    assert registered.returncode == 0, registered.stderr
    client = __import__("json").loads(registered.stdout)["client_id"]
    read = jww("api", "GET", f"/clients/{client}", "-i")
    assert read.returncode == 0 and '"status": "registered"' in read.stdout and "ETag" in read.stderr
    refused = jww("accept-intake", client, "--worker", "apo-crim-1")  # a social assistant does not decide
    assert refused.returncode == 1 and "403" in refused.stderr
    assert jww("logout").returncode == 0 and jww("api", "GET", "/partners").returncode == 1


def test_a_service_that_does_not_answer_is_a_503_and_the_command_expires(platform):
    platform.start_services("intake")
    url = platform.start_gateway(JWW_GATEWAY_RPC_TIMEOUT_SECONDS="1")
    token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})[2]
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert http("GET", url + "/partners", headers=auth)[0] == 503  # referrals never started
    platform.stop("intake", "serve")  # its queue stays, with no one taking from it
    status, headers, problem = http("POST", url + "/clients", PERSON, auth)
    assert (status, headers["Retry-After"], problem["code"]) == (503, "5", "service-unavailable")
    time.sleep(0.5)
    platform.start("intake")
    platform.wait_healthy("intake")
    assert http("POST", url + "/clients", {**PERSON, "national_number": None}, auth)[0] == 201
    # The command no one took up in time expired in the queue: only the second client exists.
    assert count_events(platform.application("intake"), "Client.Registered") == 1
