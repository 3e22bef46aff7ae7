"""The worker's agenda (services/guidance/agenda.py), and the reminders guidance raises
for it once: a residence document expiring and a plan review falling due."""
import datetime as dt

import pytest

from services.guidance.agenda import LOCAL
from shared.domain import Invalid
from shared.errors import Forbidden
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import COLLEAGUE, GOALS, NOW, accepted_client, intervention

TODAY = NOW.date()


def _week():
    return TODAY, TODAY + dt.timedelta(days=7)


def _two_clients(world):
    """One client of apo-sa-1, one of apo-crim-1."""
    intake, guidance, sync = world
    mine = accepted_client(world)
    theirs = accepted_client(world)
    intake.reassign(COORDINATOR, theirs, "apo-crim-1", {"language": "fr", "kind": "present"})
    sync()
    return mine, theirs


def _kinds(agenda, client_id=None):
    return [i["kind"] for i in agenda["items"] if client_id is None or i["client_id"] == str(client_id)]


def test_the_week_across_clients_sorted_by_time_without_cancelled_or_held_appointments(world, clock):
    intake, guidance, _ = world
    mine, theirs = _two_clients(world)
    later = guidance.plan_appointment(WORKER, mine, NOW + dt.timedelta(days=3), "court", "hearing")
    guidance.plan_appointment(WORKER, mine, NOW + dt.timedelta(days=1), "lawyer", "prepare", accompanied_by="apo-sa-1")
    cancelled = guidance.plan_appointment(WORKER, mine, NOW + dt.timedelta(days=2), "doctor", "check")
    guidance.cancel_appointment(WORKER, mine, cancelled, "the doctor is ill")
    held = guidance.plan_appointment(WORKER, mine, NOW - dt.timedelta(hours=2), "ocmw_cpas", "income")
    guidance.record_appointment_outcome(WORKER, mine, held, "held")
    guidance.plan_appointment(WORKER, mine, NOW + dt.timedelta(days=30), "court", "next month")
    guidance.plan_appointment(COLLEAGUE, theirs, NOW + dt.timedelta(days=2), "justice_assistant", "meeting")
    guidance.record_condition(COLLEAGUE, theirs, "prohibition", "no contact", TODAY - dt.timedelta(days=100),
                              TODAY + dt.timedelta(days=4), "court")

    week = _week()
    own = guidance.agenda.of(WORKER, *week)
    assert _kinds(own) == ["accompaniment", "appointment"]
    assert {i["client_id"] for i in own["items"]} == {str(mine)} and own["clients"] == [str(mine)]
    assert own["items"][1]["what"] == {"appointment_id": later, "with_actor": "court", "accompanied_by": None}
    assert "hearing" not in str(own)  # codes, never a worker's words

    agency = guidance.agenda.of(COORDINATOR, *week)
    assert _kinds(agency) == ["accompaniment", "appointment", "appointment", "condition_ending"]
    assert [i["when"] for i in agency["items"]] == sorted(
        [(NOW + dt.timedelta(days=n)).isoformat() for n in (1, 2, 3)]) + [(TODAY + dt.timedelta(days=4)).isoformat()]
    assert _kinds(guidance.agenda.of(COORDINATOR, *week, worker="apo-crim-1")) == ["appointment", "condition_ending"]

    guidance.reschedule_appointment(WORKER, mine, later, NOW + dt.timedelta(days=10), "the court moved it")
    assert _kinds(guidance.agenda.of(WORKER, *week)) == ["accompaniment"]  # its current time is next week


def test_only_a_coordinator_reads_another_worker_s_agenda(world):
    _, guidance, _ = world
    _two_clients(world)
    with pytest.raises(Forbidden):
        guidance.agenda.of(WORKER, *_week(), worker="apo-crim-1")
    with pytest.raises(Forbidden):
        guidance.agenda.of({"user_id": "audit-1", "role": "auditor", "agency": "apo"}, *_week())
    assert guidance.agenda.of(WORKER, *_week(), worker="apo-sa-1")["worker"] == "apo-sa-1"


