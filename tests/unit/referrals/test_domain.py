"""Referrals' rules on the aggregates themselves: no application, no store."""
import datetime as dt
import uuid

import pytest

from services.referrals.domain import (
    EXPECTED_STAY, ActionAlreadyDone, CaseConference, ClientOnRecord, ConferenceNotHeldYet, ConsentWithdrawn,
    CoordinationPlan, NoReferralConsent, NoSuchAction, NoSuchCoordinationActor, Partner, Referral, StepNotNext,
)
from shared.domain import NotNow, NotPermitted, Unknown
from tests.support.samples import WORKER

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
CLIENT = uuid.UUID("6f1c1f9e-0000-4000-8000-000000000001")
DAY = dt.timedelta(days=1)


def referral(partner="transit") -> Referral:
    return Referral.propose(origin=f"worker:{uuid.uuid4()}", client_id=CLIENT, agency="apo", partner=partner,
                            purpose="referral", domains=["addiction"], reason="r", at=NOW, proposed_by=WORKER)


def moved(r: Referral, *steps: str, at=NOW) -> Referral:
    for step in steps:
        r.record_step(step, at, None, None, recorded_by=WORKER)
    return r


def replayed(aggregate):
    """The aggregate rebuilt from its events, as a repository loads it."""
    copy = None
    for e in aggregate.collect_events():
        copy = e.mutate(copy)
    return copy


def test_a_referral_moves_only_along_its_lifecycle():
    r = moved(referral(), "sent", "acknowledged", "waitlisted", "accepted", "started")
    r.record_step("completed", NOW, None, "effective", recorded_by=WORKER)
    assert (r.state, r.outcome) == ("completed", "effective")
    assert [h["state"] for h in r.history][-1] == "completed"
    with pytest.raises(StepNotNext) as refused:
        r.record_step("started", NOW, None, None, recorded_by=WORKER)
    assert refused.value.details == {"step": ["the referral is completed; next can be: none: it has ended"]}


def test_an_illegal_step_is_a_conflict_naming_the_state_and_what_may_follow():
    r = referral()
    assert r.may_become("sent") and not r.may_become("accepted")
    with pytest.raises(NotNow) as refused:
        r.record_step("accepted", NOW, None, None, recorded_by=WORKER)
    assert isinstance(refused.value, StepNotNext)
    assert refused.value.message == "a referral that is proposed cannot become accepted"
    assert refused.value.details == {"step": ["the referral is proposed; next can be: sent"]}
    assert r.version == 1  # nothing triggered


def test_after_a_withdrawal_only_the_ending_is_recorded():
    r = moved(referral(), "sent", "acknowledged")
    assert r.note_consent_withdrawn("transit")
    with pytest.raises(NotPermitted) as refused:
        r.record_step("accepted", NOW, None, None, recorded_by=WORKER)
    assert isinstance(refused.value, ConsentWithdrawn)
    assert refused.value.details == {"consent": ["withdrawn for recipient transit"]}
    with pytest.raises(StepNotNext):  # the lifecycle still comes first
        r.record_step("started", NOW, None, None, recorded_by=WORKER)
    started = moved(referral(), "sent", "acknowledged", "accepted", "started")
    started.note_consent_withdrawn("transit")
    started.record_step("dropped_out", NOW, "moved away", None, recorded_by=WORKER)
    assert started.state == "dropped_out"


def test_a_withdrawal_flags_only_referrals_in_that_partners_hands():
    assert not referral().note_consent_withdrawn("transit")  # proposed: nothing went to the partner yet
    assert not moved(referral(), "sent").note_consent_withdrawn("projet-lama")
    assert not moved(referral(), "sent", "acknowledged", "declined").note_consent_withdrawn("transit")
    flagged = moved(referral(), "sent")
    assert flagged.note_consent_withdrawn("transit") and flagged.consent_withdrawn


def test_a_stall_is_noticed_beyond_the_expected_stay_once_per_stay():
    r = moved(referral(), "sent")
    assert not r.notice_stall(NOW + 5 * DAY, EXPECTED_STAY)  # five days expected: not beyond yet
    assert r.notice_stall(NOW + 6 * DAY, EXPECTED_STAY)
    assert not r.notice_stall(NOW + 7 * DAY, EXPECTED_STAY)  # once per stay
    r.record_step("acknowledged", NOW + 7 * DAY, None, None, recorded_by=WORKER)
    assert not r.notice_stall(NOW + 16 * DAY, EXPECTED_STAY)
    assert r.notice_stall(NOW + 18 * DAY, EXPECTED_STAY)  # a new stay, a new stall
    stalled = [e for e in r.collect_events() if isinstance(e, Referral.Stalled)]
    assert [(e.state, e.expected_days) for e in stalled] == [("sent", 5), ("acknowledged", 10)]


def test_an_ended_referral_never_stalls():
    r = moved(referral(), "sent", "acknowledged", "declined")
    assert not r.notice_stall(NOW + 1000 * DAY, EXPECTED_STAY)


def test_every_referral_event_names_its_client_agency_and_partner():
    r = moved(referral(), "sent")
    r.notice_stall(NOW + 6 * DAY, EXPECTED_STAY)
    r.note_consent_withdrawn("transit")
    events = r.collect_events()
    assert {type(e).__name__ for e in events} == {"Proposed", "StepRecorded", "Stalled", "ConsentWithdrawnFlagged"}
    assert {(e.client_id, e.agency, e.partner) for e in events} == {(CLIENT, "apo", "transit")}


