"""Corrections on a client's file (issue 20): where the client stands and how to reach
them change from a date, with a history; a declined intake, or that of a client whose
trajectory closed, is reopened; a closed client's file takes no correction until a
coordinator reopens. Each is a new fact, the original stays in the history."""
import datetime as dt
import uuid

import pytest

from services.intake.domain import (
    Candidate, Client, ClientErased, EffectiveBeforeLastChange, EffectiveBeforeRegistration, EffectiveInTheFuture,
    IntakeNotReopenable, NothingChanges, NothingToChange, TrajectoryClosed,
)
from services.intake.integration import PUBLICATIONS, SEALED
from shared.contracts import intake as contracts
from shared.contracts.declare import personal_fields
from shared.errors import Forbidden
from shared.outbox import Outbox
from tests.support.declarations import declared_names, event_fields, names_where
from tests.support.feeds import GuidanceFeed
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.intake.registered import CONTACT, registered

OTHER_COORDINATOR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}
DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
COURT = {"kind": "sentence_enforcement_court", "name": "Chamber 12"}


def on_registration_day(client: Client) -> dt.date:
    return client.created_on.date()


# -- the aggregate's rules ---------------------------------------------------------------

def test_a_change_of_situation_is_current_and_keeps_what_it_was_in_the_history():
    client = registered()  # convicted, on probation
    day = on_registration_day(client)
    changed = client.change_legal_situation(day, "the court granted conditional release", changed_by=WORKER,
                                            today=day, situation="conditional_release")
    assert changed == ["situation"]
    assert (client.legal_position, client.situation) == ("convicted", "conditional_release")
    (entry,) = client.legal_situation_history
    assert entry["effective_from"] == day and entry["changed"] == ["situation"]
    assert (entry["from"], entry["to"]) == ({"situation": "probation"}, {"situation": "conditional_release"})
    assert entry["by"] == WORKER and entry["reason"] == "the court granted conditional release"
    assert entry["recorded"] == client.modified_on


def test_only_what_differs_from_the_file_counts_as_changed():
    client = registered(legal_position="interned", situation="internee_on_leave")
    day = on_registration_day(client)
    changed = client.change_legal_situation(day, "released on trial", changed_by=WORKER, today=day,
                                            legal_position="interned", situation="released_internee_on_trial",
                                            mandating_actor=COURT)
    assert changed == ["situation", "mandating_actor"]
    (event,) = [e for e in client.pending_events if isinstance(e, Client.LegalSituationChanged)]
    assert (event.legal_position, event.situation, event.mandating_actor) == (
        "interned", "released_internee_on_trial", COURT)


def test_a_change_that_changes_nothing_is_refused_naming_each_field():
    client = registered()
    day = on_registration_day(client)
    with pytest.raises(NothingChanges) as refused:
        client.change_legal_situation(day, "nothing new", changed_by=WORKER, today=day, legal_position="convicted",
                                      situation="probation")
    assert set(refused.value.details) == {"legal_position", "situation"}
    with pytest.raises(NothingToChange) as refused:
        client.change_legal_situation(day, "nothing given", changed_by=WORKER, today=day)
    assert set(refused.value.details) == {"legal_position", "situation", "mandating_actor"}
    with pytest.raises(NothingChanges) as refused:
        client.change_contact(day, dict(CONTACT), "", changed_by=WORKER, today=day)
    assert set(refused.value.details) == {"contact"}
    assert not [e for e in client.pending_events if not isinstance(e, Client.Registered)]


def test_a_change_takes_effect_today_or_earlier_but_not_before_the_registration():
    client = registered()
    day = on_registration_day(client)
    with pytest.raises(EffectiveInTheFuture) as refused:
        client.change_legal_situation(day + dt.timedelta(days=1), "ahead", changed_by=WORKER, today=day,
                                      situation="conditional_release")
    assert "effective_from" in refused.value.details
    with pytest.raises(EffectiveBeforeRegistration) as refused:
        client.change_contact(day - dt.timedelta(days=1), {"phone": "+32 470 00 00 00"}, "", changed_by=WORKER,
                              today=day)
    assert refused.value.details == {"effective_from": [f"before the registration on {day.isoformat()}"]}
    # Learnt late: recorded days after it took effect.
    client.change_legal_situation(day, "learnt a week later", changed_by=WORKER, today=day + dt.timedelta(days=7),
                                  situation="conditional_release")
    assert client.situation == "conditional_release"


