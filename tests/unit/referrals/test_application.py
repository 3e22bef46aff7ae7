"""Referral use cases through the application, on in-memory stores."""
import datetime as dt
import uuid

import pytest

from services.referrals.domain import NoReferralConsent, StepNotNext
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import NOW, OTHER_AGENCY

AUDITOR = {"user_id": "apo-aud-1", "role": "auditor", "agency": "apo"}


def test_sending_without_consent_is_refused_naming_the_missing_consent(world):
    client_id = world.accepted_client()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    with pytest.raises(NoReferralConsent) as refused:
        world.referrals.record_step(WORKER, referral_id, "sent")
    assert refused.value.details == {"consent": ["no consent in force for recipient projet-lama, purpose referral"]}
    world.consent(client_id, "transit")  # another partner does not count
    with pytest.raises(NoReferralConsent):
        world.referrals.record_step(WORKER, referral_id, "sent")


def test_with_consent_a_referral_goes_through_its_whole_lifecycle(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "projet-lama")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    for step in ("sent", "acknowledged", "waitlisted", "accepted", "started"):
        clock.now += dt.timedelta(days=1)
        assert world.referrals.record_step(WORKER, referral_id, step) == step
    clock.now += dt.timedelta(days=30)
    world.referrals.record_step(WORKER, referral_id, "completed", outcome="partly_effective")
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert [h["state"] for h in referral["history"]] == [
        "proposed", "sent", "acknowledged", "waitlisted", "accepted", "started", "completed"]
    assert referral["outcome"] == "partly_effective"
    steps = world.published("referral-step-recorded")
    assert [e["data"]["answered"] for e in steps] == [False, False, True, True, False, False]


def test_an_illegal_transition_names_the_current_state(world):
    client_id = world.accepted_client()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(StepNotNext) as refused:
        world.referrals.record_step(WORKER, referral_id, "accepted")
    assert refused.value.details == {"step": ["the referral is proposed; next can be: sent"]}


def test_sending_twice_is_refused_by_the_lifecycle_before_any_consent(world):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    world.referrals.record_step(WORKER, referral_id, "sent")
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    with pytest.raises(StepNotNext) as refused:
        world.referrals.record_step(WORKER, referral_id, "sent")
    assert refused.value.details == {"step": ["the referral is sent; next can be: acknowledged"]}


def test_after_a_withdrawal_the_referral_can_still_end(world):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    for step in ("sent", "acknowledged", "accepted", "started"):
        world.referrals.record_step(WORKER, referral_id, step)
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    assert world.referrals.record_step(WORKER, referral_id, "dropped_out", reason="moved") == "dropped_out"
    with pytest.raises(StepNotNext):
        world.referrals.record_step(WORKER, referral_id, "completed", outcome="effective")


def test_a_stalled_referral_raises_its_fact_once(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    world.referrals.record_step(WORKER, referral_id, "sent")
    clock.now += dt.timedelta(days=4)
    assert world.referrals.check_time() == 0
    clock.now += dt.timedelta(days=2)  # sent six days ago, five expected
    assert world.referrals.check_time() == 1
    assert world.referrals.check_time() == 0
    (stalled,) = world.published("referral-stalled")
    assert stalled["data"]["state"] == "sent" and stalled["data"]["expected_days"] == 5
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert len(referral["stalled"]) == 1


def test_the_check_runs_on_request_for_coordinators_and_admins_only(world, clock):
    client_id = world.accepted_client()
    world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    clock.now += dt.timedelta(days=8)  # proposed eight days ago, seven expected
    with pytest.raises(Forbidden):
        world.referrals.check_time_now(WORKER)
    assert world.referrals.check_time_now(COORDINATOR) == 1


def test_a_deployment_sets_its_own_expected_stay(world):
    client_id = world.accepted_client()
    world.referrals.expected_stay["proposed"] = dt.timedelta(0)
    world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    assert world.referrals.check_time() == 0  # not beyond: exactly now
    world.referrals.clock.now += dt.timedelta(seconds=1)
    assert world.referrals.check_time() == 1


def test_another_agency_cannot_touch_the_referrals(world):
    client_id = world.accepted_client()
    with pytest.raises(Forbidden):
        world.referrals.propose_referral(OTHER_AGENCY, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(NotFound):
        world.referrals.propose_referral(WORKER, client_id, "no-such-partner", ["addiction"], "reason")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(Forbidden):
        world.referrals.record_step(OTHER_AGENCY, referral_id, "sent")
    with pytest.raises(Forbidden):
        world.referrals.referral_history(OTHER_AGENCY, client_id)


def test_a_referral_or_client_unknown_here_is_not_found(world):
    client_id = world.accepted_client()
    with pytest.raises(NotFound) as no_referral:
        world.referrals.record_step(WORKER, uuid.uuid4(), "sent")
    assert no_referral.value.details == {"referral_id": ["not found"]}
    with pytest.raises(NotFound):  # a client's id is not a referral's
        world.referrals.record_step(WORKER, client_id, "sent")
    with pytest.raises(NotFound) as no_client:
        world.referrals.propose_referral(WORKER, uuid.uuid4(), "transit", ["addiction"], "reason")
    assert no_client.value.details == {"client_id": ["not found"]}


def test_partner_figures_for_a_period(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    accepted = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    declined = world.referrals.propose_referral(WORKER, client_id, "transit", ["housing"], "r")
    for step in ("sent", "acknowledged", "accepted"):
        world.referrals.record_step(WORKER, accepted, step)
    for step in ("sent", "acknowledged"):
        world.referrals.record_step(WORKER, declined, step)
    world.referrals.record_step(WORKER, declined, "declined", reason="no place")
    clock.now += dt.timedelta(days=6)
    world.referrals.record_step(WORKER, accepted, "started")
    (row,) = world.referrals.partner_figures(WORKER, NOW.date(), NOW.date())
    assert (row["partner"], row["sent"], row["acceptance_rate"], row["median_days_to_start"]) == (
        "transit", 2, 0.5, 6.0)
    assert world.referrals.partner_figures(WORKER, NOW.date(), NOW.date(), partner="projet-lama") == []
    assert world.referrals.partner_figures(OTHER_AGENCY, NOW.date(), NOW.date()) == []
    with pytest.raises(Forbidden):
        world.referrals.partner_figures(AUDITOR, NOW.date(), NOW.date())


def test_steps_need_their_reason_or_outcome():
    from shared.contracts import referrals as contracts
    from shared.contracts import validate_command

    base = {"actor": WORKER, "referral_id": "00000000-0000-4000-8000-000000000000"}
    for payload, field in (({"step": "declined"}, "reason"), ({"step": "completed"}, "outcome"),
                           ({"step": "sent", "outcome": "effective"}, "outcome")):
        with pytest.raises(InvalidInput) as refused:
            validate_command(contracts.RecordReferralStep, {**base, **payload})
        assert field in refused.value.details
