"""Intake's use cases on clients and consents, on an in-memory store with the sample
directory (tests/unit/intake/conftest.py). The rules on one aggregate's own state
are tested on the aggregates (test_domain.py); here, that each use case reaches
them, and what reads more than one record: a national number already claimed."""
import datetime as dt
import json

import pytest

from services.intake.application import IntakeApplication
from shared.domain import NotNow
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.outbox import Outbox
from tests.support.samples import WORKER
from tests.support.fakes import IN_MEMORY

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}
OTHER_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
NATIONAL_NUMBER = "85073003328"  # born 1985-07-30, serial 033: valid by the modulo-97 rule


# -- registration -------------------------------------------------------------------

def test_a_registered_client_has_a_file_with_who_they_are(intake, register):
    client_id = register(national_number="85.07.30-033.28")
    file = intake.client_file(WORKER, client_id)
    assert file["personal"]["family_name"] == "Testperson"
    assert file["personal"]["national_number"] == NATIONAL_NUMBER
    assert (file["agency"], file["status"], file["situation"]) == ("apo", "registered", "probation")


def test_a_wrong_national_number_is_refused_with_the_reason(intake, register):
    before = intake.head()
    with pytest.raises(InvalidInput) as refused:
        register(national_number="85073003329")
    assert list(refused.value.details) == ["national_number"]
    assert "check" in refused.value.details["national_number"][0]
    assert intake.head() == before


def test_registering_the_same_national_number_twice_in_one_agency_points_to_the_existing_client(register):
    """The agency may know its own client; another agency's registration is held for a
    duplicate check instead (test_duplicate_check.py)."""
    first = register(national_number=NATIONAL_NUMBER)
    with pytest.raises(Conflict) as refused:
        register(actor={**WORKER, "user_id": "apo-crim-1", "role": "criminologist"}, national_number="85 07 30 033 28")
    assert refused.value.details["existing_client_id"] == [str(first)]
    assert refused.value.details["agency"] == ["apo"]


def test_the_national_number_appears_in_no_id(intake, register):
    register(national_number=NATIONAL_NUMBER)
    ids = {str(n.originator_id).replace("-", "") for n in intake.recorder.select_notifications(1, 100)}
    assert not any(NATIONAL_NUMBER in i for i in ids)
    assert all(NATIONAL_NUMBER.encode() not in e["data"].__repr__().encode() for e in Outbox(intake).read(0, 100))


def test_a_national_number_of_another_birth_date_is_refused(register):
    with pytest.raises(InvalidInput) as refused:
        register(national_number=NATIONAL_NUMBER, birth_date=dt.date(1985, 7, 31))
    assert list(refused.value.details) == ["national_number"]


def test_an_auditor_cannot_register_clients(register):
    with pytest.raises(Forbidden):
        register(actor=AUDITOR)


