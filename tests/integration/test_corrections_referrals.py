"""Corrections of referrals on the running platform (issue 20, "cancels and reopens
referrals"): over HTTP a worker cancels one referral, reopens another the client
dropped out of and later withdraws it; cancelling or reopening a completed one is
refused naming the field and the state, a correction without a reason too; the
partner's user sees the corrections on its own route, and the partner organisation
(Transit) receives each correction in its feed, sealed to it, without the reason."""
from __future__ import annotations

import json

from tests.support.accounts import sign_in
from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.samples import COORDINATOR, WORKER, registration_payload
from tests.support.sharing import Organisation

CORRECTIONS = ("referral-cancelled", "referral-reopened", "referral-withdrawn")
REASON = "Zq8corr"  # in every reason: none may reach the feed


def test_a_worker_cancels_withdraws_and_reopens_referrals_and_the_partner_is_told(running):
    # The session's platform (tests/support/running.py): this test's client is its own,
    # and what it reads of Transit's feed is about that client only.
    platform, url = running.platform, running.url
    transit = Organisation("transit", platform.amqp_uri)
    worker = {"Authorization": f"Bearer {sign_in(url, 'apo-sa-1')}"}
    partner = {"Authorization": f"Bearer {sign_in(url, 'transit-1')}"}

    def api(method: str, path: str, body=None, headers=worker):
        return http(method, url + path, body, headers)

    with platform.rpc(timeout=20) as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        rpc.intake.give_consent({"actor": WORKER, "client_id": client_id, "recipient": "transit",
                                 "purpose": "referral", "scope": ["identity", "referrals"]})

    def proposed() -> str:
        status, _, answer = api("POST", f"/clients/{client_id}/referrals", {
            "partner": "transit", "domains": ["addiction"], "reason": "support with use"})
        assert status == 201, answer
        return answer["referral_id"]

    def step(referral_id: str, name: str, **more) -> dict:
        status, _, answer = api("POST", f"/referrals/{referral_id}/steps", {"step": name, **more})
        assert status == 200, answer
        return answer

    def sent(referral_id: str) -> bool:
        return api("POST", f"/referrals/{referral_id}/steps", {"step": "sent"})[0] == 200

    cancelled, corrected, completed = proposed(), proposed(), proposed()
    wait_until(lambda: sent(cancelled), timeout=30, what="referrals to hear of the consent and send")
    for referral_id in (corrected, completed):
        assert sent(referral_id)
        for name in ("acknowledged", "accepted", "started"):
            step(referral_id, name)
    step(corrected, "dropped_out", reason="moved away")
    step(completed, "completed", outcome="effective")

    # Cancelled before Transit answered.
    status, _, answer = api("POST", f"/referrals/{cancelled}/cancellation", {"reason": f"{REASON} wrong partner"})
    assert (status, answer) == (200, {"referral_id": cancelled, "state": "cancelled"})
    refused = api("POST", f"/referrals/{cancelled}/steps", {"step": "acknowledged"})
    assert refused[0] == 409 and "the referral is cancelled" in refused[2]["errors"]["step"][0]
    # Reopened after the drop-out: Transit is to answer again; then withdrawn once it accepted.
    status, _, answer = api("POST", f"/referrals/{corrected}/reopening", {"reason": f"{REASON} back in Brussels"})
    assert (status, answer) == (200, {"referral_id": corrected, "state": "acknowledged"})
    status, _, answer = http("POST", f"{url}/partner/referrals/{corrected}/steps", {"step": "accepted"}, partner)
    assert (status, answer["state"]) == (200, "accepted"), answer
    status, _, answer = api("POST", f"/referrals/{corrected}/withdrawal", {"reason": f"{REASON} found a job"})
    assert (status, answer) == (200, {"referral_id": corrected, "state": "withdrawn"})

    # The refusals: the state, named; no reason; not the partner's to do.
    status, _, problem = api("POST", f"/referrals/{completed}/cancellation", {"reason": "too late"})
    assert status == 409 and problem["errors"] == {"step": [
        "the referral is completed; it can be cancelled only before the partner answered "
        "(when it is proposed, sent, acknowledged)"]}
    status, _, problem = api("POST", f"/referrals/{completed}/reopening", {"reason": "back"})
    assert status == 409 and "the referral is completed" in problem["errors"]["step"][0]
    status, _, problem = api("POST", f"/referrals/{completed}/withdrawal", {})
    assert status == 422 and set(problem["errors"]) == {"reason"}
    status, _, problem = api("POST", f"/referrals/{completed}/withdrawal", {"reason": "x"}, headers=partner)
    assert status == 403

    # The agency's history and the partner's view show where each stands and how.
    status, _, history = api("GET", f"/clients/{client_id}/referrals")
    assert status == 200
    states = {r["referral_id"]: r["state"] for r in history["items"]}
    assert states == {cancelled: "cancelled", corrected: "withdrawn", completed: "completed"}
    status, _, seen = http("GET", f"{url}/partner/referrals/{corrected}", headers=partner)
    assert status == 200 and seen["state"] == "withdrawn"
    assert [s.get("correction") for s in seen["steps"]][-3:] == ["reopened", None, "withdrawn"]

    # Transit's feed: each correction, sealed to it, the referrals block saying from which state.
    def told() -> list[dict]:
        mine = [e for e in transit.read() if e["subject"] == client_id
                and e["type"].split(".")[4] in CORRECTIONS]
        return mine if len(mine) >= 3 else []

    entries = wait_until(told, timeout=60, interval=0.5, what="Transit's feed to hold the three corrections")
    by_type = {e["type"]: e for e in entries}
    assert set(by_type) == {f"be.jww.share.referrals.{fact}.v1" for fact in CORRECTIONS}
    cancellation = by_type["be.jww.share.referrals.referral-cancelled.v1"]
    reopening = by_type["be.jww.share.referrals.referral-reopened.v1"]
    withdrawal = by_type["be.jww.share.referrals.referral-withdrawn.v1"]
    assert cancellation["data"]["fields"]["referral_id"] == cancelled
    assert cancellation["opened"] == {"referrals": {"partner": "transit", "from_state": "sent"}}
    assert reopening["opened"] == {"referrals": {"partner": "transit", "state": "acknowledged"}}
    assert withdrawal["opened"] == {"referrals": {"partner": "transit", "from_state": "accepted"}}
    assert all(e["data"]["fields"]["referral_id"] == corrected for e in (reopening, withdrawal))
    assert REASON not in json.dumps([{k: v for k, v in e.items() if k != "body"} for e in transit.received])
    assert all(REASON.encode() not in e["body"] for e in transit.received)
    assert transit.refused == []

    # Audit's timeline: each original step, then each correction after it.
    def on_the_timeline():
        status, _, timeline = api("GET", f"/audit/clients/{client_id}/timeline?purpose=inspection",
                                  headers={"Authorization": f"Bearer {sign_in(url, 'auditor-1')}"})
        facts = [(e["type"].split(".")[3], e["data"].get("referral_id")) for e in timeline.get("entries", [])
                 if e["source"] == "referrals"]
        return status == 200 and ("referral-withdrawn", corrected) in facts and facts

    facts = wait_until(on_the_timeline, timeout=30, what="audit to hear of the corrections")
    assert facts.index(("referral-proposed", cancelled)) < facts.index(("referral-cancelled", cancelled))
    assert [f for f, about in facts if about == corrected and f != "referral-step-recorded"] == [
        "referral-proposed", "referral-reopened", "referral-withdrawn"]
