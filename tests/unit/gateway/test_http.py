"""The gateway's HTTP behaviour, with the services' answers given by the test: the
payload a service receives, the problems a client gets, tokens, lists, ETags."""
import datetime as dt
import json
import uuid

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request

from shared import config, context
from shared.config import DEPLOY_DIR, DEVELOPMENT_TOKEN_KEY, ConfigError, gateway_token_key, load_gateway
from shared.errors import Conflict, Forbidden, InternalError, InvalidInput, NotFound
from services.gateway import problems
from services.gateway.api import Gateway
from services.accounts.users_file import UsersFile
from services.gateway.auth import Revocations, Tokens

WORKER = {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
CLIENT = str(uuid.uuid4())
TRAJECTORY = str(uuid.uuid4())


class Services:
    """Stands in for the RPC calls: records each one and answers as told."""

    def __init__(self):
        self.calls = []
        self.keys = []  # each call's idempotency key, as the request context carries it
        self.answer = {}

    def __call__(self, service, rpc, payload=None, precondition=None, timeout=None):
        self.calls.append({"service": service, "rpc": rpc, "payload": payload, "precondition": precondition})
        self.keys.append(context.current().idempotency_key)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture(scope="module")
def users():
    return UsersFile.load(DEPLOY_DIR / "accounts" / "sample-users.json")


@pytest.fixture
def tokens():
    return Tokens(gateway_token_key({}), dt.timedelta(minutes=5))


@pytest.fixture
def services():
    return Services()


@pytest.fixture
def http(users, tokens, services):
    gateway = Gateway(tokens, Revocations.none())

    def app(environ, start_response):
        return gateway.handle(Request(environ), services)(environ, start_response)

    return Client(app)


@pytest.fixture
def auth(users, tokens):
    return {"Authorization": f"Bearer {tokens.issue(users.by_name['apo-sa-1'])['access_token']}"}


def problem(response) -> dict:
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == response.status_code and body["type"] == "about:blank"
    return body


# -- what reaches the service -----------------------------------------------------

def test_the_actor_comes_from_the_token_and_the_path_and_body_make_the_payload(http, services, auth):
    services.answer = {"request_id": "r-1"}
    response = http.post(f"/clients/{CLIENT}/help-requests", json={"source": "self", "domains": ["housing"],
                                                                   "question": "?"}, headers=auth)
    assert response.status_code == 201 and response.json == {"request_id": "r-1"}
    assert services.calls == [{"service": "intake", "rpc": "receive_help_request", "precondition": None, "payload": {
        "actor": WORKER, "client_id": CLIENT, "source": "self", "domains": ["housing"], "question": "?"}}]


def test_query_and_path_text_is_given_the_contracts_types(http, services, auth):
    services.answer = {"conference_id": CLIENT, "index": 2}
    http.post(f"/case-conferences/{CLIENT}/actions/2/completion", json={"on": "2026-01-05"}, headers=auth)
    assert services.calls[-1]["payload"]["index"] == 2
    services.answer = []
    http.get("/caseload?worker=apo-sa-1&overdue=true", headers=auth)
    assert services.calls[-1]["payload"] == {"actor": WORKER, "worker": "apo-sa-1"}  # overdue is the gateway's


def test_a_client_may_not_name_the_actor_nor_contradict_the_path(http, services, auth):
    response = http.post(f"/clients/{CLIENT}/consents", headers=auth, json={
        "actor": {**WORKER, "role": "coordinator"}, "client_id": str(uuid.uuid4()), "recipient": "transit"})
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"actor", "client_id"}
    assert services.calls == []


# -- problems -----------------------------------------------------------------------

