"""The file at an instant, item by item, on a realistic case (issue 15, item 3).

The case of tests/unit/audit/test_timeline_complete.py runs through intake,
guidance, referrals and notifications in memory, audit following them all. Each
replay is taken at the instant of a fact on the client's timeline, or just before
it, so the tests say exactly which facts the file may show: an item recorded after
the instant is absent, an item later facts changed shows them only from their
instants on, and ``changes`` between two instants lists exactly the items those
facts added or changed.
"""
from __future__ import annotations

import datetime as dt

import pytest

from shared.contracts.audit_answers import FileChanges, FileReplay
from tests.support.fakes import Clock
from tests.support.samples import AUDITOR
from tests.unit.audit.test_timeline_complete import World, run_case

JUST = dt.timedelta(microseconds=1)


@pytest.fixture(scope="module")
def world() -> World:
    world = World(Clock(dt.datetime.now(dt.timezone.utc)))
    world.case = run_case(world)
    return world


class Client:
    """One client of the case, replayed at the instants of their own facts."""

    def __init__(self, world: World, who: str):
        self.world, self.client_id = world, world.case[who]
        self.entries = world.audit.timeline(AUDITOR, self.client_id, "inspection")["entries"]

    def when(self, fact: str, nth: int = 0, **data) -> dt.datetime:
        """The instant of the ``nth`` fact of that kind (whose data has ``data``)."""
        found = [e for e in self.entries if e["type"].split(".")[3] == fact
                 and all(e["data"].get(k) == v for k, v in data.items())]
        return dt.datetime.fromisoformat(found[nth]["time"])

    def replay(self, at: dt.datetime) -> dict:
        answer = self.world.audit.replay(AUDITOR, self.client_id, at, "inspection")
        assert FileReplay().validate(answer) == {}  # what the gateway answers: its contract, exactly
        return answer

    def file(self, at: dt.datetime) -> dict:
        return self.replay(at)["file"]

    def changes(self, since: dt.datetime, until: dt.datetime) -> dict:
        answer = self.world.audit.changes(AUDITOR, self.client_id, since, until, "inspection")
        assert FileChanges().validate(answer) == {}
        return answer


@pytest.fixture(scope="module")
def guided(world) -> Client:
    return Client(world, "guided")


@pytest.fixture(scope="module")
def erased(world) -> Client:
    return Client(world, "erased")


def test_an_intervention_recorded_after_the_instant_is_absent_and_is_there_from_its_own(guided):
    recorded = guided.when("intervention-recorded")
    before = guided.file(recorded - JUST)
    assert before["trajectory"]["interventions"] == []
    assert [v["version"] for v in before["trajectory"]["plan_history"]] == [1, 2]  # agreed and reviewed before it
    (intervention,) = guided.file(recorded)["trajectory"]["interventions"]
    assert {k: v for k, v in intervention.items() if k not in ("intervention_id", "trajectory_id", "at")} == {
        "agency": "apo", "minutes": 45, "place": "office", "method": "listening_support", "sub_kind": "listening_ear",
        "domains": ["housing"], "interpreter": None, "worker": "apo-sa-1", "worker_profile": "social_assistant",
        "recorded": recorded.isoformat(), "by": "apo-sa-1", "erased": [], "corrections": [], "retracted": None}
    assert intervention["trajectory_id"] == guided.file(recorded)["trajectory"]["trajectory_id"]


def test_the_plan_s_history_holds_each_version_as_agreed_then_reviewed(guided):
    agreed, reviewed = guided.when("plan-agreed"), guided.when("plan-reviewed")
    assert guided.file(agreed - JUST)["trajectory"]["plan_history"] == []
    (first,) = guided.file(agreed)["trajectory"]["plan_history"]
    history = guided.file(reviewed)["trajectory"]["plan_history"]
    assert history[0] == first
    assert [(v["version"], v["change"], v["goal_domains"], v["intensity"], v["expected_weeks"]) for v in history] == [
        (1, "agreed", ["housing"], "weekly", 26), (2, "reviewed", ["addiction", "housing"], "fortnightly", 30)]


