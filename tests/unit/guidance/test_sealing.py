"""Guidance's personal fields at rest (shared.sealing), on SQLite stores: every word a
worker wrote and everything the file says about the person is sealed under the
client's data keys, opens again when loaded, and reads as erased once the keys are
shredded, while every chain still verifies and the service keeps answering."""
import datetime as dt
import uuid

import pytest
from eventsourcing.domain import Aggregate, DomainEvent

from services.guidance import domain
from services.guidance.application import GuidanceApplication
from services.guidance.integration import PUBLICATIONS, SEALED
from services.guidance.domain import ClientOnRecord, Intervention, Network, Trajectory
from shared import access_log, chain
from shared.config import DEPLOY_DIR
from shared.contracts import CATALOGUE
from shared.contracts import guidance as facts
from shared.contracts.base import STREAMS
from shared.contracts.declare import RETENTION_CLASSES, Fact, personal_fields
from shared.outbox import Outbox
from tests.support.declarations import declared_names, event_fields, names_where
from tests.support.fakes import Clock, Link, intake as new_intake
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args
from tests.unit.guidance.world import NOW
from tests.unit.shared.test_sealing import on_disk, sqlite_store

# One marker per personal free-text field guidance stores (and the name printed on a
# certificate, which it never stores): none may reach the disk in clear.
WORDS = ("goal", "reviewed_goal", "review_reason", "note", "next_steps", "psychologist_reason", "description",
         "support", "appointment_purpose", "procedure_step", "known_as", "contact_note", "return_home_note",
         "summary", "reopen_reason", "person_name", "purpose_detail")
ERASED = {word: f"Zq7{word}" for word in WORDS}
KEPT = {word: f"Kp4{word}" for word in WORDS}
# Personal dates and codes that appear nowhere else in the store.
LONG_AGO = dt.date(2019, 3, 17)  # when a condition started, and a procedure
PERSONAL_CODES = ("convicted", "probation", "sentence_enforcement_court", "rehabilitation")
INTERPRETER = {"language": "fr", "kind": "present"}


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(tmp_path, clock):
    """An in-memory intake, and guidance on an SQLite store in ``tmp_path`` following it."""
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(store=sqlite_store(tmp_path / "guidance.sqlite"), clock=clock)
    return intake, guidance, Link(guidance, intake, "intake").deliver


def reopen(tmp_path, clock) -> GuidanceApplication:
    return GuidanceApplication(store=sqlite_store(tmp_path / "guidance.sqlite"), clock=clock)


def accepted(intake, sync) -> uuid.UUID:
    client_id = intake.register_client(WORKER, **registration_args())
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "...", "normal")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    intake.give_consent(WORKER, client_id, "apo", "family_involvement", ["guidance_progress"])
    sync()
    return client_id


def guide(world, clock, words: dict) -> uuid.UUID:
    """A client's whole trajectory, each personal free-text field holding its marker."""
    intake, guidance, sync = world
    clock.now = NOW
    client_id = accepted(intake, sync)
    guidance.agree_plan(WORKER, client_id, [{"domain": "housing", "goal": words["goal"]}], "weekly", 26)
    guidance.review_plan(WORKER, client_id, [{"domain": "work", "goal": words["reviewed_goal"]}], "fortnightly", 30,
                         words["review_reason"])
    guidance.record_intervention(WORKER, client_id, **intervention_args(
        NOW - dt.timedelta(hours=1), note=words["note"], next_steps=words["next_steps"], interpreter=INTERPRETER))
    guidance.recommend_psychologist(WORKER, client_id, words["psychologist_reason"])
    condition = guidance.record_condition(WORKER, client_id, "condition", words["description"], LONG_AGO,
                                          NOW.date() + dt.timedelta(days=10), "sentence_enforcement_court")
    guidance.support_condition(WORKER, client_id, condition, words["support"], NOW.date())
    appointment = guidance.plan_appointment(
        WORKER, client_id, NOW + dt.timedelta(days=2, hours=2), "court", words["appointment_purpose"],
        accompanied_by="apo-sa-1",
        leave_permit={"starts": NOW + dt.timedelta(days=2), "ends": NOW + dt.timedelta(days=2, hours=8)})
    guidance.record_appointment_outcome(WORKER, client_id, appointment, "cancelled")
    procedure = guidance.start_procedure(WORKER, client_id, "rehabilitation", LONG_AGO)
    guidance.record_procedure_step(WORKER, client_id, procedure, words["procedure_step"], NOW.date())
    guidance.end_procedure(WORKER, client_id, procedure, "granted", NOW.date())
    member = guidance.add_network_member(WORKER, client_id, "partner", words["known_as"])
    guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "visit", words["contact_note"])
    guidance.prepare_return_home(WORKER, client_id, member, {
        "starts": NOW + dt.timedelta(days=7), "ends": NOW + dt.timedelta(days=9)}, words["return_home_note"])
    guidance.issue_attendance_certificate(WORKER, client_id, "nl", "court", NOW.date() - dt.timedelta(days=1),
                                          NOW.date(), words["person_name"])
    clock.now = NOW + dt.timedelta(days=1)
    guidance.check_time()  # the condition's period ends within two weeks
    clock.now = NOW + dt.timedelta(days=22)
    guidance.check_time()  # no contact for longer than a fortnight and the grace period
    guidance.close_trajectory(WORKER, client_id, "moved", words["summary"])
    guidance.reopen_trajectory(COORDINATOR, client_id, words["reopen_reason"])
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", INTERPRETER)
    sync()
    guidance.trajectory(COORDINATOR, client_id, "complaint", words["purpose_detail"])
    guidance.take_snapshot(guidance.current_trajectory(client_id).id)  # a snapshot, sealed whole
    return client_id