def stored_as(intake, client_id, change) -> IntakeApplication:
    """Another intake holding only the client's registration, its stored state changed
    by ``change`` to look as an older version stored it."""
    (stored,) = intake.recorder.select_events(client_id)
    # Opened: versions before sealing (shared.sealing) stored who the person is in clear.
    event = intake.mapper.to_domain_event(stored)
    clear = {k: v for k, v in vars(event).items() if k not in ("originator_id", "originator_version")}
    state = json.loads(intake.mapper.transcoder.encode({**clear, "class_version": type(event).class_version}))
    change(state)
    old = type(stored)(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    other = IntakeApplication(env=IN_MEMORY)
    other.recorder.insert_events([old])
    return other


WHO = ("given_names", "family_name", "birth_date", "national_number", "contact")


def test_a_registration_of_version_1_still_reads(intake, register):
    """Registrations stored before names and situation were recorded, and before the
    event named its client, are upcast."""
    client_id = register()

    def version_1(state):
        for field in (*WHO, "situation", "mandating_actor", "client_id", "class_version"):
            state.pop(field)

    other = stored_as(intake, client_id, version_1)
    client = other.repository.get(client_id)
    assert (client.given_names, client.situation, client.mandating_actor) == (None, "unknown", None)
    assert other.client_file(WORKER, client_id)["personal"] is None
    assert [e.client_id for e in other.events.get(client_id)] == [client_id]


def test_a_registration_of_version_3_reads_who_the_person_is_field_by_field(intake, register):
    client_id = register(national_number=NATIONAL_NUMBER, contact={"phone": "+32 2 555 01 23"})

    def version_3(state):
        state["personal"] = {name: state.pop(name) for name in WHO}
        state["personal"]["birth_date"] = "1985-07-30"  # a date was text inside the dict
        state["class_version"] = 3

    other = stored_as(intake, client_id, version_3)
    assert other.client_file(WORKER, client_id)["personal"] == intake.client_file(WORKER, client_id)["personal"]
    assert other.repository.get(client_id).birth_date == dt.date(1985, 7, 30)


# -- help requests, languages and consent ------------------------------------------

def test_a_help_request_is_recorded_and_published_without_the_question(intake, register):
    client_id = register()
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing", "income_debts"], "Ik zoek werk", "high")
    (request,) = intake.client_file(WORKER, client_id)["help_requests"]
    assert request["question"] == "Ik zoek werk"
    published = [e for e in Outbox(intake).read(0, 100) if e["type"].endswith("help-request-received.v1")]
    assert "question" not in published[0]["data"] and published[0]["data"]["domains"] == ["housing", "income_debts"]


def test_another_agencys_worker_cannot_touch_or_read_the_client(intake, register):
    client_id = register()
    with pytest.raises(Forbidden):
        intake.receive_help_request(OTHER_WORKER, client_id, "self", ["housing"], "?", "normal")
    with pytest.raises(Forbidden):
        intake.client_file(OTHER_WORKER, client_id)


def test_consent_given_then_withdrawn_keeps_its_history(intake, register, published):
    client_id = register()
    consent_id = intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity", "legal_situation"])
    assert intake.give_consent(WORKER, client_id, "dsr", "transfer", ["legal_situation", "identity"]) == consent_id
    intake.withdraw_consent(WORKER, client_id, "dsr", "transfer")
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    # Each giving is said again in version 1's words, so that v1 is published beside v2.
    assert [e.__class__.__name__ for e in intake.events.get(consent_id)] == [
        "Given", "GivenInV1Terms", "Withdrawn", "GivenAgain", "GivenInV1Terms"]
    (consent,) = intake.client_file(WORKER, client_id)["consents"]
    assert {k: consent[k] for k in ("recipient", "purpose", "categories", "share_history", "active")} == {
        "recipient": "dsr", "purpose": "transfer", "categories": ["identity"], "share_history": False, "active": True
    }
    assert dt.datetime.fromisoformat(consent["since"]).tzinfo is not None
    assert published().count("consent-given") == 4  # versions 1 and 2 of each giving


def test_withdrawing_a_consent_not_in_force_is_refused(intake, register):
    client_id = register()
    with pytest.raises(NotNow) as never_given:
        intake.withdraw_consent(WORKER, client_id, "dsr", "transfer")
    assert never_given.value.details == {"recipient": ["dsr"], "purpose": ["transfer"]}
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    intake.withdraw_consent(WORKER, client_id, "dsr", "transfer")
    with pytest.raises(NotNow) as withdrawn:
        intake.withdraw_consent(WORKER, client_id, "dsr", "transfer")
    assert withdrawn.value.message == never_given.value.message == "there is no consent in force to withdraw"


def test_a_consent_given_again_as_it_is_stores_nothing(intake, register, new_request):
    client_id = register()
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity", "contact"])
    head = intake.head()
    new_request()
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["contact", "identity"])
    assert intake.head() == head


def test_languages_are_recorded_on_the_version_the_caller_read(intake, register):
    client_id = register()
    assert intake.record_languages(WORKER, client_id, 1, ["nl"], "nl", False) == 2
    with pytest.raises(NotNow) as refused:
        intake.record_languages(WORKER, client_id, 1, ["fr"], "fr", False)
    assert refused.value.details == {"expected_version": ["the file is at version 2"]}
    assert intake.client_file(WORKER, client_id)["languages"] == ["nl"]


# -- queries ------------------------------------------------------------------------

def test_search_by_name_ignores_case_and_accents_and_stays_within_the_agency(intake, register):
    wanted = register(given_names="Zoë", family_name="Van den Bossche")
    register(given_names="Other", family_name="Person")
    register(actor=OTHER_WORKER, given_names="Zoe", family_name="Van den Bossche")
    found = intake.search(WORKER, name="zoe bossche")
    assert [f["client_id"] for f in found] == [str(wanted)]


def test_search_by_national_number(intake, register):
    wanted = register(national_number=NATIONAL_NUMBER)
    assert [f["client_id"] for f in intake.search(WORKER, national_number="85.07.30-033.28")] == [str(wanted)]


def test_an_auditor_may_not_search(intake):
    with pytest.raises(Forbidden):
        intake.search(AUDITOR, name="Testperson")