def test_a_condition_shows_its_period_and_its_support_and_announced_end_from_their_instants(guided):
    today = guided.world.clock.now - dt.timedelta(days=40)  # the case recorded it before time passed
    recorded, supported = guided.when("condition-recorded"), guided.when("condition-supported")
    ending = guided.when("condition-period-ending")
    (condition,) = guided.file(recorded)["trajectory"]["conditions"]
    assert (condition["kind"], condition["authority"]) == ("prohibition", "sentence_enforcement_court")
    assert (condition["starts"], condition["ends"]) == (
        today.date().isoformat(), (today.date() + dt.timedelta(days=45)).isoformat())
    assert (condition["supports"], condition["ending_announced"]) == ([], None)
    (support,) = guided.file(supported)["trajectory"]["conditions"][0]["supports"]
    assert support == {"on": today.date().isoformat(), "recorded": supported.isoformat(), "by": "apo-sa-1",
                       "erased": []}
    assert guided.file(ending - JUST)["trajectory"]["conditions"][0]["ending_announced"] is None
    assert guided.file(ending)["trajectory"]["conditions"][0]["ending_announced"] == ending.isoformat()
    assert "no contact with the victim" not in str(guided.replay(ending))  # what it says stays in guidance


def test_a_referral_shows_its_steps_up_to_the_instant(guided):
    accepted = guided.when("referral-step-recorded", step="accepted")
    referral_id = next(e for e in guided.entries if e["type"].endswith("referral-step-recorded.v1")
                       and e["data"]["step"] == "accepted")["data"]["referral_id"]

    def referral(at: dt.datetime) -> dict:
        return next(r for r in guided.file(at)["referrals"] if r["referral_id"] == referral_id)

    then = referral(accepted)
    assert (then["partner"], then["domains"], then["state"], then["outcome"]) == (
        "transit", ["housing"], "accepted", None)
    assert [(s["step"], s["answered"]) for s in then["steps"]] == [
        ("sent", False), ("acknowledged", False), ("accepted", True)]
    assert [s["step"] for s in referral(accepted - JUST)["steps"]] == ["sent", "acknowledged"]
    now = referral(guided.world.clock.now)
    assert (now["state"], now["outcome"], [s["step"] for s in now["steps"]][-2:]) == (
        "completed", "effective", ["started", "completed"])


def test_a_consent_shows_its_periods_and_the_file_its_decisions_as_they_stood(guided):
    withdrawn = guided.when("consent-withdrawn")
    (transit,) = [c for c in guided.file(withdrawn - JUST)["intake"]["consents"] if c["recipient"] == "transit"]
    # Each giving reached audit in both versions: one period each, in v2's categories.
    assert (transit["in_force"], transit["categories"], transit["share_history"], len(transit["periods"])) == (
        True, ["identity", "help_request"], False, 1)
    (transit,) = [c for c in guided.file(guided.world.clock.now)["intake"]["consents"] if c["recipient"] == "transit"]
    assert (transit["in_force"], transit["categories"]) == (True, ["identity"])  # given again, for less
    assert [(p["categories"], p["withdrawn"]) for p in transit["periods"]] == [
        (["identity", "help_request"], withdrawn.isoformat()), (["identity"], None)]
    reassigned = guided.when("client-reassigned")
    assert guided.file(reassigned - JUST)["intake"]["worker"] == "apo-sa-1"
    intake = guided.file(reassigned)["intake"]
    assert (intake["worker"], intake["interpreter"]) == ("apo-crim-1", {"language": "fr", "kind": "present"})
    assert [d["decision"] for d in intake["decisions"]] == ["accepted", "reassigned"]


def test_the_trajectory_reads_closed_between_its_closing_and_its_reopening(guided):
    closed, reopened = guided.when("trajectory-closed"), guided.when("trajectory-reopened")
    assert guided.file(closed - JUST)["trajectory"]["status"] == "open"
    trajectory = guided.file(closed)["trajectory"]
    assert trajectory["status"] == "closed"
    assert [(c["reason"], c["by"], c["reopened"]) for c in trajectory["closings"]] == [
        ("goals_reached", "apo-coord", None)]
    trajectory = guided.file(reopened)["trajectory"]
    assert (trajectory["status"], trajectory["closings"][0]["reopened"]) == ("open", reopened.isoformat())


