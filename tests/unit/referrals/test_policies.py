"""What intake's and guidance's facts do in referrals, delivered by real followers."""
import pytest

from services.referrals.domain import ConsentWithdrawn
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.referrals.world import OTHER_AGENCY

DSR_COORDINATOR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}


def test_a_psychologist_recommendation_proposes_the_agencys_own_psychologist(world):
    client_id = world.accepted_client()
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    world.sync()  # delivered again: still one
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert (referral["partner"], referral["state"]) == ("apo-psychologist", "proposed")
    (proposed,) = world.published("referral-proposed")
    assert proposed["data"]["from_psychologist_recommendation"] is True


def test_without_a_psychologist_inside_one_speaking_the_clients_language_is_proposed(world):
    client_id = world.intake.register_client(
        {**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"}, **registration_args(languages=["tr", "nl"],
                                                                               preferred_language="tr"))
    world.intake.accept(DSR_COORDINATOR, client_id, "dsr-sa-1")
    world.sync()
    world.guidance.recommend_psychologist(OTHER_AGENCY, client_id, "anxiety")
    world.sync()
    (referral,) = world.referrals.referral_history(OTHER_AGENCY, client_id)
    assert referral["partner"] == "ssm-nord"  # the external one that speaks Turkish


def test_a_withdrawn_consent_flags_the_referral_and_stops_what_goes_to_the_partner(world):
    client_id = world.accepted_client()
    world.consent(client_id, "projet-lama")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "reason")
    world.referrals.record_step(WORKER, referral_id, "sent")
    world.intake.withdraw_consent(WORKER, client_id, "projet-lama", "referral")
    world.sync()
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert referral["consent_withdrawn"] is True
    with pytest.raises(ConsentWithdrawn):
        world.referrals.record_step(WORKER, referral_id, "acknowledged")
    assert len(world.published("referral-consent-withdrawn")) == 1


def test_a_withdrawal_for_another_partner_or_purpose_flags_nothing(world):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    world.consent(client_id, "projet-lama")
    world.consent(client_id, "transit", purpose="family_involvement")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    world.referrals.record_step(WORKER, referral_id, "sent")
    world.intake.withdraw_consent(WORKER, client_id, "projet-lama", "referral")
    world.intake.withdraw_consent(WORKER, client_id, "transit", "family_involvement")
    world.sync()
    assert world.referrals.record_step(WORKER, referral_id, "acknowledged") == "acknowledged"
    assert world.published("referral-consent-withdrawn") == []


def test_referrals_follows_the_agency_that_accepted_the_client(world):
    client_id = world.intake.register_client(WORKER, **registration_args())
    world.sync()
    assert world.referrals.client_on_record(client_id).agency == "apo"
    world.intake.accept(COORDINATOR, client_id, "apo-sa-1")  # the same agency: nothing new to follow
    world.sync()
    record = world.referrals.client_on_record(client_id)
    assert (record.agency, record.version) == ("apo", 2)