def test_replaying_a_referral_applies_its_history_as_recorded():
    r = moved(referral(), "sent", "acknowledged", "accepted", "started")
    r.notice_stall(NOW + 200 * DAY, EXPECTED_STAY)
    r.note_consent_withdrawn("transit")
    r.record_step("dropped_out", NOW, "moved away", None, recorded_by=WORKER)
    copy = replayed(r)
    assert (copy.state, copy.consent_withdrawn, copy.stalled_in, copy.history) == (
        "dropped_out", True, r.stalled_in, r.history)
    # A step recorded under earlier rules is applied, not judged again by today's.
    past = Referral.StepRecorded(
        originator_id=r.id, originator_version=copy.version + 1, timestamp=NOW, client_id=CLIENT, agency="apo",
        partner="transit", step="sent", at=NOW, reason=None, outcome=None, by=WORKER["user_id"],
        by_role=WORKER["role"])
    assert past.mutate(copy).state == "sent"


def test_a_client_record_follows_a_new_agency_only():
    record = ClientOnRecord(client_id=CLIENT, languages=["fr"], preferred_language="fr")
    assert record.follow_agency("apo")
    assert not record.follow_agency("apo")
    assert record.follow_agency("dsr") and record.agency == "dsr"
    assert [type(e).__name__ for e in record.collect_events()] == ["Recorded", "AgencyFollowed", "AgencyFollowed"]


def test_a_referral_needs_the_clients_consent_for_that_partner():
    record = ClientOnRecord(client_id=CLIENT, languages=["fr"], preferred_language="fr")
    record.note_consent("transit", "family_involvement", True)  # another purpose does not count
    with pytest.raises(NotPermitted) as refused:
        record.expect_referral_consent("transit")
    assert isinstance(refused.value, NoReferralConsent)
    assert refused.value.details == {"consent": ["no consent in force for recipient transit, purpose referral"]}
    record.note_consent("transit", "referral", True)
    record.expect_referral_consent("transit")
    record.note_consent("transit", "referral", False)
    with pytest.raises(NoReferralConsent):
        record.expect_referral_consent("transit")


def test_a_coordination_actor_is_removed_only_when_there():
    plan = CoordinationPlan(client_id=CLIENT, agency="apo")
    plan.add_actor("a1", "lawyer", "Bar", "", "defence", added_by=WORKER)
    with pytest.raises(Unknown) as refused:
        plan.remove_actor("a2", removed_by=WORKER)
    assert isinstance(refused.value, NoSuchCoordinationActor)
    assert refused.value.details == {"actor_id": ["a2"]}
    plan.remove_actor("a1", removed_by=WORKER)
    assert plan.actors == {} and replayed(plan).actors == {}


def conference(on=NOW.date(), actions=1) -> CaseConference:
    return CaseConference.hold(
        client_id=CLIENT, agency="apo", on=on, participants=["a", "b"], decisions=["d"],
        actions=[{"action": "call", "owner": "a", "due": on + DAY}] * actions, held_by=WORKER, now=NOW)


def test_a_case_conference_is_recorded_once_held_not_before():
    assert conference(on=NOW.date()).on == NOW.date()
    with pytest.raises(NotNow) as refused:
        conference(on=NOW.date() + DAY)
    assert isinstance(refused.value, ConferenceNotHeldYet)
    assert refused.value.details == {"on": ["is in the future"]}


def test_a_conference_action_is_done_once_and_must_exist():
    c = conference(actions=2)
    with pytest.raises(Unknown) as unknown:
        c.complete_action(2, NOW.date(), done_by=WORKER)
    assert isinstance(unknown.value, NoSuchAction)
    assert unknown.value.details == {"index": ["the conference has 2 actions"]}
    c.complete_action(1, NOW.date(), done_by=WORKER)
    with pytest.raises(NotNow) as again:
        c.complete_action(1, NOW.date(), done_by=WORKER)
    assert isinstance(again.value, ActionAlreadyDone) and again.value.details == {"index": ["1"]}
    assert [a["done"] for a in replayed(c).actions] == [None, NOW.date()]


def test_a_partner_id_is_derived_from_its_code():
    p = Partner.register(dict(code="transit", name="Transit", kind="residential", agency=None, domains=["addiction"],
                              languages=["fr"], channel="email", typical_wait_days=10), sample=True)
    assert p.id == Partner.create_id("transit") != Partner.create_id("projet-lama")


def test_a_conference_keeps_the_days_its_actions_fall_due_apart_from_their_words():
    due = [{"action": "call", "owner": "a", "due": NOW.date() + 2 * DAY},
           {"action": "write", "owner": "b", "due": NOW.date() + DAY},
           {"action": "visit", "owner": "c", "due": NOW.date() + 2 * DAY}]
    c = CaseConference.hold(client_id=CLIENT, agency="apo", on=NOW.date(), participants=["a", "b"],
                            decisions=["d"], actions=due, held_by=WORKER, now=NOW)
    (held,) = c.collect_events()
    assert held.actions_due == [NOW.date() + DAY, NOW.date() + 2 * DAY]
    assert (held.by, held.by_role) == (WORKER["user_id"], WORKER["role"])