def test_a_change_cannot_take_effect_before_the_last_one_which_stands():
    client = registered()
    day = on_registration_day(client)
    later = day + dt.timedelta(days=10)
    client.change_legal_situation(later, "released", changed_by=WORKER, today=later, situation="conditional_release")
    with pytest.raises(EffectiveBeforeLastChange) as refused:
        client.change_legal_situation(day + dt.timedelta(days=3), "earlier", changed_by=WORKER, today=later,
                                      situation="electronic_monitoring")
    assert refused.value.details == {"effective_from": [f"before the last change, effective {later.isoformat()}"]}
    # The contact details have a history of their own.
    client.change_contact(day + dt.timedelta(days=3), {"phone": "+32 470 00 00 00"}, "new phone", changed_by=WORKER,
                          today=later)
    assert client.contact == {"phone": "+32 470 00 00 00"}
    assert [c["effective_from"] for c in client.contact_history] == [day + dt.timedelta(days=3)]


def test_new_contact_details_replace_the_old_whole():
    client = registered()
    day = on_registration_day(client)
    client.change_contact(day, {"email": "samira@example.org"}, "moved", changed_by=WORKER, today=day)
    assert client.contact == {"email": "samira@example.org"}
    (entry,) = client.contact_history
    assert (entry["contact"], entry["reason"], entry["by"]) == ({"email": "samira@example.org"}, "moved", WORKER)


def test_a_declined_intake_reopens_into_the_queue_and_others_are_refused_naming_their_status():
    client = registered()
    with pytest.raises(IntakeNotReopenable) as refused:
        client.reopen_intake("again", reopened_by=COORDINATOR)
    assert refused.value.details == {"status": ["registered: waiting for an intake decision already"]}
    client.decline("client_withdrew", "", decided_by=COORDINATOR)
    client.reopen_intake("she came back", reopened_by=COORDINATOR)
    assert client.status == "registered"
    assert client.decisions[-1] == {"decision": "reopened", "agency": "apo", "note": "she came back",
                                    "by": COORDINATOR}
    (event,) = [e for e in client.pending_events if isinstance(e, Client.IntakeReopened)]
    assert event.previous_status == "declined"
    client.waitlist(decided_by=COORDINATOR)  # a decision can be taken again
    with pytest.raises(IntakeNotReopenable) as refused:
        client.reopen_intake("again", reopened_by=COORDINATOR)
    assert refused.value.details == {"status": ["waitlisted at apo: waiting for an intake decision already"]}


def test_an_erased_client_takes_no_correction():
    client = registered()
    client.decline("client_withdrew", "", decided_by=COORDINATOR)
    day = on_registration_day(client)
    for attempt in (lambda: client.reopen_intake("again", reopened_by=COORDINATOR, erased=True),
                    lambda: client.change_legal_situation(day, "x y z", changed_by=WORKER, today=day, erased=True,
                                                          situation="conditional_release"),
                    lambda: client.change_contact(day, {}, "", changed_by=WORKER, today=day, erased=True)):
        with pytest.raises(ClientErased) as refused:
            attempt()
        assert refused.value.details == {"client_id": ["erased"]}


def test_a_closed_client_takes_no_correction_until_the_trajectory_or_the_intake_is_reopened():
    client = registered()
    day = on_registration_day(client)
    client.accept(accepted_by_apo_sa_1(), None, decided_by=COORDINATOR)
    closed = uuid.uuid4()
    assert not client.note_guidance_ended("dsr", closed)  # another agency's trajectory: not this file's
    assert client.note_guidance_ended("apo", closed)
    assert not client.note_guidance_ended("apo", closed)  # told again: noted once
    for attempt in (lambda: client.change_legal_situation(day, "x y z", changed_by=WORKER, today=day,
                                                          situation="conditional_release"),
                    lambda: client.change_contact(day, {"phone": "+32 2 000 00 00"}, "", changed_by=WORKER,
                                                  today=day)):
        with pytest.raises(TrajectoryClosed) as refused:
            attempt()
        assert refused.value.details == {"status": ["trajectory closed"]}
    assert client.note_guidance_resumed(closed)  # a coordinator reopened it in guidance
    client.change_contact(day, {"phone": "+32 2 000 00 00"}, "new phone", changed_by=WORKER, today=day)
    client.note_guidance_ended("apo", closed)
    client.reopen_intake("she asks for help again", reopened_by=COORDINATOR)
    assert (client.status, client.worker, client.closed_trajectory) == ("registered", None, None)
    (event,) = [e for e in client.pending_events if isinstance(e, Client.IntakeReopenedAfterClosing)]
    assert (event.trajectory_id, event.reason) == (closed, "she asks for help again")
    client.change_legal_situation(day, "released on trial", changed_by=WORKER, today=day,
                                  situation="conditional_release")


