"""Intake's rules, on the aggregates themselves: no application, no store."""
import uuid

import pytest

from services.intake.domain import (
    ACCEPTED, DECLINED, OPEN, WAITLISTED, AlreadyAssigned, AlreadyOnStaff, AlreadyWithAgency, Agency, Client,
    Consent, DecisionNotAllowed, FileChanged, InterpreterLanguage, NoCommonLanguage, NoConsentInForce, NoSuchWorker,
    NoTelephoneInterpreters, NoTransferConsent, NotOnStaff,
)
from shared.domain import Invalid, NotNow, NotPermitted, Unknown
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.intake.registered import registered

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
PRESENT_AR = {"language": "ar", "kind": "present"}


def agency(code="apo", telephone_interpreters=True) -> Agency:
    the_agency = Agency(code=code, name=code.upper(), languages=["nl", "fr", "ar", "en"],
                        telephone_interpreters=telephone_interpreters, sample=True, registered_by=ADMIN)
    the_agency.add_staff_member(f"{code}-sa-1", "S. One", "social_assistant", ["fr", "ar"], added_by=ADMIN)
    the_agency.add_staff_member(f"{code}-crim-1", "C. One", "criminologist", ["nl", "en"], added_by=ADMIN)
    return the_agency


def client(languages=("ar",)) -> Client:
    return registered(languages=list(languages), preferred_language=languages[0], interpreter_needed=False)


