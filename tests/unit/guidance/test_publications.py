"""What guidance publishes, derived from the declarations: activity and dates, never a note."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.guidance.service import GuidanceService
from shared.contracts import CATALOGUE
from shared.contracts.base import STREAMS
from shared.errors import Forbidden
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import NOW, GOALS, accepted_client, intervention

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}


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


def test_a_psychologist_recommendation_is_published_for_referrals(world):
    _, guidance, _ = world
    client_id = accepted_client(world, languages=["ar", "fr"], preferred_language="ar")
    guidance.recommend_psychologist(WORKER, client_id, "persistent anxiety before hearings")
    (event,) = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("psychologist-recommended.v1")]
    assert event["data"]["languages"] == ["ar", "fr"] and event["subject"] == str(client_id)
    assert "anxiety" not in str(event)


def test_every_guidance_event_type_is_catalogued_and_published_in_a_run(world, clock):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    intake.give_consent(WORKER, client_id, "apo", "family_involvement", ["guidance_progress"])
    sync()
    guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 12)
    guidance.review_plan(WORKER, client_id, GOALS, "weekly", 16, "the hearing was moved",
                         goal_outcomes=[{"goal_number": 1, "outcome": "partly"}])
    corrected = intervention(guidance, client_id)
    guidance.amend_intervention(WORKER, corrected, "ten minutes more", minutes=55)
    guidance.retract_intervention(WORKER, intervention(guidance, client_id), "recorded twice")
    condition = guidance.record_condition(WORKER, client_id, "prohibition", "no contact with the victim", NOW.date(),
                                          (NOW + dt.timedelta(days=20)).date(), "court")
    guidance.support_condition(WORKER, client_id, condition, "explained it", NOW.date())
    moved = guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=1), "ocmw_cpas", "urgent medical aid")
    guidance.reschedule_appointment(WORKER, client_id, moved, NOW + dt.timedelta(days=2), "the office was closed")
    guidance.cancel_appointment(WORKER, client_id, moved, "no longer needed")
    held = guidance.plan_appointment(WORKER, client_id, NOW - dt.timedelta(hours=2), "lawyer", "the hearing")
    guidance.record_appointment_outcome(WORKER, client_id, held, "held")
    procedure = guidance.start_procedure(WORKER, client_id, "residence_status", NOW.date())
    guidance.record_procedure_step(WORKER, client_id, procedure, "filed at the municipality", NOW.date())
    guidance.end_procedure(WORKER, client_id, procedure, "granted", NOW.date())
    guidance.record_document_expiry(WORKER, client_id, procedure, (NOW + dt.timedelta(days=40)).date())
    member = guidance.add_network_member(WORKER, client_id, "parent", "the mother")
    guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "visit", "she will help")
    guidance.prepare_return_home(WORKER, client_id, member, {
        "starts": NOW + dt.timedelta(days=3), "ends": NOW + dt.timedelta(days=5)}, "a room is ready")
    guidance.issue_attendance_certificate(WORKER, client_id, "fr", "court", NOW.date() - dt.timedelta(days=1),
                                          NOW.date(), "X")
    clock.now = NOW + dt.timedelta(days=16)
    guidance.check_time()
    clock.now = NOW + dt.timedelta(weeks=16)  # the plan's review falls due
    guidance.check_time()
    clock.now = NOW + dt.timedelta(days=16)
    guidance.recommend_psychologist(WORKER, client_id, "reason")
    guidance.close_trajectory(WORKER, client_id, "moved", "moved to Ghent")
    guidance.reopen_trajectory(COORDINATOR, client_id, "came back")
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    erased = accepted_client(world)
    intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    intake.approve_erasure(DPO, erased)
    sync()
    guidance.trajectory(COORDINATOR, client_id, "complaint", "2026/4")
    with pytest.raises(Forbidden):  # refused at the RPC edge, which records the attempt
        GuidanceService.trajectory(SimpleNamespace(app=guidance), {
            "actor": {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}, "client_id": str(client_id)})
    fakes.take_checkpoint(guidance)  # as its relay does
    types = {e["type"] for e in Outbox(guidance).read(0, 100, streams=STREAMS)}
    assert types == {t for t in CATALOGUE if t.startswith("be.jww.guidance.") and ".fact-erased." not in t}


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
    assert len(issued_facts) == 2 and "Samira" not in str(guidance.events.get(guidance.current_trajectory(client_id).id))


def test_the_file_s_other_facts_are_published_as_codes_dates_and_ids_never_the_words(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    intake.give_consent(WORKER, client_id, "apo", "family_involvement", ["guidance_progress"])
    sync()
    guidance.agree_plan(WORKER, client_id, GOALS + [{"domain": "work", "goal": "a first job interview"}], "weekly",
                        12)
    condition = guidance.record_condition(WORKER, client_id, "condition", "follow a treatment at the clinic",
                                          NOW.date(), None, "sentence_enforcement_court")
    guidance.support_condition(WORKER, client_id, condition, "went with them to the clinic", NOW.date())
    procedure = guidance.start_procedure(WORKER, client_id, "rehabilitation", NOW.date())
    guidance.record_procedure_step(WORKER, client_id, procedure, "letter to the prosecutor", NOW.date())
    member = guidance.add_network_member(WORKER, client_id, "sibling", "Karim the brother")
    guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "phone", "he is worried")
    published = {e["type"].split(".")[3]: e for e in Outbox(guidance).read(0, 100)}
    trajectory_id = published["trajectory-opened"]["data"]["trajectory_id"]
    about = {"client_id": str(client_id), "trajectory_id": trajectory_id, "agency": "apo"}
    assert published["plan-agreed"]["data"] == {
        **about, "goal_domains": ["housing", "work"], "intensity": "weekly", "expected_weeks": 12}
    assert published["condition-recorded"]["data"] == {
        **about, "condition_id": condition, "kind": "condition", "starts": NOW.date().isoformat(), "ends": None,
        "authority": "sentence_enforcement_court"}
    assert published["condition-supported"]["data"] == {**about, "condition_id": condition,
                                                         "on": NOW.date().isoformat()}
    assert published["procedure-step-recorded"]["data"] == {**about, "procedure_id": procedure,
                                                             "on": NOW.date().isoformat()}
    assert published["network-member-added"]["data"] == {
        "client_id": str(client_id), "agency": "apo", "member_id": member, "relation": "sibling"}
    assert published["network-contact-recorded"]["data"]["kind"] == "phone"
    assert published["condition-recorded"]["jwwactor"] == WORKER["user_id"]
    text = str(published)
    for words in ("first job", "treatment", "the clinic", "prosecutor", "Karim", "worried"):
        assert words not in text, words
