"""On the running platform: intake learns the partner organisations from referrals'
published facts (its first start loads the sample partners), so a consent to a
partner is accepted once they arrive, and refused for an unknown organisation; the
consent is published as consent-given.v2 beside v1, and referrals' gate opens on it."""
import pytest

from shared.errors import Forbidden, InvalidInput
from shared.outbox import Outbox
from tests.support.broker import wait_until
from tests.support.samples import COORDINATOR, WORKER, registration_payload


def _given(rpc, me, recipient: str) -> bool:
    try:
        rpc.intake.give_consent({**me, "recipient": recipient, "purpose": "referral", "scope": ["help_request"]})
    except InvalidInput:
        return False
    return True


def test_a_consent_names_a_partner_intake_learnt_from_referrals_and_opens_the_gate(platform):
    platform.start_services("intake", "referrals")
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        me = {"actor": WORKER, "client_id": client_id}
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        with pytest.raises(InvalidInput) as unknown:
            rpc.intake.give_consent({**me, "recipient": "no-such-org", "purpose": "referral", "scope": ["identity"]})
        assert unknown.value.details == {"recipient": ["not an agency or an active partner organisation"]}
        with pytest.raises(InvalidInput) as not_a_category:
            rpc.intake.give_consent({**me, "recipient": "dsr", "purpose": "coordination", "scope": ["everything"]})
        assert set(not_a_category.value.details) == {"scope.0"}
        wait_until(lambda: _given(rpc, me, "casmd"), what="intake to learn the sample partners from referrals")
        referral = {"actor": WORKER, "referral_id": rpc.referrals.propose_referral(
            {**me, "partner": "casmd", "domains": ["income_debts"], "reason": "debts"})["referral_id"]}
        wait_until(lambda: _sent(rpc, referral), what="the consent to reach referrals and the referral to go")

    intake = platform.application("intake")
    consent = [e for e in Outbox(intake).read(0, 1000) if e["type"].startswith("be.jww.intake.consent-given")]
    assert [e["type"] for e in consent] == ["be.jww.intake.consent-given.v2", "be.jww.intake.consent-given.v1"]
    assert consent[0]["data"]["categories"] == ["help_request"] and consent[0]["data"]["share_history"] is False
    assert consent[1]["data"]["scope"] == ["help_request"]


def _sent(rpc, referral) -> bool:
    try:
        rpc.referrals.record_referral_step({**referral, "step": "sent"})
    except Forbidden:  # the consent has not reached referrals yet
        return False
    return True