def test_without_a_valid_token_nothing_reaches_a_service(http, services, users, auth):
    missing = http.get(f"/clients/{CLIENT}")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="jww"'
    expired = Tokens(gateway_token_key({}), dt.timedelta(minutes=5),
                     clock=lambda: dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    old = expired.issue(users.by_name["apo-sa-1"])["access_token"]
    late = http.get(f"/clients/{CLIENT}", headers={"Authorization": f"Bearer {old}"})
    assert late.status_code == 401 and "expired" in problem(late)["detail"]
    assert 'error="invalid_token"' in late.headers["WWW-Authenticate"]
    forged = Tokens(b"another key that is long enough to sign HS256", dt.timedelta(minutes=5))
    other = forged.issue(users.by_name["admin-1"])["access_token"]
    assert http.get(f"/clients/{CLIENT}", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert http.get(f"/clients/{CLIENT}", headers={"Authorization": "Basic YTpi"}).status_code == 401
    assert services.calls == []


@pytest.mark.parametrize("refusal, status", [
    (InvalidInput("the command has invalid fields", {"birth_date": ["Not a valid date."]}), 422),
    (Forbidden("this client is followed by another agency"), 403),
    (NotFound("no such client", {"client_id": ["not found"]}), 404),
    (Conflict("a client whose intake is declined cannot be accepted", {"status": ["declined"]}), 409),
])
def test_refusals_keep_their_message_and_field_errors(http, services, auth, refusal, status):
    services.answer = refusal
    response = http.post(f"/clients/{CLIENT}/acceptance", json={"worker": "apo-sa-1"}, headers=auth)
    body = problem(response)
    assert (response.status_code, body["detail"], body["code"]) == (status, refusal.message, refusal.code)
    assert body.get("errors", {}) == refusal.details
    assert body["correlation_id"] == response.headers["X-Correlation-ID"]


def test_anything_unexpected_is_a_500_with_a_reference_and_nothing_else(http, services, auth):
    services.answer = RuntimeError("secret detail: Samira's national number")
    response = http.get(f"/clients/{CLIENT}", headers=auth)
    body = problem(response)
    assert response.status_code == 500 and "Samira" not in response.text and "Traceback" not in response.text
    assert body["reference"] == response.headers["X-Correlation-ID"]
    services.answer = InternalError("internal error; reference abc")
    assert http.get(f"/clients/{CLIENT}", headers=auth).status_code == 500


@pytest.mark.parametrize("data, content_type, status", [
    (b"{not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b'{"a": NaN}', "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"recipient=transit", "application/x-www-form-urlencoded", 415),
])
def test_a_body_that_is_not_a_json_object_is_refused(http, services, auth, data, content_type, status):
    response = http.post(f"/clients/{CLIENT}/consents", data=data, content_type=content_type, headers=auth)
    assert response.status_code == status and problem(response)["status"] == status
    assert services.calls == []


def test_unknown_paths_and_methods(http, auth):
    assert problem(http.get("/no/such/thing", headers=auth))["status"] == 404
    wrong = http.patch("/clients", headers=auth)
    assert wrong.status_code == 405 and set(wrong.headers["Allow"].split(", ")) == {"POST"}  # GET /clients: refused


def test_the_problem_for_each_refusal_code():
    for code, status in problems.STATUS_OF_CODE.items():
        refused = type("R", (InvalidInput,), {"code": code})("m", {"f": "one reason"})
        problem = problems.from_refusal(refused, "cid")
        assert problem.status == status
        assert problem.errors == ({"f": ["one reason"]} if status != 500 else {})
    assert problems.from_refusal(type("R", (InvalidInput,), {"code": "new"})("m"), "cid").status == 500


# -- safe retries (issue 18) --------------------------------------------------------

HELP = {"source": "self", "domains": ["housing"], "question": "?"}


def test_a_command_carries_the_callers_idempotency_key_quoted_or_not(http, services, auth):
    services.answer = {"request_id": "r-1"}
    for given in ('"8e03978e-40d5-43e8-bc93-6894a57f9324"', "8e03978e-40d5-43e8-bc93-6894a57f9324"):
        response = http.post(f"/clients/{CLIENT}/help-requests", json=HELP,
                             headers={**auth, "Idempotency-Key": given})
        assert response.status_code == 201
        assert services.keys[-1] == "8e03978e-40d5-43e8-bc93-6894a57f9324"


def test_a_command_without_a_key_gets_one_of_the_gateways_and_a_read_gets_none(http, services, auth):
    services.answer = {"request_id": "r-1"}
    http.post(f"/clients/{CLIENT}/help-requests", json=HELP, headers=auth)
    http.post(f"/clients/{CLIENT}/help-requests", json=HELP, headers=auth)
    first, second = services.keys
    assert first and second and first != second  # each command its own: the broker's redelivery answers once
    services.answer = []
    http.get("/caseload", headers={**auth, "Idempotency-Key": "ignored-on-a-read"})
    assert services.keys[-1] is None


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-1", "two words", '"unclosed'])
def test_a_malformed_key_is_refused_naming_the_header_and_nothing_is_called(http, services, auth, key):
    response = http.post(f"/clients/{CLIENT}/help-requests", json=HELP, headers={**auth, "Idempotency-Key": key})
    body = problem(response)
    assert response.status_code == 400 and list(body["errors"]) == ["Idempotency-Key"]
    assert services.calls == []


def test_a_service_that_cannot_reach_its_store_answers_503_saying_the_effect_is_unknown(http, services, auth):
    from shared.errors import Unavailable

    services.answer = Unavailable("the store is not answering now; retry with the same Idempotency-Key")
    response = http.post(f"/clients/{CLIENT}/help-requests", json=HELP, headers={**auth, "Idempotency-Key": "k-1"})
    body = problem(response)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert body["effect"] == "unknown" and "Idempotency-Key" in body["detail"]


# -- sign-in ------------------------------------------------------------------------

def test_a_short_token_key_is_refused_and_the_development_key_is_labelled():
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        load_gateway({"JWW_GATEWAY_TOKEN_KEY": "short"})
    assert load_gateway({}).token_key == DEVELOPMENT_TOKEN_KEY.encode() and "development" in DEVELOPMENT_TOKEN_KEY
    settings = load_gateway({"JWW_GATEWAY_TOKEN_KEY": "k" * 40, "JWW_GATEWAY_PORT": "8123"})
    assert settings.http_port == 8123 and "k" * 40 not in repr(settings)


def test_sample_users_are_marked_and_act_in_the_sample_directory(users):
    directory = json.loads((DEPLOY_DIR / "intake" / "sample-directory.json").read_text())
    staff = {(m["user_id"], m["agency"]) for m in directory["staff"]}
    assert users.sample
    sample_partners = json.loads((DEPLOY_DIR / "referrals" / "sample-partners.json").read_text())["partners"]
    partners = {p["code"] for p in sample_partners}
    roles = {user.role for user in users.by_name.values()}
    assert roles == {"social_assistant", "criminologist", "jurist", "coordinator", "auditor", "admin", "partner",
                     "funder"}
    for user in users.by_name.values():
        if user.role == "partner":  # a partner organisation's user: its code is their "agency"
            assert user.agency in partners, user.username
        elif user.role not in ("auditor", "admin", "funder"):
            assert (user.user_id, user.agency) in staff, user.username


# -- lists and versions -------------------------------------------------------------

def test_lists_come_in_pages_with_a_link_to_the_next_and_filters(http, services, auth):
    services.answer = [{"code": f"p{i}", "kind": "addiction" if i % 2 else "housing", "languages": ["fr"]}
                       for i in range(7)]
    first = http.get("/partners?limit=2&kind=addiction", headers=auth)
    assert first.json["total"] == 3 and [p["code"] for p in first.json["items"]] == ["p1", "p3"]
    assert first.json["next"] == "/partners?limit=2&kind=addiction&offset=2"
    assert first.headers["Link"] == '</partners?limit=2&kind=addiction&offset=2>; rel="next"'
    last = http.get(first.json["next"], headers=auth)
    assert [p["code"] for p in last.json["items"]] == ["p5"] and last.json["next"] is None
    assert http.get("/partners?language=fr", headers=auth).json["total"] == 7
    bad = http.get("/partners?limit=0&offset=x", headers=auth)
    assert bad.status_code == 422 and set(problem(bad)["errors"]) == {"limit", "offset"}
    assert problem(http.get("/partners?colour=red", headers=auth))["errors"] == {"colour": ["Unknown field."]}


def test_a_read_gives_an_etag_and_a_command_carries_it_to_the_service(http, services, auth):
    services.answer = {"trajectory_id": TRAJECTORY, "client_id": CLIENT, "version": 4}
    read = http.get(f"/trajectories/{CLIENT}", headers={**auth, "If-Match": '"ignored on reads"'})
    assert read.headers["ETag"] == f'"{TRAJECTORY}:4"'
    services.answer = {"intervention_id": "i-1"}
    http.post(f"/trajectories/{CLIENT}/interventions", json={}, headers={**auth, "If-Match": read.headers["ETag"]})
    assert services.calls[-1]["precondition"] == f"{TRAJECTORY}:4"
    for bad in ("4", f"W/{read.headers['ETag']}", '"not-a-tag:1"', f'"{TRAJECTORY}:4", "{TRAJECTORY}:5"'):
        response = http.post(f"/trajectories/{CLIENT}/interventions", json={}, headers={**auth, "If-Match": bad})
        assert response.status_code == 400 and "If-Match" in problem(response)["errors"], bad


def test_the_correlation_id_is_returned(http, services, auth):
    services.answer = {}
    response = http.get(f"/clients/{CLIENT}", headers=auth)
    assert len(response.headers["X-Correlation-ID"]) > 0


class PerService(Services):
    """Answers each service's subject-access part."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def __call__(self, service, rpc, payload=None, precondition=None, timeout=None):
        self.calls.append({"service": service, "rpc": rpc, "payload": payload})
        return self.parts.get(service, [])


def test_a_subject_access_document_gathers_every_service_in_the_client_s_language(users, tokens):
    registered = {"fact": "Registration", "recorded": "2026-11-30T09:00:00+00:00",
                  "fields": {"given_names": "Samira", "preferred_language": "fr"}}
    member = {"fact": "NetworkMember", "recorded": "2026-11-30T10:00:00+00:00",
              "fields": {"relation": "sibling", "known_as": "withheld: about another person"}}
    services = PerService({"intake": [registered], "guidance": [member]})
    gateway = Gateway(tokens, Revocations.none())
    coordinator = {"Authorization": f"Bearer {tokens.issue(users.by_name['apo-coord'])['access_token']}"}
    http = Client(lambda environ, start: gateway.handle(Request(environ), services)(environ, start))

    answer = http.get(f"/clients/{CLIENT}/subject-access", headers=coordinator)
    doc = answer.json
    assert answer.status_code == 200 and doc["language"] == "fr"  # the client's preferred one
    assert {c["service"] for c in services.calls} == set(config.SERVICES)
    assert all(c["payload"]["actor"]["user_id"] == "apo-coord" for c in services.calls)
    assert doc["services"]["guidance"] == [member] and "15(4)" in doc["rule"]

    text = http.get(f"/clients/{CLIENT}/subject-access?format=text&language=nl", headers=coordinator)
    assert text.status_code == 200 and text.headers["Content-Language"] == "nl"
    body = text.get_data(as_text=True)
    assert "Inzage in uw gegevens" in body and "== Begeleiding ==" in body
    assert "known_as: weggelaten: over een andere persoon" in body and "given_names: Samira" in body

    wrong = http.get(f"/clients/{CLIENT}/subject-access?language=de", headers=coordinator)
    assert wrong.status_code == 422 and "language" in wrong.json["errors"]
    assert http.get(f"/clients/{CLIENT}/subject-access").status_code == 401
    services.parts = {}
    assert http.get(f"/clients/{CLIENT}/subject-access", headers=coordinator).status_code == 404
