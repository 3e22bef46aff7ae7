"""Corrections in guidance (issue 20): an intervention amended or retracted (and
recorded again on the right client), an appointment rescheduled or cancelled, and
the plan's goal outcomes at a review and at closing. The original stays in the
history; the correction says who, when and why; lists, figures and certificates
use the corrected version."""
import datetime as dt
import uuid

import pytest

from services.guidance.application import GuidanceApplication
from services.guidance.domain import intervention as intervention_domain
from shared.config import DEPLOY_DIR
from shared.contracts import guidance as contracts
from shared.domain import Invalid, NotNow, Unknown
from shared.errors import Forbidden, NotFound
from shared.outbox import Outbox
from tests.support.fakes import Link, intake as new_intake
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.guidance.world import COLLEAGUE, GOALS, NOW, OTHER_AGENCY, accepted_client, intervention
from tests.unit.shared.test_sealing import on_disk, sqlite_store

PARTNER = {"user_id": "transit-1", "role": "partner", "agency": "transit"}
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


def published(guidance, fact: str) -> list[dict]:
    return [e for e in Outbox(guidance).read(0, 1000) if e["type"] == f"be.jww.guidance.{fact}.v1"]


def shown(guidance, client_id, intervention_id) -> dict:
    (found,) = [i for i in guidance.trajectory(WORKER, client_id)["interventions"]
                if i["intervention_id"] == str(intervention_id)]
    return found


def test_what_an_amendment_may_correct_is_what_a_worker_gives():
    assert set(intervention_domain.AMENDABLE) == set(contracts.AMENDABLE)
    assert set(contracts.AMENDABLE) == {n for n in contracts.RecordIntervention._declared_fields} - {
        "actor", "client_id"}


# -- amending an intervention ---------------------------------------------------------------

def test_an_amendment_corrects_the_given_fields_and_keeps_the_rest(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id, minutes=30)
    guidance.amend_intervention(COLLEAGUE, corrected, "it lasted longer", minutes=50,
                                domains=["housing", "work"], note="Spoke about the landlord too.")
    answer = shown(guidance, client_id, corrected)
    assert (answer["minutes"], answer["domains"], answer["note"]) == (50, ["housing", "work"],
                                                                      "Spoke about the landlord too.")
    assert answer["method"] == "information_guidance" and answer["next_steps"] == "Call the lawyer."
    assert answer["amendments"] == [{"changed": ["minutes", "domains", "note"], "by": "apo-crim-1",
                                     "reason": "it lasted longer"}]
    assert answer["retracted"] is None and answer["version"] == 2
    # Why, in the worker's words, is for those on the case, as the note.
    (elsewhere,) = [i for i in guidance.trajectory(COLLEAGUE, client_id)["interventions"]
                    if i["intervention_id"] == str(corrected)]
    assert (elsewhere["note"], elsewhere["amendments"][0]["reason"]) == (None, None)


