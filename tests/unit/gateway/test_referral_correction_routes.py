"""Cancelling, withdrawing and reopening a referral over HTTP (issue 20): signed in
with the sample users, through the gateway, to the services in memory (the
referrals world). The answers fit their schemas; a correction the state does not
allow is a 409 naming the field and the state; a missing reason a 422; a partner's
user may not correct, and sees the corrections on its own route."""
from uuid import UUID

import pytest

from services.gateway.routes import ROUTES
from shared.contracts import referrals_answers as answers
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
def client(world):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    return client_id


def referral(world, client_id, *steps) -> str:
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "support with use")
    for step in steps:
        world.referrals.record_step(WORKER, referral_id, step, "moved away" if step == "dropped_out" else None,
                                    "effective" if step == "completed" else None)
    return str(referral_id)


ANSWERED = ("sent", "acknowledged", "accepted", "started")


def test_each_correction_is_a_command_route_answering_the_referral_s_state():
    routes = {r.rpc: r for r in ROUTES if r.service == "referrals"}
    for rpc, path in (("cancel_referral", "cancellation"), ("withdraw_referral", "withdrawal"),
                      ("reopen_referral", "reopening")):
        route = routes[rpc]
        assert (route.method, route.path, route.status) == ("POST", f"/referrals/{{referral_id}}/{path}", 200)
        assert route.command and route.answer is answers.ReferralState


def test_a_worker_cancels_withdraws_and_reopens_and_the_partner_sees_it(http, world, client):
    cancelled = referral(world, client, "sent")
    answer = http("POST", f"/referrals/{cancelled}/cancellation", "apo-sa-1", json={"reason": "sent in error"})
    assert answer.status_code == 200 and answer.json == {"referral_id": cancelled, "state": "cancelled"}
    assert answers.ReferralState().validate(answer.json) == {}
    again = referral(world, client, *ANSWERED, "dropped_out")
    reopened = http("POST", f"/referrals/{again}/reopening", "apo-sa-1", json={"reason": "back in Brussels"})
    assert reopened.status_code == 200 and reopened.json["state"] == "acknowledged"
    world.referrals.record_step(WORKER, again, "accepted")
    withdrawn = http("POST", f"/referrals/{again}/withdrawal", "apo-sa-1", json={"reason": "found work"})
    assert withdrawn.status_code == 200 and withdrawn.json == {"referral_id": again, "state": "withdrawn"}
    seen = http("GET", f"/partner/referrals/{again}", "transit-1")
    assert seen.status_code == 200 and seen.json["state"] == "withdrawn"
    assert [s.get("correction") for s in seen.json["steps"]][-3:] == ["reopened", None, "withdrawn"]
    assert answers.PartnerReferral().validate(seen.json) == {}
    listed = http("GET", "/partner/referrals", "transit-1", query_string={"state": "cancelled"})
    assert [r["referral_id"] for r in listed.json["items"]] == [cancelled]
    history = http("GET", f"/clients/{client}/referrals", "apo-sa-1", query_string={"state": "withdrawn"})
    assert [r["referral_id"] for r in history.json["items"]] == [again]


def test_cancelling_a_completed_referral_is_a_conflict_naming_the_field_and_the_state(http, world, client):
    completed = referral(world, client, *ANSWERED, "completed")
    refused = http("POST", f"/referrals/{completed}/cancellation", "apo-sa-1", json={"reason": "too late"})
    assert refused.status_code == 409
    assert refused.json["errors"] == {"step": [
        "the referral is completed; it can be cancelled only before the partner answered "
        "(when it is proposed, sent, acknowledged)"]}
    sent = referral(world, client, "sent")
    early = http("POST", f"/referrals/{sent}/withdrawal", "apo-sa-1", json={"reason": "no"})
    assert early.status_code == 409 and "the referral is sent" in early.json["errors"]["step"][0]
    again = http("POST", f"/referrals/{sent}/reopening", "apo-sa-1", json={"reason": "no"})
    assert again.status_code == 409 and "only after the client dropped out" in again.json["errors"]["step"][0]


def test_a_correction_needs_a_reason_and_is_the_agency_s_alone(http, world, client):
    sent = referral(world, client, "sent")
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}):
        missing = http("POST", f"/referrals/{sent}/cancellation", "apo-sa-1", json=body)
        assert missing.status_code == 422 and set(missing.json["errors"]) == {"reason"}, body
    for user in ("transit-1", "dsr-sa-1"):
        refused = http("POST", f"/referrals/{sent}/cancellation", user, json={"reason": "not yours"})
        assert refused.status_code == 403 and refused.json["code"] == "forbidden", user
    assert world.referrals.repository.get(UUID(sent)).state == "sent"  # nothing changed
