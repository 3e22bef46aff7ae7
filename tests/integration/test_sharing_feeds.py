"""The sharing issue's "done when", on the running platform: three agencies and two
partner organisations each read their own feed, with their own broker user and a
stock AMQP client and CloudEvents SDK, while a realistic case gives, narrows and
withdraws consents (and a partner completes a referral through the API). Each
organisation receives exactly what an oracle computed from the consent history
allows, with exactly the consented categories; nothing about a client who never
consented to it, and nothing after a withdrawal."""
from __future__ import annotations

import datetime as dt
import time

from shared import config
from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_payload
from tests.support.sharing import ORGANISATIONS, Organisation, oracle
from tests.support.accounts import credentials


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def test_each_organisation_receives_exactly_what_the_consents_allow(platform):
    platform.start_services(*config.SERVICES)
    url = platform.start_gateway()
    organisations = {code: Organisation(code, platform.amqp_uri) for code in ORGANISATIONS}
    with platform.rpc(timeout=20) as rpc:
        def client() -> str:
            client_id = rpc.intake.register_client(registration_payload())["client_id"]
            rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
            return client_id

        def consent(client_id, recipient, purpose, scope, share_history=False):
            rpc.intake.give_consent({"actor": WORKER, "client_id": client_id, "recipient": recipient,
                                     "purpose": purpose, "scope": scope, "share_history": share_history})

        def help_request(client_id, domain="housing"):
            rpc.intake.receive_help_request({"actor": WORKER, "client_id": client_id, "source": "justice_assistant",
                                             "domains": [domain], "question": "Ik zoek een woning.",
                                             "urgency": "normal"})

        def intervention(client_id, actor=WORKER):
            args = intervention_args(_now() - dt.timedelta(minutes=10))
            rpc.guidance.record_intervention({"actor": actor, "client_id": client_id,
                                              **{k: v.isoformat() if isinstance(v, dt.datetime) else v
                                                 for k, v in args.items()}})

        def referral(client_id, partner) -> str:
            referral_id = rpc.referrals.propose_referral({"actor": WORKER, "client_id": client_id, "partner": partner,
                                                          "domains": ["addiction"], "reason": "support with use"})
            return referral_id["referral_id"]

        first, second, never = client(), client(), client()
        consent(first, "transit", "referral", ["identity", "help_request", "referrals"])
        consent(first, "dsr", "coordination", ["help_request", "interventions", "appointments"])
        consent(second, "casmd", "referral", ["referrals"])
        # Sab takes the second client over: it receives the file so far too.
        consent(second, "sab", "transfer", ["identity", "legal_situation", "help_request", "interventions"],
                share_history=True)
        for client_id in (first, second, never):
            help_request(client_id)
            wait_until(lambda: _trajectory(rpc, client_id), what="guidance to open the trajectory")
            intervention(client_id)
        to_transit, to_casmd = referral(first, "transit"), referral(second, "casmd")
        wait_until(lambda: _sent(rpc, to_transit) and _sent(rpc, to_casmd), timeout=30,
                   what="referrals to hear of the consents and send")
        consent(first, "dsr", "coordination", ["help_request"])  # narrowed
        intervention(first)
        help_request(first, "addiction")

    # Transit's own user takes its referral to the end through the API; casmd answers.
    for username, referral_id, steps in (("transit-1", to_transit, ("acknowledged", "accepted", "started")),
                                         ("casmd-1", to_casmd, ("acknowledged",))):
        token = http("POST", url + "/auth/token", credentials(username))[2]
        partner = {"Authorization": f"Bearer {token['access_token']}"}
        for step in steps:
            status, _, answer = http("POST", f"{url}/partner/referrals/{referral_id}/steps", {"step": step}, partner)
            assert status == 200, answer
    status, _, answer = http("POST", f"{url}/partner/referrals/{to_transit}/steps",
                             {"step": "completed", "outcome": "effective"}, partner_of(url, "transit-1"))
    assert status == 200 and answer["state"] == "completed", answer

    with platform.rpc(timeout=20) as rpc:
        withdrawn_at = _now()
        rpc.intake.withdraw_consent({"actor": WORKER, "client_id": first, "recipient": "transit",
                                     "purpose": "referral"})
        time.sleep(0.01)
        help_request(first, "work")
        referral(first, "transit")  # proposed after the withdrawal: Transit hears nothing of it
        rpc.intake.transfer_client({"actor": COORDINATOR, "client_id": second, "to_agency": "sab"})
        intervention(never)

    expected, notices = oracle(platform)

    def delivered() -> bool:
        return all(len([e for e in org.read() if "categories" in e["data"]]) >= len(expected[code])
                   and len([e for e in org.received if "purpose" in e["data"]]) >= len(notices[code])
                   for code, org in organisations.items())

    wait_until(delivered, timeout=60, interval=0.5, what="every organisation's feed to hold what it may")
    time.sleep(2)  # anything more would arrive now: it must not
    for code, org in organisations.items():
        entries = org.read()
        facts = {e["data"]["fact_id"]: e["opened"] for e in entries if "categories" in e["data"]}
        assert facts == expected[code], code
        assert [e["sequence"] for e in entries] == list(range(1, len(entries) + 1)), code
        assert [(e["subject"], e["data"]["purpose"]) for e in entries if "purpose" in e["data"]] == notices[code]
        assert never not in {e["subject"] for e in entries}, code
    assert expected["smbg"] == {} and organisations["smbg"].received == []
    assert notices["transit"] == [(first, "referral")]
    transit = organisations["transit"].received
    assert all(dt.datetime.fromisoformat(e["data"]["recorded"]) < withdrawn_at for e in transit
               if "categories" in e["data"])
    # Transit saw its referral's whole lifecycle, its own answers included; dsr, after the
    # narrowing, only help requests.
    steps = [e["opened"]["referrals"].get("step") for e in transit if e["type"].endswith("referral-step-recorded.v1")]
    assert steps == ["sent", "acknowledged", "accepted", "started", "completed"]
    assert {c for e in organisations["dsr"].received for c in e["opened"]} == {"help_request", "interventions"}
    assert len(expected["dsr"]) >= 3 and len(expected["sab"]) >= 2 and len(expected["casmd"]) >= 2
    # Sab's consent shared the history: the second client's registration, from before it, came too.
    assert any(e["type"] == "be.jww.share.intake.client-registered.v1" and e["subject"] == second
               for e in organisations["sab"].received)

    # Sab, back from an absence, asks the API for its feed from the start: the same entries,
    # as published (signed and sealed to sab), page by page.
    pulled, after = [], 0
    while after is not None:
        status, _, page = http("GET", f"{url}/feeds/sab?after={after}&limit=3", headers=partner_of(url, "sab-coord"))
        assert status == 200, page
        pulled += page["entries"]
        after = page["next"]
    assert [e["id"] for e in pulled] == [e["id"] for e in organisations["sab"].entries()]
    assert http("GET", f"{url}/feeds/sab", headers=partner_of(url, "transit-1"))[0] == 403


def partner_of(url: str, username: str) -> dict:
    token = http("POST", url + "/auth/token", credentials(username))[2]
    return {"Authorization": f"Bearer {token['access_token']}"}


def _trajectory(rpc, client_id):
    try:
        return rpc.guidance.trajectory({"actor": WORKER, "client_id": client_id})
    except Exception:
        return None


def _sent(rpc, referral_id) -> bool:
    try:
        rpc.referrals.record_referral_step({"actor": WORKER, "referral_id": referral_id, "step": "sent"})
        return True
    except Exception:
        return False
