"""Corrections of a referral (issue 20): cancelled before the partner answered,
withdrawn after it answered, reopened after the client dropped out, each with a
reason, as facts of their own. First on the aggregate alone, then through the
application: who may, what else reopening needs, and what the partner sees."""
import datetime as dt
import uuid

import pytest

from services.referrals.domain import (
    ConsentWithdrawn, CorrectionNotNow, NoReferralConsent, PartnerDeactivated, Referral, StepNotNext,
)
from services.referrals.service import ReferralsService
from shared.contracts import referrals_answers as answers
from shared.domain import NotNow
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.support.fakes import Clock
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import NOW, OTHER_AGENCY, World

CLIENT = uuid.UUID("6f1c1f9e-0000-4000-8000-0000000000c1")
TRANSIT = {"user_id": "transit-1", "role": "partner", "agency": "transit"}
ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
LATER = NOW + dt.timedelta(days=3)


def referral() -> Referral:
    return Referral.propose(origin=f"worker:{uuid.uuid4()}", client_id=CLIENT, agency="apo", partner="transit",
                            purpose="referral", domains=["addiction"], reason="r", at=NOW, proposed_by=WORKER)


def moved(r: Referral, *steps: str) -> Referral:
    for step in steps:
        r.record_step(step, NOW, "moved away" if step in ("declined", "dropped_out") else None,
                      "effective" if step == "completed" else None, recorded_by=WORKER)
    return r


def replayed(aggregate):
    copy = None
    for e in aggregate.collect_events():
        copy = e.mutate(copy)
    return copy


UNTIL_AN_ANSWER = ((), ("sent",), ("sent", "acknowledged"))
ANSWERED = (("sent", "acknowledged", "waitlisted"), ("sent", "acknowledged", "accepted"),
            ("sent", "acknowledged", "accepted", "started"))
ENDED = (("sent", "acknowledged", "declined"), ("sent", "acknowledged", "accepted", "started", "completed"),
         ("sent", "acknowledged", "accepted", "started", "dropped_out"))


# -- on the aggregate -----------------------------------------------------------------------

@pytest.mark.parametrize("steps", UNTIL_AN_ANSWER, ids=lambda s: s[-1] if s else "proposed")
def test_a_referral_is_cancelled_before_the_partner_answered_and_takes_no_further_step(steps):
    r = moved(referral(), *steps)
    before = r.state
    r.cancel("proposed for the wrong client", LATER, cancelled_by=WORKER)
    assert (r.state, r.state_since) == ("cancelled", LATER)
    assert r.history[-1] == {"state": "cancelled", "at": LATER, "by": "apo-sa-1", "by_role": "social_assistant",
                             "reason": "proposed for the wrong client", "correction": "cancelled"}
    assert [h["state"] for h in r.history][:-1] == ["proposed", *steps]  # the steps before it stay
    with pytest.raises(StepNotNext) as refused:
        r.record_step("sent" if before == "proposed" else "accepted", LATER, None, None, recorded_by=WORKER)
    assert refused.value.details == {"step": ["the referral is cancelled; next can be: none: it has ended"]}
    for correction in (r.cancel, r.withdraw, r.reopen):
        with pytest.raises(CorrectionNotNow):
            correction("again", LATER, WORKER)
    copy = replayed(r)
    assert (copy.state, copy.history) == (r.state, r.history)


@pytest.mark.parametrize("steps", ANSWERED + ENDED, ids=lambda s: s[-1])
def test_cancelling_once_the_partner_answered_is_refused_naming_the_field_and_the_state(steps):
    r = moved(referral(), *steps)
    version = r.version
    with pytest.raises(NotNow) as refused:
        r.cancel("too late", LATER, cancelled_by=WORKER)
    assert isinstance(refused.value, CorrectionNotNow)
    state = steps[-1]
    assert refused.value.message == f"a referral that is {state.replace('_', ' ')} cannot be cancelled"
    assert refused.value.details == {"step": [
        f"the referral is {state}; it can be cancelled only before the partner answered "
        "(when it is proposed, sent, acknowledged)"]}
    assert (r.version, r.state) == (version, state)  # nothing triggered


