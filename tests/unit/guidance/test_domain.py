"""Guidance's rules, on the aggregates alone: no application, no store."""
import datetime as dt
import uuid

import pytest

from services.guidance.domain import Intervention, Network, NotYetHappened, Trajectory, TrajectoryClosed
from shared.domain import Invalid, NotNow, NotPermitted, Unknown
from tests.support.samples import intervention_args

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
WORKER = {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
COLLEAGUE = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}
COORDINATOR = {"user_id": "apo-coord-1", "role": "coordinator", "agency": "apo"}
GOALS = [{"domain": "housing", "goal": "find a room"}]


def trajectory(**overrides) -> Trajectory:
    args = dict(opened_by_event="event-1", client_id=uuid.uuid4(), agency="apo", worker="apo-sa-1",
                legal_position="convicted", situation="probation", languages=["nl"], preferred_language="nl",
                interpreter=None, domains=["housing"])
    args.update(overrides)
    return Trajectory(**args)


def contact(t: Trajectory, at=NOW - dt.timedelta(hours=1), place="office", worker=WORKER) -> Intervention:
    intervention = Intervention.record(t, NOW, worker, **intervention_args(at, place=place, note="a note"))
    t.note_intervention(intervention)
    return intervention


def closed(t: Trajectory) -> Trajectory:
    t.close("goals_reached", "done", closed_by=WORKER)
    return t


def test_a_trajectory_and_each_of_its_events_name_the_client_and_the_agency():
    t = trajectory()
    t.agree_plan(GOALS, "weekly", 12, agreed_by=WORKER)
    assert {(e.client_id, e.agency) for e in t.collect_events()} == {(t.client_id, "apo")}


def test_a_trajectory_is_opened_for_a_client_and_an_agency_only():
    with pytest.raises(TypeError):
        trajectory(agency="")


def test_a_plan_is_agreed_once_and_reviewed_only_once_agreed():
    t = trajectory()
    with pytest.raises(NotNow, match="no plan to review yet"):
        t.review_plan(GOALS, "weekly", 12, "why", reviewed_by=WORKER)
    t.agree_plan(GOALS, "weekly", 12, agreed_by=WORKER)
    with pytest.raises(NotNow) as refused:
        t.agree_plan(GOALS, "monthly", 12, agreed_by=WORKER)
    assert refused.value.details == {"plan": ["already agreed"]}
    t.review_plan(GOALS, "monthly", 20, "less often now", reviewed_by=WORKER)
    assert [p["reason"] for p in t.plan_history] == ["agreed", "less often now"]


def test_an_intervention_names_its_trajectory_client_agency_and_worker():
    t = trajectory()
    i = contact(t, worker=COLLEAGUE)
    assert (i.trajectory_id, i.client_id, i.agency, i.worker, i.worker_profile) == (
        t.id, t.client_id, "apo", "apo-crim-1", "criminologist")
    assert t.last_contact == NOW - dt.timedelta(hours=1) and "apo-crim-1" in t.on_case


def test_an_intervention_is_recorded_after_it_happened_with_five_minutes_of_slack():
    t = trajectory()
    contact(t, at=NOW + dt.timedelta(minutes=5))
    with pytest.raises(NotYetHappened) as refused:
        contact(t, at=NOW + dt.timedelta(minutes=6))
    assert refused.value.details == {"at": ["is in the future"]}


def test_a_closed_trajectory_takes_no_intervention_and_no_new_item():
    t = closed(trajectory())
    for change in (lambda: contact(t), lambda: t.agree_plan(GOALS, "weekly", 1, agreed_by=WORKER),
                   lambda: t.record_condition("c", "condition", "x", NOW.date(), None, "court", recorded_by=WORKER),
                   lambda: Network.of(t).add_member(t, "m", "partner", "A.", added_by=WORKER),
                   lambda: t.start_procedure("p", "rehabilitation", NOW.date(), started_by=WORKER),
                   lambda: t.recommend_psychologist("anxious", recommended_by=WORKER)):
        with pytest.raises(TrajectoryClosed) as refused:
            change()
        assert refused.value.details == {"status": ["closed"]}


def test_only_the_worker_on_the_case_or_the_coordinator_closes_and_only_a_closed_one_reopens():
    t = trajectory()
    with pytest.raises(NotNow, match="is open"):
        t.reopen("why", reopened_by=COORDINATOR)
    with pytest.raises(NotPermitted):
        t.close("goals_reached", "done", closed_by=COLLEAGUE)
    t.close("goals_reached", "done", closed_by=COORDINATOR)
    t.reopen("came back", reopened_by=COORDINATOR)
    assert t.status == "open" and t.closings[-1]["reopened_because"] == "came back"


def test_the_trajectory_s_state_grows_with_the_days_attended_not_with_each_intervention():
    """Interventions are their own aggregates (WAVE2 2): a trajectory's snapshot holds
    counts, so a hundred contacts on the days already attended add nothing to it."""
    t = trajectory()
    days = [NOW - dt.timedelta(days=d) for d in (3, 2, 1)]
    for day in days:
        contact(t, at=day)
    def sizes():  # how many items each collection a snapshot holds has
        return {name: len(value) for name, value in vars(t).items()
                if not name.startswith("_") and isinstance(value, (list, dict))}

    before = sizes()
    for n in range(100):
        contact(t, at=days[n % 3] - dt.timedelta(minutes=n + 1))
    assert sizes() == before and before["attended_days"] == 3
    assert t.attended_on == [d.date() for d in days] and t.last_contact == days[-1]


