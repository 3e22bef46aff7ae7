"""Who is told what: upstream facts, through real followers, become messages to the
right people in their languages."""
import datetime as dt

import pytest

from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args
from tests.unit.notifications.world import ADMIN, CRIMINOLOGIST, NOW, inbox, kinds


@pytest.mark.parametrize("worker, language, words", [
    ("apo-sa-1", "fr", "Vous accompagnez désormais"),
    ("apo-crim-1", "nl", "U begeleidt voortaan"),
    ("apo-en-1", "en", "You now guide"),
])
def test_each_language(world, worker, language, words):
    world.accepted_client(worker=worker, languages=["fr", "nl", "ar"], preferred_language="fr")
    (message,) = inbox(world, worker)
    assert message["language"] == language and words in message["body"]


def test_a_duplicate_fact_makes_no_second_message(world):
    world.accepted_client()
    for link in world.links:  # everything delivered again from the start
        link.follower.position = 0
        link.follower.app.track = lambda *a: None
    world.sync()
    assert kinds(world, "apo-sa-1") == ["new_assignment"]


def test_referral_answered_and_stalled_reach_the_caseworker(world, clock):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["identity"])
    world.sync()
    referral = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    for step in ("sent", "acknowledged", "accepted"):
        world.referrals.record_step(WORKER, referral, step)
    clock.now += dt.timedelta(days=20)
    world.referrals.check_time()
    world.sync()
    assert sorted(kinds(world, "apo-sa-1")) == ["new_assignment", "referral_answered", "referral_stalled"]
    answered = next(m for m in inbox(world, "apo-sa-1") if m["kind"] == "referral_answered")
    assert "acceptée" in answered["body"]


def test_an_appointment_reminds_the_day_before_and_requests_the_interpreter_at_once(world, clock):
    client_id = world.accepted_client(languages=["ar"], preferred_language="ar")
    # apo-crim-1 speaks no Arabic: reassigned with a telephone interpreter.
    world.intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "ar", "kind": "telephone"})
    world.sync()
    hearing = NOW + dt.timedelta(days=3)
    world.guidance.plan_appointment(CRIMINOLOGIST, client_id, hearing, "court", "hearing")
    world.sync()
    assert "appointment_tomorrow" not in kinds(world, "apo-crim-1")  # not due yet
    world.notifications.deliver_due()
    desk = [s for s in world.mailbox.sent if s[0] == "interpreters@apo.example.org"]
    assert len(desk) == 1 and "(ar)" in desk[0][2]
    clock.now = hearing - dt.timedelta(hours=20)
    reminder = next(m for m in inbox(world, "apo-crim-1") if m["kind"] == "appointment_tomorrow")
    assert "rechtbank" in reminder["body"] and "tolk (ar)" in reminder["body"]


def test_a_condition_ending_and_a_continuity_gap(world, clock):
    client_id = world.accepted_client()
    world.guidance.agree_plan(WORKER, client_id, [{"domain": "housing", "goal": "g"}], "weekly", 4)
    world.guidance.record_condition(WORKER, client_id, "prohibition", "no contact", NOW.date(),
                                    (NOW + dt.timedelta(days=20)).date(), "court")
    clock.now = NOW + dt.timedelta(days=15)
    world.guidance.check_time()
    world.sync()
    assert {"condition_ending", "continuity_gap"} <= set(kinds(world, "apo-sa-1"))
    assert kinds(world, "apo-coord") == ["continuity_gap"]  # and the team coordinator
    gap = inbox(world, "apo-coord")[0]
    assert gap["language"] == "nl" and "Nog geen contact" in gap["body"]


def test_a_member_no_longer_active_is_not_told(world, clock):
    client_id = world.accepted_client()
    world.guidance.agree_plan(WORKER, client_id, [{"domain": "housing", "goal": "g"}], "weekly", 4)
    world.intake.set_staff_member_active(ADMIN, "apo", "apo-sa-1", False)
    clock.now = NOW + dt.timedelta(days=15)
    world.guidance.check_time()
    world.sync()
    assert kinds(world, "apo-sa-1") == ["new_assignment"]  # told before, not since
    assert kinds(world, "apo-coord") == ["continuity_gap"]


def test_a_growing_waitlist_tells_the_coordinator(world):
    for _ in range(3):
        client_id = world.intake.register_client(WORKER, **registration_args())
        world.intake.waitlist(COORDINATOR, client_id)
    world.sync()
    messages = [m for m in inbox(world, "apo-coord") if m["kind"] == "waitlist_growing"]
    assert [m["body"] for m in messages] == ["3 cliënten wachten bij APO.", "2 cliënten wachten bij APO."]


def test_a_waitlist_that_shrank_is_reported_again_only_above_its_largest_size(world):
    waiting = []
    for _ in range(3):
        waiting.append(world.intake.register_client(WORKER, **registration_args()))
        world.intake.waitlist(COORDINATOR, waiting[-1])
    # leaves the waitlist (which the same batch of facts started): 2 wait
    world.intake.accept(COORDINATOR, waiting[0], "apo-sa-1")
    for _ in range(2):  # 3, then 4
        waiting.append(world.intake.register_client(WORKER, **registration_args()))
        world.intake.waitlist(COORDINATOR, waiting[-1])
    world.sync()
    bodies = [m["body"] for m in inbox(world, "apo-coord") if m["kind"] == "waitlist_growing"]
    assert bodies == ["4 cliënten wachten bij APO.", "3 cliënten wachten bij APO.", "2 cliënten wachten bij APO."]


def test_messages_carry_no_confidential_content(world):
    client_id = world.accepted_client()
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(
        NOW - dt.timedelta(hours=1), minutes=30, note="CONFIDENTIAL NOTE", next_steps="NEXT STEP"))
    world.guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=2), "doctor", "SECRET PURPOSE")
    world.sync()
    world.notifications.deliver_due()
    text = str(inbox(world, "apo-sa-1")) + str(world.mailbox.sent)
    for secret in ("CONFIDENTIAL", "NEXT STEP", "SECRET", "Samira", "Testperson"):
        assert secret not in text