@pytest.mark.parametrize("steps", ANSWERED, ids=lambda s: s[-1])
def test_a_referral_is_withdrawn_after_the_partner_answered(steps):
    r = moved(referral(), *steps)
    r.withdraw("the client found help elsewhere", LATER, withdrawn_by=COORDINATOR)
    assert r.state == "withdrawn"
    assert (r.history[-1]["correction"], r.history[-1]["by_role"]) == ("withdrawn", "coordinator")
    with pytest.raises(StepNotNext):
        r.record_step("completed", LATER, None, "effective", recorded_by=WORKER)
    assert replayed(r).state == "withdrawn"


@pytest.mark.parametrize("steps", UNTIL_AN_ANSWER + ENDED, ids=lambda s: s[-1] if s else "proposed")
def test_withdrawing_before_an_answer_or_after_the_end_is_refused(steps):
    r = moved(referral(), *steps)
    with pytest.raises(CorrectionNotNow) as refused:
        r.withdraw("no", LATER, withdrawn_by=WORKER)
    assert refused.value.details == {"step": [
        f"the referral is {r.state}; it can be withdrawn only after the partner answered "
        "(when it is waitlisted, accepted, started)"]}


def test_a_dropped_out_referral_is_reopened_waiting_for_the_partner_s_answer_again():
    r = moved(referral(), "sent", "acknowledged", "accepted", "started", "dropped_out")
    r.reopen("the client is back in Brussels", LATER, reopened_by=WORKER)
    assert (r.state, r.state_since) == ("acknowledged", LATER)
    assert r.history[-1]["correction"] == "reopened" and r.history[-2]["state"] == "dropped_out"
    assert sorted(r.history[-1]) == ["at", "by", "by_role", "correction", "reason", "state"]
    moved(r, "waitlisted", "accepted", "started", "completed")  # on along the lifecycle
    assert (r.state, r.outcome) == ("completed", "effective")
    copy = replayed(r)
    assert (copy.state, copy.history) == (r.state, r.history)


@pytest.mark.parametrize("steps", UNTIL_AN_ANSWER + ANSWERED + ENDED[:2], ids=lambda s: s[-1] if s else "proposed")
def test_only_a_dropped_out_referral_is_reopened(steps):
    r = moved(referral(), *steps)
    with pytest.raises(CorrectionNotNow) as refused:
        r.reopen("back", LATER, reopened_by=WORKER)
    assert refused.value.details == {"step": [
        f"the referral is {r.state}; it can be reopened only after the client dropped out (when it is dropped_out)"]}


def test_after_a_consent_withdrawal_a_referral_still_ends_but_is_not_reopened():
    sent = moved(referral(), "sent")
    assert sent.note_consent_withdrawn("transit")
    sent.cancel("the client withdrew their consent", LATER, cancelled_by=WORKER)
    assert sent.state == "cancelled"
    started = moved(referral(), "sent", "acknowledged", "accepted", "started")
    started.note_consent_withdrawn("transit")
    started.withdraw("the client withdrew their consent", LATER, withdrawn_by=WORKER)
    assert started.state == "withdrawn"
    dropped = moved(referral(), "sent", "acknowledged", "accepted", "started")
    dropped.note_consent_withdrawn("transit")
    moved(dropped, "dropped_out")
    with pytest.raises(ConsentWithdrawn):
        dropped.reopen("back", LATER, reopened_by=WORKER)
    assert dropped.state == "dropped_out"


# -- through the application ----------------------------------------------------------------

@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(clock):
    return World(clock)


@pytest.fixture
def client(world):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    return client_id


def started(world, client_id, *more) -> uuid.UUID:
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "support with use")
    for step in ("sent", "acknowledged", "accepted", "started", *more):
        world.referrals.record_step(WORKER, referral_id, step, "moved away" if step == "dropped_out" else None)
    return referral_id


def test_the_agency_s_casework_staff_correct_a_referral_others_are_refused(world, client):
    proposed = world.referrals.propose_referral(WORKER, client, "transit", ["addiction"], "r")
    world.referrals.record_step(WORKER, proposed, "sent")
    for actor in (TRANSIT, OTHER_AGENCY, ADMIN):
        with pytest.raises(Forbidden):
            world.referrals.corrections.cancel(actor, proposed, "not mine")
    assert world.referrals.corrections.cancel(COORDINATOR, proposed, "sent in error") == "cancelled"
    underway = started(world, client)
    with pytest.raises(Forbidden):
        world.referrals.corrections.withdraw(TRANSIT, underway, "a partner answers, it does not withdraw")
    assert world.referrals.corrections.withdraw(WORKER, underway, "moved to Ghent") == "withdrawn"
    (shown,) = [r for r in world.referrals.referral_history(WORKER, client) if r["referral_id"] == str(underway)]
    assert shown["state"] == "withdrawn" and shown["history"][-1]["reason"] == "moved to Ghent"
    assert answers.ReferralHistoryEntry(many=True).validate(world.referrals.referral_history(WORKER, client)) == {}


