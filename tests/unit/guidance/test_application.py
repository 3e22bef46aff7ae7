"""Guidance's rules, on in-memory stores: intake's facts arrive through a follower."""
import datetime as dt

import pytest

from services.guidance.application import GuidanceApplication
from shared.config import DEPLOY_DIR
from shared.contracts import CATALOGUE
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.support.fakes import IN_MEMORY, Clock, Link, intake as new_intake

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
COLLEAGUE = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}
OTHER_AGENCY = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
GOALS = [{"domain": "housing", "goal": "find a room before release ends"}]



@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(clock):
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
    link = Link(guidance, intake, "intake")
    return intake, guidance, link.deliver


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


def test_every_guidance_event_type_is_catalogued_and_published_in_a_run(world, clock):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 12)
    intervention(guidance, client_id)
    guidance.record_condition(WORKER, client_id, "prohibition", "no contact with the victim", NOW.date(),
                              (NOW + dt.timedelta(days=20)).date(), "court")
    guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=1), "ocmw_cpas", "urgent medical aid")
    guidance.issue_attendance_certificate(WORKER, client_id, "fr", "court", NOW.date() - dt.timedelta(days=1),
                                          NOW.date(), "X")
    clock.now = NOW + dt.timedelta(days=16)
    guidance.check_time()
    guidance.recommend_psychologist(WORKER, client_id, "reason")
    guidance.close_trajectory(WORKER, client_id, "moved", "moved to Ghent")
    guidance.reopen_trajectory(COORDINATOR, client_id, "came back")
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    sync()
    guidance.trajectory(COORDINATOR, client_id, "complaint 2026/4")
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


# -- conditions, appointments, network, procedures --------------------------------------

def test_a_condition_is_supported_and_its_ending_announced_once(world, clock):
    _, guidance, _ = world
    client_id = accepted_client(world)
    condition_id = guidance.record_condition(
        WORKER, client_id, "condition", "follow an addiction treatment", NOW.date(),
        (NOW + dt.timedelta(days=30)).date(), "sentence_enforcement_court")
    guidance.support_condition(WORKER, client_id, condition_id, "went with them to the intake at the clinic", NOW.date())
    assert guidance.check_time() == 0
    clock.now = NOW + dt.timedelta(days=20)
    assert guidance.check_time() >= 1
    assert guidance.check_time() == 0
    (ending,) = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("condition-period-ending.v1")]
    assert ending["data"]["condition_id"] == condition_id
    condition = guidance.trajectory(WORKER, client_id)["conditions"][0]
    assert set(condition) == {"condition_id", "kind", "description", "starts", "ends", "authority", "support",
                              "ending_announced"}  # support, no verdict: the justice assistant controls


def test_an_accompanied_appointment_during_a_leave_permit(world, clock):
    _, guidance, _ = world
    client_id = accepted_client(world)
    hearing = NOW + dt.timedelta(days=3, hours=1)
    appointment_id = guidance.plan_appointment(
        WORKER, client_id, hearing, "court", "hearing", accompanied_by="apo-sa-1",
        leave_permit={"starts": NOW + dt.timedelta(days=3), "ends": NOW + dt.timedelta(days=3, hours=8)})
    with pytest.raises(Conflict):
        guidance.record_appointment_outcome(WORKER, client_id, appointment_id, "held")  # not yet
    clock.now = hearing + dt.timedelta(hours=2)
    guidance.record_appointment_outcome(WORKER, client_id, appointment_id, "held")
    with pytest.raises(Conflict):
        guidance.record_appointment_outcome(WORKER, client_id, appointment_id, "missed")
    (planned,) = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("appointment-planned.v1")]
    assert planned["data"]["during_leave_permit"] is True and planned["data"]["accompanied_by"] == "apo-sa-1"


def test_the_family_is_involved_only_with_the_clients_consent(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    member = guidance.add_network_member(WORKER, client_id, "partner", "Amina")
    with pytest.raises(Forbidden) as refused:
        guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "phone", "talked about return")
    assert "consent" in refused.value.details
    intake.give_consent(WORKER, client_id, "apo", "family_involvement", ["guidance_progress"])
    sync()
    guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "phone", "talked about return")
    guidance.prepare_return_home(WORKER, client_id, member, {
        "starts": NOW + dt.timedelta(days=7), "ends": NOW + dt.timedelta(days=9)}, "room ready")
    intake.withdraw_consent(WORKER, client_id, "apo", "family_involvement")
    sync()
    with pytest.raises(Forbidden):
        guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "visit")
    assert len(guidance.trajectory(WORKER, client_id)["network"][0]["contacts"]) == 2


def test_a_rehabilitation_procedure_with_dated_steps(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    procedure = guidance.start_procedure(WORKER, client_id, "rehabilitation", NOW.date())
    with pytest.raises(Conflict):
        guidance.start_procedure(WORKER, client_id, "rehabilitation", NOW.date())
    guidance.record_procedure_step(WORKER, client_id, procedure, "request filed with the public prosecutor",
                                   NOW.date() + dt.timedelta(days=1))
    with pytest.raises(InvalidInput):
        guidance.record_procedure_step(WORKER, client_id, procedure, "too early", NOW.date() - dt.timedelta(days=1))
    guidance.end_procedure(WORKER, client_id, procedure, "granted", NOW.date() + dt.timedelta(days=90))
    (recorded,) = guidance.trajectory(WORKER, client_id)["procedures"]
    assert recorded["outcome"]["outcome"] == "granted" and len(recorded["steps"]) == 1


# -- continuity and attendance ----------------------------------------------------------

def test_a_continuity_gap_is_raised_once_per_gap(world, clock):
    _, guidance, _ = world
    client_id = accepted_client(world)
    guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 12)
    intervention(guidance, client_id)
    clock.now = NOW + dt.timedelta(days=7 + 6)
    assert guidance.check_time() == 0  # due after a week, within the grace period
    clock.now = NOW + dt.timedelta(days=7 + 8)
    assert guidance.check_time() == 1
    assert guidance.check_time() == 0  # the same gap, once
    intervention(guidance, client_id, at=clock.now - dt.timedelta(hours=1))
    clock.now += dt.timedelta(days=15)
    assert guidance.check_time() == 1  # a new gap after the new contact
    gaps = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("continuity-gap.v1")]
    assert len(gaps) == 2 and gaps[0]["data"]["worker"] == "apo-sa-1"