def accepted_by_apo_sa_1() -> Candidate:
    return Candidate("apo-sa-1", "apo", available=True, languages=frozenset({"fr", "nl"}), telephone_interpreters=True)


# -- declarations, sealing, publication ---------------------------------------------------

FACTS = {Client.LegalSituationChanged: contracts.LegalSituationChange,
         Client.ContactDetailsChanged: contracts.ContactDetailsChange,
         Client.IntakeReopened: contracts.IntakeReopening,
         Client.IntakeReopenedAfterClosing: contracts.IntakeReopeningAfterClosing}


@pytest.mark.parametrize("event_class", list(FACTS), ids=lambda c: c.__qualname__)
def test_each_correction_carries_exactly_its_declaration_and_is_sealed(event_class):
    assert event_fields(event_class) == declared_names(FACTS[event_class])
    assert SEALED[event_class] is FACTS[event_class] and personal_fields(FACTS[event_class])


def test_what_a_correction_publishes_follows_the_registration_and_the_acceptance():
    assert names_where(contracts.LegalSituationChange, published=True) == {
        "client_id", "agency", "effective_from", "legal_position", "situation", "changed"}
    assert names_where(contracts.ContactDetailsChange, published=True) == {"client_id", "agency", "effective_from"}
    assert names_where(contracts.IntakeReopening, published=True) == {"client_id", "agency", "previous_status"}
    assert names_where(contracts.IntakeReopeningAfterClosing, published=True) == {
        "client_id", "agency", "trajectory_id"}
    assert {PUBLICATIONS[kind].schema.fact for kind in FACTS} == {
        "legal-situation-changed", "contact-details-changed", "intake-reopened", "intake-reopened-after-closing"}


@pytest.mark.parametrize("event_class", [Client.GuidanceEnded, Client.GuidanceResumed], ids=lambda c: c.__qualname__)
def test_what_intake_learns_from_guidance_is_declared_names_no_one_and_stays_in_intake(event_class):
    assert event_fields(event_class) == declared_names(contracts.GuidanceEnding)
    assert not personal_fields(contracts.GuidanceEnding) and event_class not in PUBLICATIONS


# -- the use cases ------------------------------------------------------------------------

def test_a_worker_records_a_change_of_situation_that_the_file_shows_with_its_history(intake, register, published):
    client_id = register()
    today = intake.today()
    answer = intake.change_legal_situation(WORKER, client_id, today, "decision of the court",
                                           situation="conditional_release", mandating_actor=COURT)
    assert answer == {"client_id": str(client_id), "version": 2, "changed": ["situation", "mandating_actor"]}
    intake.change_contact_details(WORKER, client_id, today, {"phone": "+32 470 11 22 33"}, "new phone")
    file = intake.client_file(WORKER, client_id)
    assert (file["situation"], file["mandating_actor"]) == ("conditional_release", COURT)
    assert file["personal"]["contact"] == {"phone": "+32 470 11 22 33"}
    (change,) = file["legal_situation_history"]
    assert change["effective_from"] == today.isoformat() and change["to"]["situation"] == "conditional_release"
    assert change["from"] == {"situation": "probation", "mandating_actor": None}
    (contact,) = file["contact_history"]
    assert (contact["effective_from"], contact["reason"]) == (today.isoformat(), "new phone")
    assert published()[-2:] == ["legal-situation-changed", "contact-details-changed"]
    events = Outbox(intake).read(0, 100)
    situation, contact_changed = events[-2]["data"], events[-1]["data"]
    assert (situation["legal_position"], situation["situation"], situation["effective_from"]) == (
        "convicted", "conditional_release", today.isoformat())
    assert "mandating_actor" not in situation and "reason" not in situation
    assert set(contact_changed) == {"client_id", "agency", "effective_from"}


def test_a_change_in_the_future_is_refused_and_changes_nothing(intake, register):
    client_id = register()
    with pytest.raises(EffectiveInTheFuture):
        intake.change_legal_situation(WORKER, client_id, intake.today() + dt.timedelta(days=1), "ahead",
                                      situation="conditional_release")
    assert intake.client_file(WORKER, client_id)["version"] == 1


def test_corrections_are_for_the_roles_that_register_and_decide_in_the_client_s_agency(intake, register):
    client_id = register()
    today = intake.today()
    with pytest.raises(Forbidden):
        intake.change_legal_situation(OTHER_COORDINATOR, client_id, today, "elsewhere", situation="probation")
    with pytest.raises(Forbidden):
        intake.change_contact_details(OTHER_COORDINATOR, client_id, today, {"phone": "+32 470 11 22 33"})
    intake.decline(COORDINATOR, client_id, "client_withdrew")
    with pytest.raises(Forbidden):
        intake.reopen_intake(WORKER, client_id, "a worker does not decide the intake")
    with pytest.raises(Forbidden):
        intake.reopen_intake(OTHER_COORDINATOR, client_id, "another agency does not decide it")
    assert intake.client_file(WORKER, client_id)["status"] == "declined"


