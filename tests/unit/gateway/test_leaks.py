"""What the gateway lets out besides the answer itself: no personal data in URLs
(client search is a POST), the security headers on every answer, no-store on every
answer that may hold personal data, and metric labels from fixed sets only."""
import uuid

import pytest
from prometheus_client import REGISTRY

from services.gateway.api import METHOD_LABELS
from tests.unit.gateway.test_http import CLIENT, auth, http, problem, services, tokens, users  # noqa: F401

FOUND = [{"client_id": str(uuid.uuid4()), "status": "accepted"}, {"client_id": str(uuid.uuid4()), "status": "held"}]


# -- client search: criteria in the body, never in the URL ---------------------------

def test_a_search_sends_its_criteria_in_the_body_and_pages_by_the_query(http, services, auth):
    services.answer = FOUND
    response = http.post("/clients/search?status=accepted&limit=1", json={"name": "Testperson"}, headers=auth)
    assert response.status_code == 200
    assert response.json["items"] == FOUND[:1] and response.json["total"] == 1
    (call,) = services.calls
    assert (call["service"], call["rpc"]) == ("intake", "search_clients")
    assert call["payload"]["name"] == "Testperson"
    assert call["payload"]["actor"]["user_id"] == "apo-sa-1"
    assert "status" not in call["payload"] and "limit" not in call["payload"]  # the gateway's own


def test_a_search_by_get_is_refused_saying_to_use_post_and_reaches_no_service(http, services, auth):
    for query in ("?name=Testperson", "?national_number=85073003328", ""):
        response = http.get(f"/clients{query}", headers=auth)
        body = problem(response)
        assert response.status_code == 405 and body["code"] == "search-by-post"
        assert "POST /clients/search" in body["detail"]
        assert response.headers["Allow"] == "POST"
    assert services.calls == []


def test_a_wrong_method_is_told_only_the_documented_ones(http, auth):
    assert http.patch("/clients", headers=auth).headers["Allow"] == "POST"  # not the refused GET
    assert http.patch("/clients/search", headers=auth).headers["Allow"] == "POST"  # not /clients/{client_id}'s GET
    assert http.patch(f"/clients/{CLIENT}", headers=auth).headers["Allow"] == "GET, HEAD"
    assert http.patch("/clients/", headers=auth).headers["Allow"] == "POST"
    not_a_file = http.get("/clients/search", headers=auth)  # /clients/search is no client id
    assert not_a_file.status_code == 405 and not_a_file.headers["Allow"] == "POST"


def test_a_search_with_criteria_in_its_query_is_refused_naming_them(http, services, auth):
    response = http.post("/clients/search?name=Testperson", json={"name": "Testperson"}, headers=auth)
    assert response.status_code == 422 and set(problem(response)["errors"]) == {"name"}
    assert services.calls == []


# -- headers on every answer ----------------------------------------------------------

def test_every_answer_carries_the_security_headers_and_personal_ones_are_not_stored(http, services, auth):
    services.answer = {"client_id": CLIENT, "version": 3}
    answers = {
        "a client file": http.get(f"/clients/{CLIENT}", headers=auth),
        "a search": http.post("/clients/search", json={"name": "Testperson"}, headers=auth),
        "a refused search": http.get("/clients?name=Testperson", headers=auth),
        "no token": http.get(f"/clients/{CLIENT}"),
        "no such path": http.get("/no/such/thing", headers=auth),
        "a wrong method": http.patch("/clients", headers=auth),
        "invalid input": http.post(f"/clients/{CLIENT}/consents", json={"oops": 1}, headers=auth),
        "a failed sign-in": http.post("/auth/token", json={"username": "apo-sa-1", "password": "wrong"}),
        "the index": http.get("/"),
    }
    services.answer = RuntimeError("boom")
    answers["a failure"] = http.get(f"/clients/{CLIENT}", headers=auth)
    for what, response in answers.items():
        assert response.headers.get("X-Content-Type-Options") == "nosniff", what
        assert response.headers.get("Referrer-Policy") == "no-referrer", what
        assert response.headers.get("Cache-Control") == "no-store", what


def test_public_documents_carry_the_security_headers_and_keep_their_own_caching(http):
    services_down = http.get("/health")
    document = http.get("/openapi.json")
    keys = http.get("/.well-known/jwks.json")
    for response in (services_down, document, keys):
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert keys.headers["Cache-Control"] == "max-age=300"
    assert "Cache-Control" not in document.headers


# -- metric labels ------------------------------------------------------------------

def _labels() -> list[dict]:
    return [sample.labels for metric in REGISTRY.collect() if metric.name.startswith("jww_http_request")
            for sample in metric.samples]


def test_metric_labels_take_a_fixed_method_and_a_route_template_never_an_id(http, services, auth):
    services.answer = {"client_id": CLIENT, "version": 1}
    http.open(f"/clients/{CLIENT}", method="BREW", headers=auth)
    http.open(f"/clients/{CLIENT}", method="PATCH", headers=auth)
    http.get(f"/clients/{CLIENT}", headers=auth)
    http.get(f"/clients/{CLIENT}/subject-access", headers=auth)
    http.get(f"/clients/{CLIENT}/no-such-thing", headers=auth)
    labels = _labels()
    assert labels
    assert {label["method"] for label in labels} <= set(METHOD_LABELS) | {"other"}
    assert any(label["method"] == "other" for label in labels)
    assert any(label["route"] == "/clients/{client_id}" for label in labels)
    assert not any(label["method"] in ("BREW", "PATCH") for label in labels)
    assert any(label["route"] == "/clients/{client_id}/subject-access" for label in labels)
    assert not any(CLIENT in value for label in labels for value in label.values())


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_the_four_methods_keep_their_own_label(http, auth, method):
    http.open("/no/such/thing", method=method, headers=auth)
    assert any(label["method"] == method and label["route"] == "unmatched" for label in _labels())