def test_an_attendance_certificate_states_dates_and_nothing_else(world, clock):
    _, guidance, _ = world
    client_id = accepted_client(world)
    intervention(guidance, client_id, at=NOW - dt.timedelta(days=10), place="office")
    intervention(guidance, client_id, at=NOW - dt.timedelta(days=3), place="phone")  # not attendance
    intervention(guidance, client_id, at=NOW - dt.timedelta(days=2), place="home_visit")
    for language, words in (("nl", "AANWEZIGHEIDSATTEST"), ("fr", "ATTESTATION DE PRÉSENCE")):
        issued = guidance.issue_attendance_certificate(
            WORKER, client_id, language, "justice_assistant", (NOW - dt.timedelta(days=30)).date(), NOW.date(),
            "Samira Testperson")
        assert words in issued["text"] and "Samira Testperson" in issued["text"]
        assert issued["dates"] == [(NOW - dt.timedelta(days=10)).date().isoformat(),
                                   (NOW - dt.timedelta(days=2)).date().isoformat()]
        assert "fears" not in issued["text"] and "lawyer" not in issued["text"]
    issued_facts = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("attendance-certificate-issued.v1")]
    assert len(issued_facts) == 2 and "Samira" not in str(guidance.events.get(guidance._current(client_id).id))


def test_no_certificate_for_a_period_without_attendance(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(Conflict):
        guidance.issue_attendance_certificate(WORKER, client_id, "nl", "court", NOW.date(), NOW.date(), "X")


def test_the_activity_report_counts_per_domain_and_method(world):
    _, guidance, _ = world
    first, second = accepted_client(world), accepted_client(world)
    intervention(guidance, first, domains=["housing", "work"], minutes=30)
    intervention(guidance, second, method="listening_support", sub_kind="listening_ear", domains=["housing"])
    report = guidance.activity(COORDINATOR, (NOW - dt.timedelta(days=1)).date(), NOW.date())
    assert (report["interventions"], report["minutes"]) == (2, 75)
    assert report["by_domain"] == {"housing": 2, "work": 1}
    assert report["by_method"] == {"information_guidance": 1, "listening_support": 1}
    with pytest.raises(Forbidden):
        guidance.activity(WORKER, NOW.date(), NOW.date())


def test_the_remaining_refusals(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(Conflict):
        guidance.reopen_trajectory(COORDINATOR, client_id, "it is open")
    with pytest.raises(NotFound):
        guidance.support_condition(WORKER, client_id, "nope", "support", NOW.date())
    with pytest.raises(NotFound):
        guidance.record_network_contact(WORKER, client_id, "nope", NOW.date(), "phone")
    procedure = guidance.start_procedure(WORKER, client_id, "residence_status", NOW.date())
    guidance.end_procedure(WORKER, client_id, procedure, "refused", NOW.date())
    with pytest.raises(Conflict):
        guidance.record_procedure_step(WORKER, client_id, procedure, "appeal", NOW.date())
    with pytest.raises(Conflict):
        guidance.end_procedure(WORKER, client_id, procedure, "granted", NOW.date())


@pytest.mark.parametrize("schema, payload, field", [
    ("RecordCondition", {"kind": "condition", "description": "d", "starts": "2026-05-01", "ends": "2026-04-01",
                         "authority": "court"}, "ends"),
    ("PlanAppointment", {"at": "2026-05-01T10:00:00+00:00", "with_actor": "court", "purpose": "hearing",
                         "leave_permit": {"from": "2026-05-02T08:00:00+00:00", "until": "2026-05-02T18:00:00+00:00"}},
     "at"),
    ("PlanAppointment", {"at": "2026-05-01T10:00:00+00:00", "with_actor": "court", "purpose": "hearing",
                         "leave_permit": {"from": "2026-05-01T18:00:00+00:00", "until": "2026-05-01T08:00:00+00:00"}},
     "leave_permit.until"),
    ("RecordIntervention", {"at": "2026-05-01T10:00:00+00:00", "minutes": 30, "place": "office",
                            "method": "relational_network", "sub_kind": "budget_support", "domains": ["housing"]},
     "sub_kind"),
    ("AgreePlan", {"goals": [{"domain": "gardening", "goal": "g"}], "intensity": "daily", "expected_weeks": 0},
     "goals.0.domain"),
])
def test_bad_guidance_input_names_the_field(schema, payload, field):
    from shared.contracts import guidance as contracts
    from shared.contracts import validate_command

    with pytest.raises(InvalidInput) as refused:
        validate_command(getattr(contracts, schema),
                         {"actor": WORKER, "client_id": "00000000-0000-4000-8000-000000000000", **payload})
    assert field in refused.value.details
