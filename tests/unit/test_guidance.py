"""Guidance's rules, on in-memory stores: intake's facts arrive through a follower."""
import datetime as dt

import pytest

from services.guidance.application import GuidanceApplication
from shared.config import DEPLOY_DIR
from shared.contracts import CATALOGUE, encode
from shared.errors import Conflict, Forbidden, NotFound
from shared.follower import Follower
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.fakes import IN_MEMORY, DeadLetters, intake as new_intake

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
COLLEAGUE = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}
OTHER_AGENCY = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
GOALS = [{"domain": "housing", "goal": "find a room before release ends"}]


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def world(clock):
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
    outbox = Outbox(intake)
    follower = Follower(guidance, "guidance", "intake", guidance.policies(),
                        pull=lambda after, until: outbox.read(after=after, until=until, limit=100),
                        dead_letter=DeadLetters())

    def sync():
        follower.receive_many([encode(e) for e in outbox.read(after=follower.position, limit=1000)])

    return intake, guidance, sync


def accepted_client(world, **overrides):
    intake, _, sync = world
    client_id = intake.register_client(WORKER, **registration_args(**overrides))
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing", "work"], "...", "normal")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    sync()
    return client_id


def intervention(guidance, client_id, actor=WORKER, **overrides):
    args = dict(at=NOW - dt.timedelta(hours=1), minutes=45, place="office", method="information_guidance",
                sub_kind="information_sentence_execution", domains=["judicial_situation"],
                note="Spoke about fears of the hearing.", next_steps="Call the lawyer.")
    args.update(overrides)
    return guidance.record_intervention(actor, client_id, **args)


def test_an_accepted_intake_opens_one_trajectory_however_often_it_arrives(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    sync()  # delivered again: nothing new
    trajectory = guidance.trajectory(WORKER, client_id)
    assert (trajectory["agency"], trajectory["worker"], trajectory["status"]) == ("apo", "apo-sa-1", "open")
    assert trajectory["domains"] == ["housing", "work"]
    opened = [n for n in guidance.recorder.select_notifications(1, 100) if n.topic.endswith("Trajectory.Opened")]
    assert len(opened) == 1


def test_a_plan_is_agreed_once_then_reviewed_with_a_reason(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 26)
    with pytest.raises(Conflict):
        guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 26)
    guidance.review_plan(WORKER, client_id, GOALS + [{"domain": "work", "goal": "training"}], "fortnightly", 40,
                         "housing found; work next")
    plan = guidance.trajectory(WORKER, client_id)
    assert plan["plan"]["intensity"] == "fortnightly"
    assert [h["reason"] for h in plan["plan_history"]] == ["agreed", "housing found; work next"]


def test_reviewing_before_agreeing_is_refused(world):
    _, guidance, _ = world
    with pytest.raises(Conflict):
        guidance.review_plan(WORKER, accepted_client(world), GOALS, "weekly", 4, "why")


def test_interventions_of_all_five_methods_are_published_without_their_note(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    for method, sub_kind in [
        ("listening_support", "listening_ear"),
        ("information_guidance", "probation_conditions_support"),
        ("assistance_contacts", "accompaniment_ocmw_cpas"),
        ("relational_network", "family_contact"),
        ("referral_coordination", "referral"),
    ]:
        intervention(guidance, client_id, method=method, sub_kind=sub_kind)
    published = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("intervention-recorded.v1")]
    assert [e["data"]["method"] for e in published] == [
        "listening_support", "information_guidance", "assistance_contacts", "relational_network", "referral_coordination"
    ]
    assert all("note" not in e["data"] and "next_steps" not in e["data"] for e in published)
    assert published[0]["data"]["worker_profile"] == "social_assistant"


def test_the_confidential_note_is_read_only_by_the_staff_on_the_case(world):
    intake, guidance, _ = world
    client_id = accepted_client(world)
    intervention(guidance, client_id)
    assert guidance.trajectory(WORKER, client_id)["interventions"][0]["note"] == "Spoke about fears of the hearing."
    assert guidance.trajectory(COORDINATOR, client_id)["interventions"][0]["note"] is not None
    assert guidance.trajectory(COLLEAGUE, client_id)["interventions"][0]["note"] is None
    with pytest.raises(Forbidden):
        guidance.trajectory(OTHER_AGENCY, client_id)