def test_reopening_needs_the_consent_in_force_and_an_active_partner(world, client):
    dropped = started(world, client, "dropped_out")
    completed = started(world, client)  # in the partner's hands before the deactivation below: it goes on
    world.intake.withdraw_consent(WORKER, client, "transit", "referral")
    world.sync()
    with pytest.raises(NoReferralConsent):
        world.referrals.corrections.reopen(WORKER, dropped, "back")
    world.consent(client, "transit")
    world.referrals.directory.deactivate(ADMIN, "transit")
    with pytest.raises(PartnerDeactivated):
        world.referrals.corrections.reopen(WORKER, dropped, "back")
    world.referrals.record_step(WORKER, completed, "completed", outcome="effective")
    with pytest.raises(CorrectionNotNow):  # the state first, whatever the partner and consents
        world.referrals.corrections.reopen(WORKER, completed, "back")


def test_a_reopened_referral_goes_on_and_stalls_like_any_other(world, client, clock):
    dropped = started(world, client, "dropped_out")
    assert world.referrals.corrections.reopen(WORKER, dropped, "back in Brussels") == "acknowledged"
    clock.now = NOW + dt.timedelta(days=11)
    assert world.referrals.check_time() == 1  # acknowledged for longer than expected: waiting for the answer
    assert world.referrals.record_step(WORKER, dropped, "accepted") == "accepted"


def test_the_partner_sees_the_corrections_of_what_was_sent_to_it_and_not_a_proposal_cancelled(world, client):
    proposed = world.referrals.propose_referral(WORKER, client, "transit", ["addiction"], "r")
    world.referrals.corrections.cancel(WORKER, proposed, "not needed after all")
    assert world.referrals.partner_side.referrals(TRANSIT) == []  # never sent: not its business
    with pytest.raises(Forbidden):
        world.referrals.partner_side.referral(TRANSIT, proposed)
    corrected = started(world, client, "dropped_out")
    world.referrals.corrections.reopen(WORKER, corrected, "back in Brussels")
    world.referrals.record_step(WORKER, corrected, "accepted")
    world.referrals.corrections.withdraw(WORKER, corrected, "found work elsewhere")
    shown = world.referrals.partner_side.referral(TRANSIT, corrected)
    assert shown["state"] == "withdrawn"
    assert [(s["state"], s.get("correction"), s["reason"]) for s in shown["steps"]][-4:] == [
        ("dropped_out", None, "moved away"), ("acknowledged", "reopened", "back in Brussels"),
        ("accepted", None, None), ("withdrawn", "withdrawn", "found work elsewhere")]
    assert answers.PartnerReferral().validate(shown) == {}
    # Without the consent in force, the partner sees that it happened, not why.
    world.intake.withdraw_consent(WORKER, client, "transit", "referral")
    world.sync()
    assert world.referrals.partner_side.referral(TRANSIT, corrected)["steps"][-1]["reason"] is None


def test_the_rpc_needs_a_reason_and_answers_the_state(world, client):
    service = type("Service", (), {"app": world.referrals})()
    underway = started(world, client)
    with pytest.raises(InvalidInput) as refused:
        ReferralsService.withdraw_referral(service, {"actor": WORKER, "referral_id": str(underway)})
    assert set(refused.value.details) == {"reason"}
    with pytest.raises(InvalidInput) as refused:
        ReferralsService.withdraw_referral(service, {"actor": WORKER, "referral_id": str(underway), "reason": ""})
    assert set(refused.value.details) == {"reason"}
    assert ReferralsService.withdraw_referral(service, {
        "actor": WORKER, "referral_id": str(underway), "reason": "moved"}) == {
        "referral_id": str(underway), "state": "withdrawn"}
    with pytest.raises(Conflict) as refused:  # the domain's refusal, as the caller receives it
        ReferralsService.cancel_referral(service, {"actor": WORKER, "referral_id": str(underway), "reason": "x"})
    assert refused.value.details == {"step": [
        "the referral is withdrawn; it can be cancelled only before the partner answered "
        "(when it is proposed, sent, acknowledged)"]}