def test_an_amendment_is_published_in_full_without_the_note_or_the_reason(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    guidance.amend_intervention(WORKER, corrected, "Zq7 the client asked", minutes=60, note="Zq7 corrected note")
    (original,) = published(guidance, "intervention-recorded")
    (amended,) = published(guidance, "intervention-amended")
    assert set(amended["data"]) == set(original["data"]) | {"changed"}
    assert amended["data"]["minutes"] == 60 and amended["data"]["changed"] == ["minutes", "note"]
    assert {k: v for k, v in amended["data"].items() if k not in ("minutes", "changed")} == {
        k: v for k, v in original["data"].items() if k != "minutes"}
    assert (amended["jwwactor"], amended["subject"]) == ("apo-sa-1", str(client_id))
    assert "Zq7" not in str(amended)
    assert original["data"]["minutes"] == 45  # the original stays as it was


def test_an_amendment_that_changes_nothing_is_refused_naming_the_fields(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    with pytest.raises(Invalid) as refused:
        guidance.amend_intervention(WORKER, corrected, "no change", minutes=45, place="office")
    assert refused.value.details == {"minutes": ["unchanged"], "place": ["unchanged"]}
    assert published(guidance, "intervention-amended") == []


def test_an_amended_time_may_not_be_in_the_future_and_the_sub_kind_must_fit_the_method(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    with pytest.raises(NotNow) as refused:
        guidance.amend_intervention(WORKER, corrected, "wrong day", at=NOW + dt.timedelta(days=1))
    assert refused.value.details == {"at": ["is in the future"]}
    with pytest.raises(Invalid) as refused:
        guidance.amend_intervention(WORKER, corrected, "another way", method="listening_support")
    assert list(refused.value.details) == ["sub_kind"]
    guidance.amend_intervention(WORKER, corrected, "another way", method="listening_support",
                                sub_kind="listening_ear")
    assert shown(guidance, client_id, corrected)["sub_kind"] == "listening_ear"


def test_only_the_roles_that_record_an_intervention_in_its_agency_correct_it(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    for actor in (OTHER_AGENCY, PARTNER, AUDITOR):
        with pytest.raises(Forbidden):
            guidance.amend_intervention(actor, corrected, "not mine", minutes=10)
        with pytest.raises(Forbidden):
            guidance.retract_intervention(actor, corrected, "not mine")
    guidance.amend_intervention(COORDINATOR, corrected, "the coordinator corrects", minutes=10)
    with pytest.raises(NotFound):
        guidance.amend_intervention(WORKER, guidance.current_trajectory(client_id).id, "not one", minutes=10)


def test_nothing_is_corrected_while_the_trajectory_is_closed_until_a_coordinator_reopens_it(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    guidance.close_trajectory(WORKER, client_id, "moved", "moved away")
    with pytest.raises(NotNow) as refused:
        guidance.amend_intervention(WORKER, corrected, "late", minutes=10)
    assert refused.value.details == {"status": ["closed"]}
    with pytest.raises(NotNow):
        guidance.retract_intervention(WORKER, corrected, "late")
    guidance.reopen_trajectory(COORDINATOR, client_id, "to correct the file")
    guidance.amend_intervention(WORKER, corrected, "now", minutes=10)
    assert shown(guidance, client_id, corrected)["minutes"] == 10


# -- the trajectory keeps what its rules need ---------------------------------------------

def test_last_contact_and_attended_dates_follow_an_amended_time_and_place(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    earlier, latest = NOW - dt.timedelta(days=3), NOW - dt.timedelta(hours=2)
    intervention(guidance, client_id, at=earlier)
    corrected = intervention(guidance, client_id, at=latest)
    t = guidance.current_trajectory(client_id)
    assert (t.last_contact, t.attended_on) == (latest, sorted({earlier.date(), latest.date()}))
    guidance.amend_intervention(WORKER, corrected, "it was the day before", at=latest - dt.timedelta(days=1),
                                place="phone")
    t = guidance.current_trajectory(client_id)
    assert t.last_contact == latest - dt.timedelta(days=1)
    assert t.attended_on == [earlier.date()]  # a phone call is no attendance
    assert guidance.caseload(WORKER)[0]["last_contact"] == (latest - dt.timedelta(days=1)).isoformat()


def test_a_day_stays_attended_while_another_intervention_that_day_stands(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    day = NOW - dt.timedelta(days=2)
    kept = intervention(guidance, client_id, at=day)
    retracted = intervention(guidance, client_id, at=day + dt.timedelta(hours=3))
    other_day = intervention(guidance, client_id, at=NOW - dt.timedelta(hours=1))
    guidance.retract_intervention(WORKER, retracted, "recorded twice")
    t = guidance.current_trajectory(client_id)
    assert t.attended_on == sorted({day.date(), (NOW - dt.timedelta(hours=1)).date()})
    guidance.retract_intervention(WORKER, other_day, "never happened")
    guidance.retract_intervention(WORKER, kept, "never happened either")
    t = guidance.current_trajectory(client_id)
    assert (t.last_contact, t.attended_on) == (None, [])


def test_a_certificate_issued_after_a_correction_states_the_corrected_dates(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    wrong_day = NOW - dt.timedelta(days=5)
    corrected = intervention(guidance, client_id, at=wrong_day)
    retracted = intervention(guidance, client_id, at=NOW - dt.timedelta(days=4))
    guidance.amend_intervention(WORKER, corrected, "it was on Monday", at=NOW - dt.timedelta(days=3))
    guidance.retract_intervention(WORKER, retracted, "the client did not come")
    certificate = guidance.issue_attendance_certificate(
        WORKER, client_id, "nl", "court", NOW.date() - dt.timedelta(days=7), NOW.date(), "X")
    assert certificate["dates"] == [(NOW - dt.timedelta(days=3)).date().isoformat()]


# -- retracting ---------------------------------------------------------------------------------

def test_a_retracted_intervention_is_shown_marked_counts_nowhere_and_is_corrected_no_more(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    intervention(guidance, client_id, minutes=30, domains=["housing"])
    retracted = intervention(guidance, client_id, minutes=40, domains=["work"])
    guidance.amend_intervention(WORKER, retracted, "longer", minutes=50)
    guidance.retract_intervention(WORKER, retracted, "recorded in error")
    answer = shown(guidance, client_id, retracted)
    assert answer["retracted"] == {"by": "apo-sa-1", "recorded_again_as": None, "reason": "recorded in error"}
    figures = guidance.activity(COORDINATOR, NOW.date() - dt.timedelta(days=1), NOW.date())
    assert (figures["interventions"], figures["minutes"], figures["by_domain"]) == (1, 30, {"housing": 1})
    for correct in (lambda: guidance.amend_intervention(WORKER, retracted, "again", minutes=5),
                    lambda: guidance.retract_intervention(WORKER, retracted, "again")):
        with pytest.raises(NotNow) as refused:
            correct()
        assert refused.value.details == {"status": ["retracted"]}
    (event,) = published(guidance, "intervention-retracted")
    assert event["data"] == {"client_id": str(client_id), "trajectory_id": answer_trajectory(guidance, client_id),
                             "agency": "apo", "intervention_id": str(retracted), "recorded_again_as": None}
    assert "recorded in error" not in str(event)


def answer_trajectory(guidance, client_id) -> str:
    return str(guidance.current_trajectory(client_id).id)


def test_the_figures_count_an_amended_intervention_as_corrected(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id, minutes=30, domains=["housing"], method="information_guidance")
    guidance.amend_intervention(WORKER, corrected, "it was about work", minutes=35, domains=["work"],
                                method="listening_support", sub_kind="psychosocial_support")
    figures = guidance.activity(COORDINATOR, NOW.date() - dt.timedelta(days=1), NOW.date())
    assert (figures["minutes"], figures["by_domain"], figures["by_method"]) == (
        35, {"work": 1}, {"listening_support": 1})
    guidance.amend_intervention(WORKER, corrected, "it was a month ago", at=NOW - dt.timedelta(days=30))
    assert guidance.activity(COORDINATOR, NOW.date() - dt.timedelta(days=1), NOW.date())["interventions"] == 0


def test_recorded_on_the_wrong_client_it_is_retracted_there_and_recorded_again_linked_both_ways(world):
    _, guidance, _ = world
    wrong, right = accepted_client(world), accepted_client(world)
    moved = intervention(guidance, wrong, at=NOW - dt.timedelta(days=1), minutes=25, note="Zq7 about the rent")
    retracted = guidance.retract_intervention(WORKER, moved, "recorded on the wrong client", client_id=right)
    again = retracted.recorded_again_as
    assert shown(guidance, wrong, moved)["retracted"] == {"by": "apo-sa-1", "recorded_again_as": str(again),
                                                        "reason": "recorded on the wrong client"}
    (copy,) = guidance.trajectory(WORKER, right)["interventions"]
    assert copy["intervention_id"] == str(again) and copy["replaces"] == str(moved)
    assert (copy["minutes"], copy["note"], copy["at"]) == (25, "Zq7 about the rent",
                                                         (NOW - dt.timedelta(days=1)).isoformat())
    assert guidance.current_trajectory(wrong).attended_on == []
    assert guidance.current_trajectory(right).attended_on == [(NOW - dt.timedelta(days=1)).date()]
    (event,) = published(guidance, "intervention-retracted")
    assert event["data"]["recorded_again_as"] == str(again)
    recorded = published(guidance, "intervention-recorded")
    assert [e["data"]["client_id"] for e in recorded] == [str(wrong), str(right)]
    assert "replaces" not in recorded[1]["data"]  # version 1 as published
    with pytest.raises(Invalid) as refused:
        guidance.retract_intervention(WORKER, again, "the same client", client_id=right)
    assert refused.value.details == {"client_id": ["the same client"]}


def test_recorded_again_only_on_a_client_the_actor_s_agency_guides(world):
    intake, guidance, sync = world
    moved = intervention(guidance, accepted_client(world))
    with pytest.raises(NotFound):
        guidance.retract_intervention(WORKER, moved, "wrong client", client_id=uuid.uuid4())
    elsewhere = intake.register_client(WORKER, **registration_args())
    intake.accept(COORDINATOR, elsewhere, "apo-sa-1")
    intake.give_consent(WORKER, elsewhere, "dsr", "transfer", ["identity"])
    intake.transfer(COORDINATOR, elsewhere, "dsr")
    sync()
    with pytest.raises(NotNow):  # apo's trajectory of that client closed on the transfer
        guidance.retract_intervention(WORKER, moved, "wrong client", client_id=elsewhere)
    assert published(guidance, "intervention-retracted") == []
    assert shown(guidance, intervention_client(guidance, moved), moved)["retracted"] is None


def intervention_client(guidance, intervention_id):
    return guidance.repository.get(intervention_id).client_id


# -- appointments ---------------------------------------------------------------------------

def planned(guidance, client_id, at=None) -> str:
    return guidance.plan_appointment(WORKER, client_id, at or NOW + dt.timedelta(days=3), "court", "the hearing")


def test_an_appointment_is_rescheduled_to_a_time_still_to_come(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    appointment = planned(guidance, client_id)
    later = NOW + dt.timedelta(days=5)
    guidance.reschedule_appointment(WORKER, client_id, appointment, later, "the court moved the hearing")
    (shown_appointment,) = guidance.trajectory(WORKER, client_id)["appointments"]
    assert (shown_appointment["at"], shown_appointment["rescheduled_from"], shown_appointment["cancelled"]) == (
        later.isoformat(), [(NOW + dt.timedelta(days=3)).isoformat()], False)
    (event,) = published(guidance, "appointment-rescheduled")
    assert event["data"]["at"] == later.isoformat() and event["data"]["appointment_id"] == appointment
    assert set(event["data"]) == set(published(guidance, "appointment-planned")[0]["data"]) - {"during_leave_permit"}
    assert "moved the hearing" not in str(event)
    for at, reason in ((NOW - dt.timedelta(minutes=1), "is in the past"), (later, "unchanged")):
        with pytest.raises(Invalid) as refused:
            guidance.reschedule_appointment(WORKER, client_id, appointment, at, "again")
        assert refused.value.details == {"at": [reason]}


def test_an_appointment_during_a_leave_permit_stays_within_it(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    permit = {"starts": NOW + dt.timedelta(days=2), "ends": NOW + dt.timedelta(days=4)}
    appointment = guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=3), "doctor", "check-up",
                                            leave_permit=permit)
    with pytest.raises(Invalid) as refused:
        guidance.reschedule_appointment(WORKER, client_id, appointment, NOW + dt.timedelta(days=5), "later")
    assert refused.value.details == {"at": ["must fall within the leave permit"]}


def test_a_cancelled_appointment_or_one_whose_outcome_is_recorded_is_not_changed(world, clock):
    _, guidance, _ = world
    client_id = accepted_client(world)
    cancelled = planned(guidance, client_id)
    guidance.cancel_appointment(WORKER, client_id, cancelled, "the hearing was called off")
    assert guidance.trajectory(WORKER, client_id)["appointments"][0]["cancelled"] is True
    for change in (lambda: guidance.cancel_appointment(WORKER, client_id, cancelled, "again"),
                   lambda: guidance.reschedule_appointment(WORKER, client_id, cancelled, NOW + dt.timedelta(days=9),
                                                           "again"),
                   lambda: guidance.record_appointment_outcome(WORKER, client_id, cancelled, "held")):
        with pytest.raises(NotNow) as refused:
            change()
        assert refused.value.details == {"status": ["cancelled"]}
    held = planned(guidance, client_id, NOW + dt.timedelta(hours=1))
    clock.now = NOW + dt.timedelta(hours=2)
    guidance.record_appointment_outcome(WORKER, client_id, held, "held")
    for change in (lambda: guidance.cancel_appointment(WORKER, client_id, held, "too late"),
                   lambda: guidance.reschedule_appointment(WORKER, client_id, held, NOW + dt.timedelta(days=9),
                                                           "too late")):
        with pytest.raises(NotNow) as refused:
            change()
        assert refused.value.details == {"outcome": ["held"]}
    with pytest.raises(Unknown):
        guidance.cancel_appointment(WORKER, client_id, "nosuchone", "what")
    (event,) = published(guidance, "appointment-cancelled")
    assert set(event["data"]) == {"client_id", "trajectory_id", "agency", "appointment_id", "worker"}
    assert event["jwwactor"] == "apo-sa-1" and "called off" not in str(event)


def test_appointments_are_changed_by_the_agency_s_staff_only_while_the_trajectory_is_open(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    appointment = planned(guidance, client_id)
    with pytest.raises(Forbidden):
        guidance.cancel_appointment(OTHER_AGENCY, client_id, appointment, "not mine")
    guidance.close_trajectory(WORKER, client_id, "moved", "moved away")
    with pytest.raises(NotNow) as refused:
        guidance.reschedule_appointment(WORKER, client_id, appointment, NOW + dt.timedelta(days=4), "closed")
    assert refused.value.details == {"status": ["closed"]}


# -- goal outcomes ---------------------------------------------------------------------------

TWO_GOALS = GOALS + [{"domain": "addiction", "goal": "Zq7 drink less"}]


def test_goal_outcomes_are_recorded_at_a_review_and_at_closing_with_codes_only_published(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    guidance.agree_plan(WORKER, client_id, TWO_GOALS, "weekly", 12)
    guidance.review_plan(WORKER, client_id, GOALS, "fortnightly", 12, "the second goal is reached",
                         goal_outcomes=[{"goal_number": 2, "outcome": "reached"},
                                        {"goal_number": 1, "outcome": "partly"}])
    guidance.close_trajectory(WORKER, client_id, "goals_reached", "housed",
                              goal_outcomes=[{"goal_number": 1, "outcome": "reached"}])
    answer = guidance.trajectory(WORKER, client_id)["goal_outcomes"]
    assert answer == [
        {"when": "review", "by": "apo-sa-1", "outcomes": [
            {"goal_number": 1, "domain": "housing", "outcome": "partly"},
            {"goal_number": 2, "domain": "addiction", "outcome": "reached"}]},
        {"when": "closing", "by": "apo-sa-1", "outcomes": [
            {"goal_number": 1, "domain": "housing", "outcome": "reached"}]}]
    review, closing = published(guidance, "goal-outcomes-recorded")
    assert (review["data"]["when"], closing["data"]["when"]) == ("review", "closing")
    assert review["data"]["outcomes"] == answer[0]["outcomes"]
    assert "Zq7" not in str(review) and "find a room" not in str(review)


def test_goal_outcomes_name_goals_of_the_plan_in_force_once_each(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(NotNow) as refused:
        guidance.close_trajectory(WORKER, client_id, "moved", "moved", goal_outcomes=[
            {"goal_number": 1, "outcome": "reached"}])
    assert refused.value.details == {"goal_outcomes": ["no plan"]}
    guidance.agree_plan(WORKER, client_id, TWO_GOALS, "weekly", 12)
    for outcomes, reason in (([{"goal_number": 3, "outcome": "reached"}], "the plan has 2 goals"),
                             ([{"goal_number": 1, "outcome": "reached"}, {"goal_number": 1, "outcome": "partly"}],
                              "a goal is named twice")):
        with pytest.raises(Invalid) as refused:
            guidance.review_plan(WORKER, client_id, GOALS, "weekly", 12, "r", goal_outcomes=outcomes)
        assert refused.value.details == {"goal_outcomes": [reason]}
    assert guidance.current_trajectory(client_id).plan["goals"] == TWO_GOALS  # nothing changed
    assert published(guidance, "goal-outcomes-recorded") == []


# -- at rest: why a correction was made is the worker's words, sealed ---------------------------

def test_the_reasons_and_corrected_words_are_sealed_on_disk_and_read_back(tmp_path, clock):
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(store=sqlite_store(tmp_path / "guidance.sqlite"), clock=clock)
    world = (intake, guidance, Link(guidance, intake, "intake").deliver)
    client_id, right = accepted_client(world), accepted_client(world)
    guidance.agree_plan(WORKER, client_id, TWO_GOALS, "weekly", 12)
    corrected = intervention(guidance, client_id)
    guidance.amend_intervention(WORKER, corrected, "Zq7amend reason", note="Zq7amended note", minutes=50)
    guidance.retract_intervention(WORKER, intervention(guidance, client_id), "Zq7retract reason", client_id=right)
    appointment = planned(guidance, client_id)
    guidance.reschedule_appointment(WORKER, client_id, appointment, NOW + dt.timedelta(days=4), "Zq7moved reason")
    guidance.cancel_appointment(WORKER, client_id, appointment, "Zq7cancel reason")
    guidance.close_trajectory(WORKER, client_id, "goals_reached", "done",
                              goal_outcomes=[{"goal_number": 2, "outcome": "not_reached"}])
    disk = on_disk(tmp_path)
    for marker in ("Zq7amend", "Zq7amended", "Zq7retract", "Zq7moved", "Zq7cancel", "not_reached"):
        assert marker.encode() not in disk, marker
    assert shown(guidance, client_id, corrected)["note"] == "Zq7amended note"
    assert guidance.trajectory(WORKER, client_id)["goal_outcomes"][0]["outcomes"][0]["outcome"] == "not_reached"