def test_an_erased_client_s_items_hold_null_codes_and_say_what_was_erased(erased):
    answer = erased.replay(erased.world.clock.now)
    assert answer["erased"] is not None and answer["erased"]["on"]  # the file says it was erased, and when
    intake = answer["file"]["intake"]
    assert (intake["status"], intake["agency"], intake["languages"], intake["legal_position"]) == (
        "declined", "apo", None, None)
    assert intake["erased"] == ["interpreter_needed", "languages", "legal_position", "preferred_language"]
    # Declined, reopened when she called back, and declined again (the case's steps).
    assert [d["decision"] for d in intake["decisions"]] == ["declined", "reopened", "declined"]
    declined = intake["decisions"][-1]
    assert (declined["decision"], declined["reason"], declined["erased"], declined["by"]) == (
        "declined", None, ["reason"], "apo-coord")
    requests = answer["file"]["erasure"]["requests"]
    assert [(r["legal_basis"], r["decision"], r["decided_by"]) for r in requests] == [
        ("consent_withdrawn", "refused", "dpo-1"), ("no_longer_necessary", "approved", "dpo-1")]
    assert [(h["ground"], h["lifted_by"]) for h in answer["file"]["erasure"]["legal_holds"]] == [
        ("legal_claims", "dpo-1"), ("legal_obligation", "dpo-1")]
    assert {c["service"] for c in answer["file"]["erasure"]["carried_out"]} == {
        "guidance", "referrals", "notifications"}
    for written in ("moved abroad", "she asked", "court asked", "court case 2026/17", "Samira"):
        assert written not in str(answer), written
    # Before the erasure was asked for, the file already held what it holds now: the
    # content is erased from every instant, not only from the erasure on.
    first_request = erased.when("erasure-requested")
    assert erased.file(first_request - JUST)["intake"]["languages"] is None


def test_changes_between_two_instants_list_exactly_the_items_added(guided):
    since, until = guided.when("plan-agreed") - JUST, guided.when("psychologist-recommended")
    answer = guided.changes(since, until)
    file = answer["file_at_until"]["trajectory"]
    (intervention,), (recommendation,) = file["interventions"], file["psychologist_recommendations"]
    assert [(c["item"], c["id"], c["change"]) for c in answer["changes"]] == [
        ("trajectory.plan_history", "1", "added"), ("trajectory.plan_history", "2", "added"),
        ("trajectory.interventions", intervention["intervention_id"], "added"),
        ("trajectory.psychologist_recommendations", recommendation["event_id"], "added"),
    ]
    assert answer["changes"][3]["fields"] == {name: {"before": None, "after": value}
                                              for name, value in recommendation.items()}
    assert [e["type"].split(".")[3] for e in answer["facts"]] == [
        "plan-agreed", "plan-reviewed", "intervention-recorded", "psychologist-recommended"]


def test_changes_between_two_instants_list_exactly_the_items_and_records_changed(guided):
    accepted = guided.when("referral-step-recorded", step="accepted")
    completed = guided.when("referral-step-recorded", step="completed")
    answer = guided.changes(accepted, completed)
    before, after = answer["file_at_since"]["referrals"], answer["file_at_until"]["referrals"]
    (change,) = answer["changes"]
    referral_id = change["id"]
    (was,), (now,) = [r for r in before if r["referral_id"] == referral_id], [
        r for r in after if r["referral_id"] == referral_id]
    assert (change["item"], change["change"]) == ("referrals", "changed")
    assert change["fields"] == {"state": {"before": "accepted", "after": "completed"},
                                "outcome": {"before": None, "after": "effective"},
                                "steps": {"before": was["steps"], "after": now["steps"]}}
    assert [s["step"] for s in now["steps"]][len(was["steps"]):] == ["started", "completed"]

    reassigned, worker_changed = guided.when("client-reassigned"), guided.when("trajectory-worker-changed")
    answer = guided.changes(reassigned - JUST, worker_changed)
    decision = answer["file_at_until"]["intake"]["decisions"][-1]
    assert [(c["item"], c["id"], c["change"], c["fields"]) for c in answer["changes"]] == [
        ("intake", None, "changed", {"worker": {"before": "apo-sa-1", "after": "apo-crim-1"},
                                     "interpreter": {"before": None, "after": {"language": "fr", "kind": "present"}}}),
        ("trajectory", None, "changed", {"worker": {"before": "apo-sa-1", "after": "apo-crim-1"}}),
        ("intake.decisions", decision["event_id"], "added",
         {name: {"before": None, "after": value} for name, value in decision.items() if value is not None}),
    ]
