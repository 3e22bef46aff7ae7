"""A partner organisation's user over HTTP: signed in with the sample users, through
the gateway, to the services in memory (intake, guidance, referrals: the referrals
world). What they may reach, the problems they get otherwise, and the directory's
routes refusing invalid input naming each field."""

import pytest

from shared import access_log
from tests.support.gateway_http import gateway_http
from tests.support.fakes import Clock
from tests.support.samples import WORKER
from tests.unit.referrals.world import NOW, World


@pytest.fixture
def world():
    return World(Clock(NOW))


@pytest.fixture
def http(world):
    return gateway_http(lambda service: getattr(world, service))


@pytest.fixture
def sent(world):
    """A client of APO referred to Transit under consent, and the referral sent."""
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "support with use")
    world.referrals.record_step(WORKER, referral_id, "sent")
    return str(client_id), str(referral_id)


def test_a_partner_user_lists_and_answers_the_referrals_sent_to_its_organisation(http, sent):
    client, referral = sent
    listed = http("GET", "/partner/referrals", "transit-1", query_string={"state": "sent", "limit": 10})
    assert listed.status_code == 200 and listed.json["total"] == 1
    assert listed.json["items"][0]["referral_id"] == referral and listed.json["items"][0]["client_id"] == client
    assert http("GET", "/partner/referrals", "transit-1", query_string={"state": "accepted"}).json["total"] == 0
    answered = http("POST", f"/partner/referrals/{referral}/steps", "transit-1", json={"step": "acknowledged"})
    assert answered.status_code == 200 and answered.json == {"referral_id": referral, "state": "acknowledged"}
    noted = http("POST", f"/partner/referrals/{referral}/notes", "transit-1", json={"note": "call on Monday"})
    assert noted.status_code == 201 and noted.json == {"referral_id": referral, "notes": 1}
    shown = http("GET", f"/partner/referrals/{referral}", "transit-1").json
    assert [(s["state"], s["by"], s["by_role"]) for s in shown["steps"]][-1] == ("acknowledged", "transit-1",
                                                                                  "partner")


def test_another_organisations_user_gets_a_403_and_the_attempt_is_on_record(http, sent, world):
    client, referral = sent
    for method, path, body in (("GET", f"/partner/referrals/{referral}", None),
                               ("POST", f"/partner/referrals/{referral}/steps", {"step": "acknowledged"})):
        response = http(method, path, "casmd-1", json=body)
        assert response.status_code == 403 and response.json["code"] == "forbidden"
    assert http("GET", "/partner/referrals", "casmd-1").json["total"] == 0
    refused = list(world.referrals.stored(access_log.AccessRefused.Recorded))
    assert [(str(e.client_id), e.actor, e.role, e.what) for e in refused] == [
        (client, "casmd-1", "partner", "partner_referral"), (client, "casmd-1", "partner", "record_partner_step")]


def test_a_partner_user_reaches_no_client_file_trajectory_or_agency_route(http, sent, world):
    client, referral = sent
    for method, path, body in (("GET", f"/clients/{client}", None), ("GET", f"/trajectories/{client}", None),
                               ("GET", f"/clients/{client}/referrals", None), ("GET", "/caseload", None),
                               ("POST", f"/referrals/{referral}/steps", {"step": "acknowledged"}),
                               ("POST", f"/referrals/{referral}/notes", {"note": "x"}),
                               ("POST", "/partners/transit/deactivation", {})):
        response = http(method, path, "transit-1", json=body)
        assert response.status_code == 403, (path, response.status_code, response.json)
    # The client's file: intake put the attempt on its access log under the client.
    refused = list(world.intake.stored(access_log.AccessRefused.Recorded))
    assert [(str(e.client_id), e.actor, e.role, e.rule) for e in refused] == [(client, "transit-1", "partner", "role")]


def test_the_lifecycle_and_the_contract_refuse_as_for_anyone(http, sent):
    _, referral = sent
    early = http("POST", f"/partner/referrals/{referral}/steps", "transit-1", json={"step": "started"})
    assert early.status_code == 409 and "next can be: acknowledged" in early.json["errors"]["step"][0]
    http("POST", f"/partner/referrals/{referral}/steps", "transit-1", json={"step": "acknowledged"})
    no_reason = http("POST", f"/partner/referrals/{referral}/steps", "transit-1", json={"step": "declined"})
    assert no_reason.status_code == 422 and set(no_reason.json["errors"]) == {"reason"}
    sending = http("POST", f"/partner/referrals/{referral}/steps", "transit-1", json={"step": "sent"})
    assert sending.status_code == 422 and set(sending.json["errors"]) == {"step"}


def test_the_directory_routes_refuse_invalid_input_naming_each_field_and_a_deactivated_partner(http, sent):
    client, _ = sent
    bad = http("POST", "/partners", "admin-1", json={"code": "x", "name": "", "kind": "addiction",
                                                     "domains": ["addiction"], "languages": ["fr"],
                                                     "channel": "pigeon", "typical_wait_days": "soon"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"code", "name", "channel", "typical_wait_days"}
    desk = {"name": "Desk", "kind": "housing", "agency": None, "domains": ["housing"], "languages": ["fr"],
            "channel": "phone", "typical_wait_days": 4}
    assert http("POST", "/partners", "apo-coord", json={**desk, "code": "desk"}).status_code == 201
    changed = http("PUT", "/partners/desk", "apo-coord", json={**desk, "typical_wait_days": 6})
    assert changed.status_code == 200 and changed.json == {"code": "desk", "active": True}
    gone = http("POST", "/partners/desk/deactivation", "admin-1", json={})
    assert gone.status_code == 200 and gone.json == {"code": "desk", "active": False}
    assert "desk" not in {p["code"] for p in http("GET", "/partners", "apo-sa-1").json["items"]}
    refused = http("POST", f"/clients/{client}/referrals", "apo-sa-1",
                   json={"partner": "desk", "domains": ["housing"], "reason": "a home"})
    assert refused.status_code == 409 and set(refused.json["errors"]) == {"partner"}
