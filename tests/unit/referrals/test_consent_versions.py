"""Referrals' consent gate reads intake's consent-given.v2 (WAVE2 18: consumers
first), and the same giving arriving in both versions notes it once."""
import pytest

from services.referrals.domain import NoReferralConsent
from shared.contracts import event_type
from tests.support.fakes import Link
from tests.support.samples import WORKER

V1 = event_type("intake", "consent-given", 1)


def only_v2(world):
    """Referrals following intake as if consent-given.v1 were not published: v2 alone
    must open the gate."""
    (at,) = [i for i, link in enumerate(world.links)
             if link.follower.app is world.referrals and link.follower.upstream == "intake"]
    link = Link(world.referrals, world.intake, "intake")
    link.follower.policies = {t: p for t, p in world.referrals.reactions().items() if t != V1}
    world.links[at] = link


def test_the_gate_opens_from_consent_given_v2_alone(world):
    only_v2(world)
    client_id = world.accepted_client()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(NoReferralConsent):
        world.referrals.record_step(WORKER, referral_id, "sent")
    world.consent(client_id, "transit")
    assert world.referrals.client_on_record(client_id).consents_to("transit", "referral")
    assert world.referrals.record_step(WORKER, referral_id, "sent") == "sent"


def test_a_giving_in_both_versions_is_noted_once_and_a_withdrawal_closes_the_gate(world):
    client_id = world.accepted_client()
    version = world.referrals.client_on_record(client_id).version
    world.consent(client_id, "transit")  # v2 then v1 of the same giving
    record = world.referrals.client_on_record(client_id)
    assert record.consents_to("transit", "referral") and record.version == version + 1
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    assert not world.referrals.client_on_record(client_id).consents_to("transit", "referral")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(NoReferralConsent):
        world.referrals.record_step(WORKER, referral_id, "sent")
