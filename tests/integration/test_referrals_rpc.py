"""Referrals through RPC on the running platform (the referrals issue's "done when")."""
import datetime as dt

import pytest

from shared.errors import Conflict, Forbidden
from shared.outbox import Outbox
from tests.support.broker import wait_until
from tests.support.followers import wait_trajectory
from tests.support.samples import COORDINATOR, WORKER, registration_payload


def test_referrals_from_a_psychologist_flag_to_a_case_conference(platform):
    # A referral left "sent" is reported stalled at once here, so that a running
    # platform shows it without waiting five days.
    platform.extra_env["referrals"] = {"JWW_REFERRALS_EXPECTED_DAYS": "sent=0"}
    platform.start_services("intake", "guidance", "referrals")
    me = {"actor": WORKER}
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        me["client_id"] = client_id
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        wait_trajectory(rpc, me)
        rpc.guidance.recommend_psychologist({**me, "reason": "anxiety"})

        proposed = wait_until(lambda: rpc.referrals.referral_history(me), what="referrals to propose a psychologist")
        assert (proposed[0]["partner"], proposed[0]["state"]) == ("apo-psychologist", "proposed")

        referral = {"actor": WORKER, "referral_id": rpc.referrals.propose_referral(
            {**me, "partner": "projet-lama", "domains": ["addiction"], "reason": "cocaine use"})["referral_id"]}
        with pytest.raises(Forbidden) as no_consent:
            rpc.referrals.record_referral_step({**referral, "step": "sent"})
        rpc.intake.give_consent({**me, "recipient": "projet-lama", "purpose": "referral",
                                 "scope": ["identity", "help_request"]})
        wait_until(lambda: _sent(rpc, referral), what="the consent to reach referrals and the referral to go")
        assert rpc.referrals.check_time({"actor": COORDINATOR})["raised"] == 1
        assert rpc.referrals.check_time({"actor": COORDINATOR})["raised"] == 0  # once
        for step in ("acknowledged", "accepted", "started"):
            rpc.referrals.record_referral_step({**referral, "step": step})
        with pytest.raises(Conflict) as illegal:
            rpc.referrals.record_referral_step({**referral, "step": "declined", "reason": "too late"})
        rpc.referrals.record_referral_step({**referral, "step": "completed", "outcome": "effective"})

        conference = rpc.referrals.hold_case_conference({
            **me, "on": dt.date.today().isoformat(), "participants": ["apo-sa-1", "Projet Lama", "justice assistant"],
            "decisions": ["continue outpatient follow-up"],
            "actions": [{"action": "send attendance certificate", "owner": "apo-sa-1",
                         "due": (dt.date.today() + dt.timedelta(days=14)).isoformat()}]})
        plan = rpc.referrals.coordination(me)
        history = rpc.referrals.referral_history(me)

    assert "projet-lama" in no_consent.value.details["consent"][0]
    assert "the referral is started" in illegal.value.details["step"][0]
    lama = next(r for r in history if r["partner"] == "projet-lama")
    assert (lama["state"], lama["outcome"], len(lama["stalled"])) == ("completed", "effective", 1)
    assert plan["case_conferences"][0]["conference_id"] == conference["conference_id"]
    assert plan["case_conferences"][0]["actions"][0]["owner"] == "apo-sa-1"
    referrals = platform.application("referrals")
    wait_until(lambda: referrals.position_of("relay") == referrals.head(), what="referrals' relay to publish")
    facts = {e["type"].split(".")[3] for e in Outbox(referrals).read(after=0, limit=1000)}
    assert {"referral-proposed", "referral-step-recorded", "referral-stalled", "case-conference-held"} <= facts


def _sent(rpc, referral) -> bool:
    try:
        return rpc.referrals.record_referral_step({**referral, "step": "sent"})["state"] == "sent"
    except Forbidden:
        return False