def accepted(languages=("ar",)) -> Client:
    the_client = client(languages)
    the_client.accept(agency().candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    return the_client


def last_event(aggregate):
    return aggregate.pending_events[-1]


# -- the client file --------------------------------------------------------------------

def test_every_event_of_a_client_names_the_client_and_its_agency():
    the_client = client(("fr", "ar"))
    the_client.record_languages(1, ["fr"], "fr", True, recorded_by=WORKER)
    the_client.receive_help_request(uuid.uuid4(), "self", ["housing"], "?", "normal", received_by=WORKER)
    the_client.accept(agency().candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    assert len(the_client.pending_events) == 4
    assert all((e.client_id, e.agency) == (the_client.id, "apo") for e in the_client.pending_events)


def test_languages_are_recorded_on_the_version_the_caller_read():
    the_client = client()
    the_client.record_languages(1, ["fr", "nl"], "nl", False, recorded_by=WORKER)
    assert (the_client.languages, the_client.preferred_language, the_client.version) == (["fr", "nl"], "nl", 2)
    with pytest.raises(FileChanged) as refused:
        the_client.record_languages(1, ["fr"], "fr", False, recorded_by=WORKER)
    assert isinstance(refused.value, NotNow)
    assert refused.value.message == "the client file changed since you read it; reload it and try again"
    assert refused.value.details == {"expected_version": ["the file is at version 2"]}


def test_an_accepted_intake_holds_the_case_as_it_stood():
    the_client = client()
    the_client.receive_help_request(uuid.uuid4(), "lawyer", ["work", "housing"], "?", "high", received_by=WORKER)
    the_client.accept(agency().candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    event = last_event(the_client)
    assert (event.agency, event.worker, event.interpreter, event.situation) == ("apo", "apo-sa-1", None, "probation")
    assert (event.languages, event.domains) == (["ar"], ["housing", "work"])
    assert (the_client.status, the_client.worker) == (ACCEPTED, "apo-sa-1")


@pytest.mark.parametrize("decide, to", [
    (lambda c: c.accept(agency().candidate("apo-sa-1"), None, decided_by=COORDINATOR), "accepted"),
    (lambda c: c.decline("client_withdrew", "", decided_by=COORDINATOR), "declined"),
    (lambda c: c.waitlist(decided_by=COORDINATOR), "waitlisted"),
])
def test_a_decision_is_taken_on_an_open_intake_once(decide, to):
    the_client = client()
    decide(the_client)
    before = the_client.version
    with pytest.raises(DecisionNotAllowed) as refused:
        decide(the_client)
    assert isinstance(refused.value, NotNow) and the_client.version == before
    assert refused.value.message == f"a client whose intake is {the_client.status} cannot be {to}"
    assert refused.value.details == {"status": [the_client.status]}


def test_a_waiting_client_is_accepted_or_declined_later():
    waiting, also_waiting = client(), client()
    for the_client in (waiting, also_waiting):
        the_client.waitlist(decided_by=COORDINATOR)
        assert the_client.status == WAITLISTED
    waiting.accept(agency().candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    also_waiting.decline("not_reachable", "three letters", decided_by=COORDINATOR)
    assert (waiting.status, also_waiting.status) == (ACCEPTED, DECLINED)
    assert also_waiting.decisions[-1] == {"decision": DECLINED, "reason": "not_reachable", "note": "three letters",
                                          "by": COORDINATOR}


def test_a_worker_must_be_active_in_the_agency_with_a_casework_profile():
    directory = agency()
    directory.add_staff_member("apo-audit", "A. Udit", "auditor", ["ar"], added_by=ADMIN)
    directory.deactivate_staff_member("apo-sa-1", deactivated_by=ADMIN)
    for worker in ("nobody", "apo-sa-1", "apo-audit"):
        with pytest.raises(NoSuchWorker) as refused:
            client().accept(directory.candidate(worker), None, decided_by=COORDINATOR)
        assert isinstance(refused.value, Invalid)
        assert refused.value.details == {"worker": ["not active at apo"]}


def test_a_worker_without_a_common_language_needs_an_interpreter_in_the_clients_language():
    crim = agency().candidate("apo-crim-1")  # speaks nl and en
    with pytest.raises(NoCommonLanguage) as refused:
        client().accept(crim, None, decided_by=COORDINATOR)
    assert isinstance(refused.value, NotNow) and "interpreter" in refused.value.message
    assert refused.value.details == {"worker": ["speaks en, nl; the client speaks ar"]}
    with pytest.raises(InterpreterLanguage) as refused:
        client().accept(crim, {"language": "tr", "kind": "present"}, decided_by=COORDINATOR)
    assert isinstance(refused.value, Invalid)
    assert refused.value.details == {"interpreter.language": ["the client speaks ar"]}
    the_client = client()
    the_client.accept(crim, PRESENT_AR, decided_by=COORDINATOR)
    assert the_client.interpreter == PRESENT_AR


def test_a_telephone_interpreter_only_where_the_agency_has_them():
    telephone = {"language": "ar", "kind": "telephone"}
    with pytest.raises(NoTelephoneInterpreters) as refused:
        client().accept(agency(telephone_interpreters=False).candidate("apo-crim-1"), telephone, decided_by=COORDINATOR)
    assert isinstance(refused.value, NotNow)
    assert refused.value.details == {"interpreter.kind": ["apo has no telephone interpreters"]}
    the_client = client()
    the_client.accept(agency().candidate("apo-crim-1"), telephone, decided_by=COORDINATOR)
    assert the_client.interpreter == telephone


def test_reassignment_is_to_another_worker_of_an_accepted_client():
    with pytest.raises(DecisionNotAllowed) as refused:
        client().reassign(agency().candidate("apo-crim-1"), PRESENT_AR, decided_by=COORDINATOR)
    assert refused.value.details == {"status": [OPEN]}
    the_client = accepted()
    with pytest.raises(AlreadyAssigned) as refused:
        the_client.reassign(agency().candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    assert isinstance(refused.value, NotNow) and refused.value.details == {"worker": ["apo-sa-1"]}
    the_client.reassign(agency().candidate("apo-crim-1"), PRESENT_AR, decided_by=COORDINATOR)
    event = last_event(the_client)
    assert (event.from_worker, event.worker, event.interpreter, event.agency) == (
        "apo-sa-1", "apo-crim-1", PRESENT_AR, "apo")


def test_a_transfer_needs_a_decided_intake_another_agency_and_the_clients_consent():
    consent_id = uuid.uuid4()
    with pytest.raises(DecisionNotAllowed):
        client().transfer("dsr", consent_id, None, None, decided_by=COORDINATOR)
    the_client = accepted()
    with pytest.raises(AlreadyWithAgency) as refused:
        the_client.transfer("apo", consent_id, None, None, decided_by=COORDINATOR)
    assert isinstance(refused.value, NotNow) and refused.value.details == {"to_agency": ["apo"]}
    with pytest.raises(NoTransferConsent) as refused:
        the_client.transfer("dsr", None, None, None, decided_by=COORDINATOR)
    assert isinstance(refused.value, NotPermitted)
    assert refused.value.details == {"consent": ["no consent in force for recipient dsr, purpose transfer"]}
    the_client.transfer("dsr", consent_id, None, None, decided_by=COORDINATOR)
    event = last_event(the_client)
    assert (event.from_agency, event.agency, event.worker, event.consent_id) == ("apo", "dsr", None, consent_id)
    assert (the_client.agency, the_client.status, the_client.worker) == ("dsr", WAITLISTED, None)


def test_a_transfer_to_a_chosen_worker_checks_the_worker_there():
    the_client = accepted()
    with pytest.raises(NoSuchWorker) as refused:
        the_client.transfer("dsr", uuid.uuid4(), agency("dsr").candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    assert refused.value.details == {"worker": ["not active at dsr"]}
    the_client.transfer("dsr", uuid.uuid4(), agency("dsr").candidate("dsr-sa-1"), None, decided_by=COORDINATOR)
    assert (the_client.agency, the_client.status, the_client.worker) == ("dsr", ACCEPTED, "dsr-sa-1")


# -- consent ----------------------------------------------------------------------------

def consent() -> Consent:
    return Consent.give(client_id=uuid.uuid4(), agency="apo", recipient="dsr", purpose="transfer",
                        categories=["identity", "legal_situation"], share_history=False, given_by=WORKER)


def test_a_consent_given_again_as_it_is_in_force_records_nothing():
    the_consent = consent()
    the_consent.give_again("apo", ["legal_situation", "identity"], given_by=WORKER)
    assert the_consent.version == 2  # given, and said in version 1's words
    the_consent.give_again("apo", ["identity"], given_by=WORKER)
    assert (the_consent.version, the_consent.categories) == (4, ["identity"])
    the_consent.give_again("apo", ["identity"], given_by=WORKER, share_history=True)  # another choice: a new period
    assert (the_consent.version, the_consent.share_history) == (6, True)


def test_only_a_consent_in_force_is_withdrawn_and_it_can_be_given_again():
    the_consent = consent()
    the_consent.withdraw("apo", withdrawn_by=WORKER)
    assert not the_consent.active
    with pytest.raises(NoConsentInForce) as refused:
        the_consent.withdraw("apo", withdrawn_by=WORKER)
    assert isinstance(refused.value, NotNow)
    assert refused.value.message == "there is no consent in force to withdraw"
    assert refused.value.details == {"recipient": ["dsr"], "purpose": ["transfer"]}
    the_consent.give_again("dsr", ["identity", "legal_situation"], given_by=WORKER)
    assert the_consent.active
    names = [type(e).__name__ for e in the_consent.pending_events]
    assert names == ["Given", "GivenInV1Terms", "Withdrawn", "GivenAgain", "GivenInV1Terms"]
    assert [e.agency for e in the_consent.pending_events] == ["apo", "apo", "apo", "dsr", "dsr"]
    assert {(e.client_id, e.recipient, e.purpose) for e in the_consent.pending_events} == {
        (the_consent.client_id, "dsr", "transfer")}


# -- the directory ----------------------------------------------------------------------

def test_a_staff_member_is_added_once():
    the_agency = agency()
    with pytest.raises(AlreadyOnStaff) as refused:
        the_agency.add_staff_member("apo-sa-1", "S. Again", "jurist", ["nl"], added_by=ADMIN)
    assert isinstance(refused.value, NotNow) and refused.value.details == {"user_id": ["apo-sa-1"]}
    assert the_agency.staff["apo-sa-1"]["profile"] == "social_assistant"


def test_deactivating_or_reactivating_names_a_member_and_records_only_a_change():
    the_agency = agency()
    with pytest.raises(NotOnStaff) as refused:
        the_agency.deactivate_staff_member("nobody", deactivated_by=ADMIN)
    assert isinstance(refused.value, Unknown)
    assert (refused.value.message, refused.value.details) == ("no such staff member", {"user_id": ["nobody"]})
    with pytest.raises(NotOnStaff):
        the_agency.reactivate_staff_member("nobody", reactivated_by=ADMIN)
    before = the_agency.version
    the_agency.reactivate_staff_member("apo-sa-1", reactivated_by=ADMIN)
    the_agency.deactivate_staff_member("apo-sa-1", deactivated_by=ADMIN)
    the_agency.deactivate_staff_member("apo-sa-1", deactivated_by=ADMIN)
    assert the_agency.version == before + 1 and not the_agency.staff["apo-sa-1"]["active"]
    the_agency.reactivate_staff_member("apo-sa-1", reactivated_by=ADMIN)
    assert the_agency.staff["apo-sa-1"]["active"]
    changes = the_agency.pending_events[-2:]
    assert [type(e).__name__ for e in changes] == ["StaffMemberDeactivated", "StaffMemberReactivated"]
    assert {(e.agency, e.user_id) for e in changes} == {("apo", "apo-sa-1")}


def test_a_candidate_is_what_the_client_rules_need_to_know_of_a_worker():
    candidate = agency(telephone_interpreters=False).candidate("apo-sa-1")
    assert (candidate.user_id, candidate.agency, candidate.available) == ("apo-sa-1", "apo", True)
    assert (candidate.languages, candidate.telephone_interpreters) == (frozenset({"fr", "ar"}), False)
    assert not agency().candidate("nobody").available
