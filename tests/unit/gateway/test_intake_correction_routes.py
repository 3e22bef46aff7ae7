"""Corrections on a client's file over HTTP (issue 20), through the gateway to an
in-memory intake: a change of legal situation and of contact details from a date,
and a declined intake reopened; each refusal names its field."""
import datetime as dt

import pytest

from services.gateway.routes import ROUTES
from services.intake.application import IntakeApplication
from shared.config import DEPLOY_DIR
from tests.support.gateway_http import gateway_http
from tests.support.fakes import IN_MEMORY
from tests.support.samples import WORKER, registration_args


@pytest.fixture
def intake():
    app = IntakeApplication(env=IN_MEMORY)
    app.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    return app


@pytest.fixture
def http(intake):
    return gateway_http(lambda service: intake)


@pytest.fixture
def client_id(intake):
    return str(intake.register_client(WORKER, **registration_args()))


def test_the_three_corrections_are_routed_to_intake():
    routes = {(r.method, r.path): r.rpc for r in ROUTES if r.service == "intake"}
    assert routes[("POST", "/clients/{client_id}/legal-situation")] == "change_legal_situation"
    assert routes[("PUT", "/clients/{client_id}/contact")] == "change_contact_details"
    assert routes[("POST", "/clients/{client_id}/intake-reopening")] == "reopen_intake"


def test_a_change_of_situation_and_contact_shows_in_the_file_with_its_history(http, intake, client_id):
    today = intake.today().isoformat()
    changed = http("POST", f"/clients/{client_id}/legal-situation", "apo-sa-1", json={
        "effective_from": today, "situation": "conditional_release", "reason": "the court granted it"})
    assert changed.status_code == 200, changed.json
    assert changed.json == {"client_id": client_id, "version": 2, "changed": ["situation"]}
    assert changed.headers["ETag"]
    contact = http("PUT", f"/clients/{client_id}/contact", "apo-sa-1", json={
        "effective_from": today, "contact": {"email": "samira@example.org"}, "reason": "new address"})
    assert contact.status_code == 200 and contact.json["version"] == 3
    file = http("GET", f"/clients/{client_id}", "apo-sa-1").json
    assert file["situation"] == "conditional_release" and file["personal"]["contact"] == {
        "email": "samira@example.org"}
    assert [(c["effective_from"], c["changed"]) for c in file["legal_situation_history"]] == [(today, ["situation"])]
    assert file["contact_history"][0]["by"]["user_id"] == "apo-sa-1"


def test_bad_changes_are_refused_naming_the_field_and_change_nothing(http, intake, client_id):
    tomorrow = (intake.today() + dt.timedelta(days=1)).isoformat()
    ahead = http("POST", f"/clients/{client_id}/legal-situation", "apo-sa-1", json={
        "effective_from": tomorrow, "situation": "conditional_release", "reason": "ahead of time"})
    assert ahead.status_code == 422 and set(ahead.json["errors"]) == {"effective_from"}
    same = http("POST", f"/clients/{client_id}/legal-situation", "apo-sa-1", json={
        "effective_from": intake.today().isoformat(), "legal_position": "convicted", "situation": "probation",
        "reason": "nothing new"})
    assert same.status_code == 422 and set(same.json["errors"]) == {"legal_position", "situation"}
    unknown = http("POST", f"/clients/{client_id}/legal-situation", "apo-sa-1", json={
        "effective_from": intake.today().isoformat(), "situation": "on_the_moon", "reason": "a code"})
    assert unknown.status_code == 422 and set(unknown.json["errors"]) == {"situation"}
    elsewhere = http("PUT", f"/clients/{client_id}/contact", "dsr-coord", json={
        "effective_from": intake.today().isoformat(), "contact": {"phone": "+32 470 00 00 00"}})
    assert elsewhere.status_code == 403
    assert http("GET", f"/clients/{client_id}", "apo-sa-1").json["version"] == 1


def test_a_declined_intake_is_reopened_by_a_coordinator_and_decided_again(http, intake, client_id):
    declined = http("POST", f"/clients/{client_id}/decline", "apo-coord", json={"reason": "client_withdrew"})
    assert declined.status_code == 200
    assert http("POST", f"/clients/{client_id}/intake-reopening", "apo-sa-1",
                json={"reason": "she came back"}).status_code == 403
    reopened = http("POST", f"/clients/{client_id}/intake-reopening", "apo-coord", json={"reason": "she came back"})
    assert reopened.status_code == 200 and reopened.json == {"client_id": client_id, "status": "registered"}
    again = http("POST", f"/clients/{client_id}/intake-reopening", "apo-coord", json={"reason": "twice"})
    assert again.status_code == 409 and set(again.json["errors"]) == {"status"}
    accepted = http("POST", f"/clients/{client_id}/acceptance", "apo-coord", json={"worker": "apo-sa-1"})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert [d["decision"] for d in accepted.json["decisions"]] == ["declined", "reopened", "accepted"]