def shown_words(answer: dict, words: dict) -> set[str]:
    text = str(answer)
    return {word for word, marker in words.items() if marker in text}


def test_every_personal_field_is_sealed_on_disk_and_opens_again(world, clock, tmp_path):
    _, guidance, _ = world
    client_id = guide(world, clock, ERASED)
    disk = on_disk(tmp_path)
    assert (tmp_path / "guidance-keys.sqlite").exists()  # the keys, apart from the events
    for marker in (*ERASED.values(), *PERSONAL_CODES, LONG_AGO.isoformat()):
        assert marker.encode() not in disk, marker
    assert len(guidance.recorder.select_notifications(0, 1000)) > 20  # the files scanned hold them all

    reopened = reopen(tmp_path, clock)
    answer = reopened.trajectory(WORKER, client_id)  # on the case: the notes too
    assert shown_words(answer, ERASED) == set(WORDS) - {"person_name", "purpose_detail"}  # neither is shown
    assert (answer["legal_position"], answer["situation"], answer["languages"]) == (
        "convicted", "probation", ["fr", "ar"])
    assert answer["interpreter"] == INTERPRETER and answer["plan"]["intensity"] == "fortnightly"
    assert answer["conditions"][0]["authority"] == "sentence_enforcement_court"
    assert answer["procedures"][0]["kind"] == "rehabilitation"
    assert answer["procedures"][0]["started"] == LONG_AGO.isoformat()
    assert answer["network"][0]["contacts"][1]["until"] == (NOW + dt.timedelta(days=9)).isoformat()
    assert answer["attendance_certificates"][0]["dates"] == [(NOW - dt.timedelta(hours=1)).date().isoformat()]
    assert reopened.client_on_record(client_id).languages == ["fr", "ar"]
    assert list(chain.verify(reopened.recorder)) == []