def test_an_intervention_in_the_future_is_refused(world, clock):
    _, guidance, _ = world
    with pytest.raises(Conflict):
        intervention(guidance, accepted_client(world), at=clock.now + dt.timedelta(days=1))


def test_another_agency_or_an_auditor_cannot_record(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(Forbidden):
        intervention(guidance, client_id, actor=OTHER_AGENCY)
    with pytest.raises(Forbidden):
        intervention(guidance, client_id, actor={"user_id": "a", "role": "auditor", "agency": "apo"})


def test_a_client_without_trajectory_is_not_found(world):
    intake, guidance, sync = world
    client_id = intake.register_client(WORKER, **registration_args())
    sync()
    with pytest.raises(NotFound):
        intervention(guidance, client_id)


def test_a_psychologist_recommendation_is_published_for_referrals(world):
    _, guidance, _ = world
    client_id = accepted_client(world, languages=["ar", "fr"], preferred_language="ar")
    guidance.recommend_psychologist(WORKER, client_id, "persistent anxiety before hearings")
    (event,) = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("psychologist-recommended.v1")]
    assert event["data"]["languages"] == ["ar", "fr"] and event["subject"] == str(client_id)
    assert "anxiety" not in str(event)


def test_closing_and_reopening(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(Forbidden):
        guidance.close_trajectory(COLLEAGUE, client_id, "goals_reached", "done")  # not on the case
    guidance.close_trajectory(WORKER, client_id, "goals_reached", "Housing and work in place.")
    with pytest.raises(Conflict):
        intervention(guidance, client_id)
    with pytest.raises(Forbidden):
        guidance.reopen_trajectory(WORKER, client_id, "new hearing")
    guidance.reopen_trajectory(COORDINATOR, client_id, "new hearing date")
    assert guidance.trajectory(WORKER, client_id)["status"] == "open"


def test_a_reassignment_in_intake_changes_the_worker_here(world):
    intake, guidance, sync = world
    client_id = accepted_client(world, languages=["fr"], preferred_language="fr")
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    sync()
    assert guidance.trajectory(COORDINATOR, client_id)["worker"] == "apo-crim-1"


def test_a_transfer_closes_the_trajectory_and_the_new_agency_opens_its_own(world):
    intake, guidance, sync = world
    client_id = accepted_client(world, languages=["nl", "fr"], preferred_language="nl")
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    intake.transfer(COORDINATOR, client_id, "dsr", "dsr-sa-1")
    sync()
    new = guidance.trajectory(OTHER_AGENCY, client_id)
    assert (new["agency"], new["worker"], new["status"]) == ("dsr", "dsr-sa-1", "open")
    with pytest.raises(Forbidden):
        guidance.trajectory(WORKER, client_id)


def test_the_caseload_shows_when_each_client_is_next_due(world, clock):
    _, guidance, _ = world
    first, second = accepted_client(world), accepted_client(world)
    guidance.agree_plan(WORKER, first, GOALS, "weekly", 12)
    guidance.agree_plan(WORKER, second, GOALS, "monthly", 12)
    intervention(guidance, second)
    clock.now = NOW + dt.timedelta(days=10)
    rows = guidance.caseload(WORKER)
    assert [r["client_id"] for r in rows] == [str(first), str(second)]
    assert [r["overdue"] for r in rows] == [True, False]
    with pytest.raises(Forbidden):
        guidance.caseload(WORKER, worker="apo-crim-1")
    assert len(guidance.caseload(COORDINATOR, worker="apo-sa-1")) == 2


def test_every_guidance_event_type_is_catalogued_and_published_in_a_run(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    intervention(guidance, client_id)
    guidance.recommend_psychologist(WORKER, client_id, "reason")
    guidance.close_trajectory(WORKER, client_id, "moved", "moved to Ghent")
    guidance.reopen_trajectory(COORDINATOR, client_id, "came back")
    types = {e["type"] for e in Outbox(guidance).read(0, 100)}
    assert types == {t for t in CATALOGUE if t.startswith("be.jww.guidance.")}


def test_a_long_trajectory_is_snapshotted_and_loads_the_same(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    for n in range(205):
        intervention(guidance, client_id, at=NOW - dt.timedelta(minutes=n + 1))
    assert list(guidance.snapshots.get(guidance._current(client_id).id))  # taken at version 200
    assert guidance.trajectory(WORKER, client_id)["interventions"][-1]["note"] == "Spoke about fears of the hearing."
    assert len(guidance.trajectory(WORKER, client_id)["interventions"]) == 205