def test_a_reopened_intake_waits_for_the_coordinator_s_decision_again(intake, register, published):
    client_id = register()
    intake.decline(COORDINATOR, client_id, "not_reachable")
    assert str(client_id) not in {p["client_id"] for p in intake.pending_intakes(COORDINATOR, "apo")}
    assert intake.reopen_intake(COORDINATOR, client_id, "she called back") == {
        "client_id": str(client_id), "status": "registered"}
    assert str(client_id) in {p["client_id"] for p in intake.pending_intakes(COORDINATOR, "apo")}
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    file = intake.client_file(WORKER, client_id)
    assert file["status"] == "accepted"
    assert [d["decision"] for d in file["decisions"]] == ["declined", "reopened", "accepted"]
    assert published()[-2:] == ["intake-reopened", "intake-accepted"]
    with pytest.raises(IntakeNotReopenable) as refused:
        intake.reopen_intake(COORDINATOR, client_id, "guided now")
    assert refused.value.details == {"status": ["accepted: guided at apo by apo-sa-1"]}


def test_a_reopened_intake_is_no_longer_due_for_the_declined_retention_rule(intake, register):
    client_id = register()
    intake.decline(COORDINATOR, client_id, "client_withdrew")
    intake.reopen_intake(COORDINATOR, client_id, "she came back")
    later = dt.datetime.now(dt.timezone.utc) + intake.declined_retention + dt.timedelta(days=1)
    assert str(client_id) not in {due["client_id"] for due in intake.own_retention_due(later)}


def test_an_erased_client_s_intake_is_not_reopened(intake, register):
    client_id = register()
    intake.decline(COORDINATOR, client_id, "client_withdrew")
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    intake.approve_erasure(DPO, client_id)
    with pytest.raises(ClientErased):
        intake.reopen_intake(COORDINATOR, client_id, "she came back")
    with pytest.raises(ClientErased):
        intake.change_legal_situation(WORKER, client_id, intake.today(), "too late", situation="probation")


# -- what guidance tells intake ------------------------------------------------------------

def test_a_client_whose_trajectory_closed_comes_back_through_a_new_intake(intake, register, published):
    client_id = register()
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    guidance, trajectory = GuidanceFeed(intake), uuid.uuid4()
    assert guidance.closed(client_id, trajectory) == "applied", guidance.dead_letters
    file = intake.client_file(WORKER, client_id)
    assert (file["status"], file["trajectory_closed"]) == ("accepted", True)
    with pytest.raises(TrajectoryClosed):
        intake.change_legal_situation(WORKER, client_id, intake.today(), "too late", situation="conditional_release")
    with pytest.raises(TrajectoryClosed):
        intake.change_contact_details(WORKER, client_id, intake.today(), {"phone": "+32 2 000 00 00"})
    assert intake.reopen_intake(COORDINATOR, client_id, "a new conviction, she asks for help") == {
        "client_id": str(client_id), "status": "registered"}
    assert str(client_id) in {p["client_id"] for p in intake.pending_intakes(COORDINATOR, "apo")}
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    file = intake.client_file(WORKER, client_id)
    assert [d["decision"] for d in file["decisions"]] == ["accepted", "reopened", "accepted"]
    assert not file["trajectory_closed"]
    assert published()[-2:] == ["intake-reopened-after-closing", "intake-accepted"]
    intake.change_legal_situation(WORKER, client_id, intake.today(), "released on trial",
                                  situation="conditional_release")


def test_a_reopened_trajectory_lifts_the_bar_and_a_closing_on_transfer_sets_none(intake, register):
    client_id = register()
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    guidance, trajectory = GuidanceFeed(intake), uuid.uuid4()
    guidance.closed(client_id, trajectory, reason="not_reachable")
    guidance.reopened(client_id, trajectory)
    assert not intake.client_file(WORKER, client_id)["trajectory_closed"]
    intake.change_contact_details(WORKER, client_id, intake.today(), {"phone": "+32 2 000 00 00"}, "new phone")
    guidance.closed(client_id, trajectory, reason="transferred")  # intake's own decision
    assert not intake.client_file(WORKER, client_id)["trajectory_closed"]
    with pytest.raises(IntakeNotReopenable):
        intake.reopen_intake(COORDINATOR, client_id, "guided now")