def test_shredded_keys_erase_the_personal_fields_and_the_service_keeps_answering(world, clock, tmp_path):
    erased = guide(world, clock, ERASED)
    kept = guide(world, clock, KEPT)
    _, guidance, _ = world
    shredded = guidance.data_keys.shred(erased, list(RETENTION_CLASSES), "erasure 2026/9")
    assert sorted(shredded) == sorted(RETENTION_CLASSES)

    reopened = reopen(tmp_path, clock)
    for notification in reopened.recorder.select_notifications(0, 1000):  # every record still loads
        reopened.repository.get(reopened.mapper.to_domain_event(notification).originator_id)
    answer = reopened.trajectory(COORDINATOR, erased, "data_protection", "erasure check")
    assert shown_words(answer, ERASED) == set()
    assert (answer["legal_position"], answer["situation"], answer["languages"], answer["interpreter"],
            answer["domains"]) == (None, None, [], None, [])
    assert answer["plan"] == {"goals": None, "intensity": None, "expected_weeks": None}
    assert answer["next_contact_due"] is None
    assert [h["reason"] for h in answer["plan_history"]] == ["agreed", None]
    (shown,) = answer["interventions"]
    assert (shown["note"], shown["next_steps"], shown["sub_kind"], shown["domains"], shown["interpreter"]) == (
        None, None, None, [], None)
    assert (shown["minutes"], shown["method"]) == (45, "listening_support")  # not personal: counted still
    assert answer["psychologist_recommendations"] == [{"reason": None, "by": "apo-sa-1"}]
    (condition,) = answer["conditions"]
    assert {k: condition[k] for k in ("kind", "description", "starts", "ends", "authority")} == dict.fromkeys(
        ("kind", "description", "starts", "ends", "authority"))
    assert condition["support"] == [{"support": None, "on": None, "by": "apo-sa-1"}]
    (appointment,) = answer["appointments"]
    assert {k: appointment[k] for k in ("at", "with_actor", "purpose", "leave_permit", "outcome")} == dict.fromkeys(
        ("at", "with_actor", "purpose", "leave_permit", "outcome"))
    (procedure,) = answer["procedures"]
    assert (procedure["kind"], procedure["started"], procedure["steps"], procedure["outcome"]) == (
        None, None, [{"step": None, "on": None}], {"outcome": None, "on": None})
    (member,) = answer["network"]
    assert (member["relation"], member["known_as"]) == (None, None)
    assert [(c["on"], c["kind"], c["note"]) for c in member["contacts"]] == [
        (None, None, None), (None, "return_home_preparation", None)]
    assert [(c["dates"], c["recipient"]) for c in answer["attendance_certificates"]] == [(None, None)]
    assert [(c["reason"], c["summary"], c["reopened_because"]) for c in answer["closings"]] == [(None, None, None)]
    assert len(answer["continuity_gaps"]) == 1  # when a contact was due is not personal
    assert reopened.client_on_record(erased).languages == []
    assert reopened.client_on_record(erased).legal_position is None
    assert erased in [uuid.UUID(row["client_id"]) for row in reopened.caseload(COORDINATOR)]
    figures = reopened.activity(COORDINATOR, NOW.date() - dt.timedelta(days=1), NOW.date())
    assert (figures["interventions"], figures["by_domain"]) == (2, {"housing": 1})  # the erased one in no domain
    clock.now = NOW + dt.timedelta(days=60)
    reopened.check_time()
    # A follower pulling a gap still reads every position: what the erased client's facts
    # published reads as erased, what holds nothing personal as it was.
    published = [e for e in Outbox(reopened).read(0, 1000, streams=STREAMS) if e["subject"] == str(erased)]
    types = {e["type"].split(".")[3] for e in published}
    assert {"fact-erased", "continuity-gap", "trajectory-worker-changed"} <= types
    assert not types & {"intervention-recorded", "psychologist-recommended", "appointment-planned"}
    assert shown_words({"published": published}, ERASED) == set()
    # A shredded key is never made again: what is recorded afterwards is stored erased.
    reopened.record_intervention(WORKER, erased, **intervention_args(clock.now - dt.timedelta(hours=1),
                                                                     note="Zq7late note"))
    assert reopened.trajectory(WORKER, erased)["interventions"][-1]["note"] is None
    assert b"Zq7late" not in on_disk(tmp_path)

    intact = reopened.trajectory(WORKER, kept)
    assert shown_words(intact, KEPT) == set(WORDS) - {"person_name", "purpose_detail"}
    assert intact["languages"] == ["fr", "ar"] and intact["plan"]["intensity"] == "fortnightly"
    assert list(chain.verify(reopened.recorder)) == []


# -- every personal field is sealed: read off the declarations -------------------------------

# Every domain event of guidance that holds nothing personal, and the fact it records.
NOTHING_PERSONAL = {
    ClientOnRecord.TrajectoryFollowed: facts.ClientTrajectory,
    ClientOnRecord.FamilyConsentNoted: facts.FamilyConsent,
    ClientOnRecord.LegalHoldNoted: facts.LegalHold,
    ClientOnRecord.TransferConsentNoted: facts.TransferConsent,
    ClientOnRecord.TransferNoted: facts.TransferOnRecord,
    Trajectory.InterventionNoted: facts.InterventionNoted,
    Trajectory.InterventionCorrectionNoted: facts.InterventionCorrectionNoted,
    Trajectory.InterventionRetractionNoted: facts.InterventionRetractionNoted,
    Trajectory.ContinuityGapRaised: facts.ContinuityGap,
    Trajectory.PlanReviewDue: facts.PlanReviewDue,
    Network.Started: facts.NetworkStart,
}
DECLARED = {**SEALED, **NOTHING_PERSONAL}
# An attribute whose name another guidance fact declares personal, but which is not
# personal here, and why.
NOT_PERSONAL_HERE = {
    # When a contact happened is declared with the intervention (facts.Intervention.at):
    # published, and counted in the activity figures after an erasure. An appointment's
    # time is personal.
    (Intervention.Recorded, "at"), (Trajectory.InterventionNoted, "at"),
    (Intervention.Amended, "at"), (Trajectory.InterventionCorrectionNoted, "at"),
    # A transfer consent's recipient is an agency, and a transfer's time is its envelope's,
    # as intake publishes them (shared.contracts.intake.ConsentGiven, Transfer).
    (ClientOnRecord.TransferConsentNoted, "recipient"), (ClientOnRecord.TransferNoted, "at"),
}