def test_contacts_due_and_overdue_and_the_plan_review(world, clock):
    _, guidance, _ = world
    mine = accepted_client(world)
    guidance.agree_plan(WORKER, mine, GOALS, "weekly", 2)
    agreed_on = dt.datetime.now(LOCAL).date()
    intervention(guidance, mine)
    week = _week()
    assert _kinds(guidance.agenda.of(WORKER, *week)) == ["contact_due"]

    clock.now = NOW + dt.timedelta(days=10)  # the contact is three days overdue, the review due in four
    today = clock.now.date()
    agenda = guidance.agenda.of(WORKER, today, today + dt.timedelta(days=6))
    assert _kinds(agenda) == ["contact_overdue", "plan_review_due"]
    review = agenda["items"][1]
    assert review["all_day"] and review["what"] == {"plan_version": 1, "overdue": False}
    # Agreed today, a Brussels day (the plan fact's own time, on the wall clock), for two weeks.
    assert dt.date.fromisoformat(review["when"]) == agreed_on + dt.timedelta(weeks=2)

    clock.now = NOW + dt.timedelta(days=20)  # reviewing the plan moves its review on
    guidance.review_plan(WORKER, mine, GOALS, "weekly", 8, "on track")
    today = clock.now.date()
    assert "plan_review_due" not in _kinds(guidance.agenda.of(WORKER, today, today + dt.timedelta(days=6)))


def test_a_residence_document_s_expiry_is_on_the_agenda_and_reminded_once(world, clock):
    _, guidance, _ = world
    mine = accepted_client(world)
    rehabilitation = guidance.start_procedure(WORKER, mine, "rehabilitation", TODAY)
    with pytest.raises(Invalid) as refused:
        guidance.record_document_expiry(WORKER, mine, rehabilitation, TODAY + dt.timedelta(days=40))
    assert "procedure_id" in refused.value.details
    residence = guidance.start_procedure(WORKER, mine, "residence_status", TODAY)
    guidance.record_document_expiry(WORKER, mine, residence, TODAY + dt.timedelta(days=40))

    guidance.check_time()
    assert _published(guidance, "document-expiring") == []  # 40 days away: not yet (30 days' notice)
    clock.now = NOW + dt.timedelta(days=12)
    guidance.check_time()
    guidance.check_time()
    (expiring,) = _published(guidance, "document-expiring")
    assert expiring["data"]["expires"] == (TODAY + dt.timedelta(days=40)).isoformat()
    assert expiring["data"]["worker"] == "apo-sa-1"

    week = (TODAY + dt.timedelta(days=38), TODAY + dt.timedelta(days=44))
    (item,) = guidance.agenda.of(WORKER, *week)["items"]
    assert item["kind"] == "document_expires" and item["what"]["procedure"] == "residence_status"

    # A new card, a new date: reminded again, once.
    guidance.record_document_expiry(WORKER, mine, residence, TODAY + dt.timedelta(days=20))
    guidance.check_time()
    guidance.check_time()
    assert len(_published(guidance, "document-expiring")) == 2


def test_the_document_notice_is_a_setting(world, clock):
    _, guidance, _ = world
    mine = accepted_client(world)
    residence = guidance.start_procedure(WORKER, mine, "residence_status", TODAY)
    guidance.record_document_expiry(WORKER, mine, residence, TODAY + dt.timedelta(days=40))
    guidance.document_notice = dt.timedelta(days=60)
    guidance.check_time()
    assert len(_published(guidance, "document-expiring")) == 1


def test_a_plan_review_due_is_raised_once_per_version_of_the_plan(world, clock):
    _, guidance, _ = world
    mine = accepted_client(world)
    guidance.agree_plan(WORKER, mine, GOALS, "monthly", 2)
    clock.now = NOW + dt.timedelta(days=6)
    guidance.check_time()
    assert _published(guidance, "plan-review-due") == []  # due in about eight days: a week's notice
    clock.now = NOW + dt.timedelta(days=9)
    guidance.check_time()
    guidance.check_time()
    (due,) = _published(guidance, "plan-review-due")
    assert due["data"]["plan_version"] == 1 and due["data"]["worker"] == "apo-sa-1"
    guidance.review_plan(WORKER, mine, GOALS, "monthly", 1, "reviewed")
    clock.now = NOW + dt.timedelta(days=15)
    guidance.check_time()
    guidance.check_time()
    assert [e["data"]["plan_version"] for e in _published(guidance, "plan-review-due")] == [1, 2]


def _published(guidance, fact: str) -> list[dict]:
    return [e for e in Outbox(guidance).read(0, 1000) if e["type"] == f"be.jww.guidance.{fact}.v1"]