def test_attended_dates_are_kept_for_certificates_phone_calls_are_not():
    t = trajectory()
    contact(t, at=NOW - dt.timedelta(days=2), place="office")
    contact(t, at=NOW - dt.timedelta(days=1), place="phone")
    contact(t, at=NOW - dt.timedelta(days=2, hours=1), place="home_visit")
    assert t.attended_on == [(NOW - dt.timedelta(days=2)).date()]
    dates = t.issue_attendance_certificate("c1", "nl", NOW.date() - dt.timedelta(days=5), NOW.date(), "court",
                                           issued_by=WORKER)
    assert dates == [(NOW - dt.timedelta(days=2)).date()]
    with pytest.raises(NotNow, match="attended no contact"):
        t.issue_attendance_certificate("c2", "nl", NOW.date() - dt.timedelta(days=1), NOW.date(), "court",
                                       issued_by=WORKER)


def test_unknown_parts_are_named():
    t = trajectory()
    for change, field in ((lambda: t.support_condition("nope", "x", NOW.date(), given_by=WORKER), "condition_id"),
                          (lambda: t.record_appointment_outcome("nope", "held", NOW, recorded_by=WORKER),
                           "appointment_id"),
                          (lambda: Network.of(t).record_contact(t, "nope", NOW.date(), "phone", "", recorded_by=WORKER,
                                                                family_consent=True),
                           "member_id"),
                          (lambda: t.end_procedure("nope", "granted", NOW.date(), ended_by=WORKER), "procedure_id")):
        with pytest.raises(Unknown) as refused:
            change()
        assert refused.value.details == {field: ["not found"]}


def test_an_appointment_outcome_is_recorded_once_and_held_only_once_its_time_came():
    t = trajectory()
    t.plan_appointment("a1", NOW + dt.timedelta(days=1), "lawyer", "hearing", None, None, planned_by=WORKER)
    with pytest.raises(NotNow, match="once its time has come"):
        t.record_appointment_outcome("a1", "held", NOW, recorded_by=WORKER)
    t.record_appointment_outcome("a1", "cancelled", NOW, recorded_by=WORKER)
    with pytest.raises(NotNow, match="already recorded"):
        t.record_appointment_outcome("a1", "missed", NOW, recorded_by=WORKER)


def test_a_procedure_has_one_run_of_each_kind_dated_steps_and_ends_once():
    t = trajectory()
    t.start_procedure("p1", "rehabilitation", NOW.date(), started_by=WORKER)
    with pytest.raises(NotNow, match="already under way"):
        t.start_procedure("p2", "rehabilitation", NOW.date(), started_by=WORKER)
    with pytest.raises(Invalid) as refused:
        t.record_procedure_step("p1", "filed", NOW.date() - dt.timedelta(days=1), recorded_by=WORKER)
    assert refused.value.details == {"on": ["before the start"]}
    t.end_procedure("p1", "granted", NOW.date(), ended_by=WORKER)
    with pytest.raises(NotNow, match="has ended"):
        t.record_procedure_step("p1", "late", NOW.date(), recorded_by=WORKER)
    t.start_procedure("p3", "rehabilitation", NOW.date(), started_by=WORKER)  # a new run after the end


def test_what_is_due_is_noticed_once():
    t = trajectory()
    t.agree_plan(GOALS, "weekly", 12, agreed_by=WORKER)
    later = t.created_on + dt.timedelta(weeks=1, days=8)  # past the week's contact and the grace
    t.record_condition("c1", "condition", "report weekly", NOW.date(), later.date() + dt.timedelta(days=10), "court",
                       recorded_by=WORKER)
    t.collect_events()
    t.notice_what_is_due(later)
    t.notice_what_is_due(later)
    raised = [type(e).__name__ for e in t.collect_events()]
    assert raised == ["ContinuityGapRaised", "ConditionPeriodEnding"]


def test_a_transfer_closes_an_open_trajectory_once():
    t = trajectory()
    t.close_on_transfer("dsr")
    t.close_on_transfer("dsr")
    assert t.status == "closed" and len(t.closings) == 1


def test_the_family_is_involved_only_with_the_clients_consent():
    t = trajectory()
    network = Network.of(t)
    network.add_member(t, "m1", "partner", "A.", added_by=WORKER)
    with pytest.raises(NotPermitted) as refused:
        network.record_contact(t, "m1", NOW.date(), "phone", "", recorded_by=WORKER, family_consent=False)
    assert "consent" in refused.value.details
    with pytest.raises(NotPermitted):
        network.prepare_return_home(t, "m1", NOW, NOW + dt.timedelta(days=1), "", prepared_by=WORKER,
                                    family_consent=False)
    network.record_contact(t, "m1", NOW.date(), "phone", "", recorded_by=WORKER, family_consent=True)
    assert len(network.members["m1"]["contacts"]) == 1
    assert {(e.client_id, e.agency) for e in network.collect_events()} == {(t.client_id, "apo")}