def guidance_events() -> list[type]:
    """Every domain event class of every aggregate of guidance's domain."""
    found = []
    for aggregate in (v for v in vars(domain).values() if isinstance(v, type) and issubclass(v, Aggregate)):
        classes = [v for v in vars(aggregate).values() if isinstance(v, type) and issubclass(v, DomainEvent)]
        # The classes every aggregate gets are no fact of their own: its Event (the base
        # of all), and its Created where another event creates it.
        created = [c for c in classes if issubclass(c, Aggregate.Created) and c.__name__ != "Created"]
        found += [c for c in classes if c.__name__ != "Event" and not (c.__name__ == "Created" and created)]
    return found


def guidance_facts() -> list[type]:
    """Every fact declared in guidance's contracts, and every version it publishes."""
    declared = [v for v in vars(facts).values() if isinstance(v, type) and issubclass(v, Fact) and v is not Fact]
    return declared + [s for name, s in CATALOGUE.items() if name.startswith("be.jww.guidance.")]


PERSONAL_NAMES = {name for fact in guidance_facts() for name in personal_fields(fact)}


def test_every_guidance_event_is_declared_and_every_declared_one_is_guidance_s():
    events = guidance_events()
    assert len(events) == len(set(events))
    assert {Trajectory.Opened, Intervention.Recorded, Network.ReturnHomePrepared, ClientOnRecord.Recorded} <= set(
        events)
    assert set(events) == set(DECLARED)


@pytest.mark.parametrize("event_class", guidance_events(), ids=lambda c: c.__qualname__)
def test_every_guidance_event_records_a_declared_fact(event_class):
    assert event_class in DECLARED, f"declare the fact {event_class.__qualname__} records"
    assert event_fields(event_class) == declared_names(DECLARED[event_class])


@pytest.mark.parametrize("event_class", guidance_events(), ids=lambda c: c.__qualname__)
def test_every_guidance_event_with_a_personal_field_is_sealed(event_class):
    personal = {n for n in event_fields(event_class) & PERSONAL_NAMES if (event_class, n) not in NOT_PERSONAL_HERE}
    if event_class in DECLARED:
        personal |= set(personal_fields(DECLARED[event_class]))
    if event_class in PUBLICATIONS:  # what it publishes as it holds it (a derived value comes from one)
        publish = PUBLICATIONS[event_class]
        personal |= set(personal_fields(publish.schema)) & set(publish.reads)
    if personal:
        assert event_class in SEALED, f"{event_class.__qualname__} holds {sorted(personal)}: seal it"
        assert personal <= set(personal_fields(SEALED[event_class])), event_class.__qualname__
        assert "client_id" in event_fields(event_class)  # whose keys seal it
    else:
        assert event_class not in SEALED


def test_the_application_seals_guidance_s_events_and_its_file_reads():
    assert GuidanceApplication.sealed == {**SEALED, **access_log.SEALED}


def test_what_a_worker_wrote_is_personal_and_stays_in_guidance():
    words = {
        facts.PlanReview: {"goals", "reason"}, facts.PsychologistRecommendation: {"reason"},
        facts.Closing: {"summary"}, facts.Reopening: {"reason"}, facts.Condition: {"description"},
        facts.ConditionSupport: {"support"}, facts.AppointmentPlanning: {"purpose"}, facts.ProcedureStep: {"step"},
        facts.NetworkMember: {"known_as"}, facts.NetworkContact: {"note"}, facts.ReturnHomePreparation: {"note"},
        facts.Intervention: {"note", "next_steps"},
    }
    for fact, names in words.items():
        assert names <= names_where(fact, personal=True, published=False), fact.__name__
    # What was said in a conversation is kept as case notes, the shortest.
    for fact in (facts.Intervention, facts.NetworkContact, facts.ReturnHomePreparation):
        assert {"note"} <= names_where(fact, retention="case_notes"), fact.__name__
    for fact in {*DECLARED.values()}:
        for by in {n for n in fact._declared_fields if n.endswith("_by") and n != "accompanied_by"}:
            assert names_where(fact, retention="directory") >= {by}, (fact.__name__, by)
