"""Intake's rules, on an in-memory store with the sample directory."""
import datetime as dt
import json

import pytest

from services.intake.application import IntakeApplication
from shared.config import DEPLOY_DIR
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.support.fakes import IN_MEMORY

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}
OTHER_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
OTHER_COORDINATOR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}
ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
NATIONAL_NUMBER = "85073003328"  # born 1985-07-30, serial 033: valid by the modulo-97 rule


@pytest.fixture
def intake():
    app = IntakeApplication(env=IN_MEMORY)
    app.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    return app


def register(intake, actor=WORKER, **overrides):
    return intake.register_client(actor, **registration_args(**overrides))


def published_types(intake):
    return [e["type"].split(".")[3] for e in Outbox(intake).read(after=0, limit=1000)]


# -- registration -------------------------------------------------------------------

def test_a_registered_client_has_a_file_with_who_they_are(intake):
    client_id = register(intake, national_number="85.07.30-033.28")
    file = intake.client_file(WORKER, client_id)
    assert file["personal"]["family_name"] == "Testperson"
    assert file["personal"]["national_number"] == NATIONAL_NUMBER
    assert (file["agency"], file["status"], file["situation"]) == ("apo", "registered", "probation")


def test_a_wrong_national_number_is_refused_with_the_reason(intake):
    before = intake.head()
    with pytest.raises(InvalidInput) as refused:
        register(intake, national_number="85073003329")
    assert list(refused.value.details) == ["national_number"]
    assert "check" in refused.value.details["national_number"][0]
    assert intake.head() == before


def test_registering_the_same_national_number_twice_points_to_the_existing_client(intake):
    first = register(intake, national_number=NATIONAL_NUMBER)
    with pytest.raises(Conflict) as refused:
        register(intake, actor=OTHER_WORKER, national_number="85 07 30 033 28")
    assert refused.value.details["existing_client_id"] == [str(first)]
    assert refused.value.details["agency"] == ["apo"]


def test_the_national_number_appears_in_no_id(intake):
    register(intake, national_number=NATIONAL_NUMBER)
    ids = {str(n.originator_id).replace("-", "") for n in intake.recorder.select_notifications(1, 100)}
    assert not any(NATIONAL_NUMBER in i for i in ids)
    assert all(NATIONAL_NUMBER.encode() not in e["data"].__repr__().encode() for e in Outbox(intake).read(0, 100))


def test_a_national_number_of_another_birth_date_is_refused(intake):
    with pytest.raises(InvalidInput) as refused:
        register(intake, national_number=NATIONAL_NUMBER, birth_date=dt.date(1985, 7, 31))
    assert list(refused.value.details) == ["national_number"]


def test_an_auditor_cannot_register_clients(intake):
    with pytest.raises(Forbidden):
        register(intake, actor=AUDITOR)


def test_a_registration_of_version_1_still_reads(intake):
    """Registrations stored before names and situation were recorded are upcast."""
    client_id = register(intake)
    (stored,) = intake.recorder.select_events(client_id)
    state = json.loads(stored.state)
    for field in ("personal", "situation", "mandating_actor", "class_version"):
        state.pop(field)
    old = type(stored)(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    other = IntakeApplication(env=IN_MEMORY)
    other.recorder.insert_events([old])
    client = other.repository.get(client_id)
    assert (client.personal, client.situation, client.mandating_actor) == (None, "unknown", None)


# -- help requests and consent ------------------------------------------------------

def test_a_help_request_is_recorded_and_published_without_the_question(intake):
    client_id = register(intake)
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing", "income_debts"], "Ik zoek werk", "high")
    (request,) = intake.client_file(WORKER, client_id)["help_requests"]
    assert request["question"] == "Ik zoek werk"
    published = [e for e in Outbox(intake).read(0, 100) if e["type"].endswith("help-request-received.v1")]
    assert "question" not in published[0]["data"] and published[0]["data"]["domains"] == ["housing", "income_debts"]


def test_another_agencys_worker_cannot_touch_or_read_the_client(intake):
    client_id = register(intake)
    with pytest.raises(Forbidden):
        intake.receive_help_request(OTHER_WORKER, client_id, "self", ["housing"], "?", "normal")
    with pytest.raises(Forbidden):
        intake.client_file(OTHER_WORKER, client_id)


def test_consent_given_then_withdrawn_keeps_its_history(intake):
    client_id = register(intake)
    consent_id = intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity", "legal_situation"])
    assert intake.give_consent(WORKER, client_id, "dsr", "transfer", ["legal_situation", "identity"]) == consent_id
    intake.withdraw_consent(WORKER, client_id, "dsr", "transfer")
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    assert [e.__class__.__name__ for e in intake.events.get(consent_id)] == ["Given", "Withdrawn", "GivenAgain"]
    (consent,) = intake.client_file(WORKER, client_id)["consents"]
    assert {k: consent[k] for k in ("recipient", "purpose", "scope", "active")} == {
        "recipient": "dsr", "purpose": "transfer", "scope": ["identity"], "active": True
    }
    assert dt.datetime.fromisoformat(consent["since"]).tzinfo is not None
    assert published_types(intake).count("consent-given") == 2


def test_withdrawing_a_consent_not_in_force_is_refused(intake):
    client_id = register(intake)
    with pytest.raises(Conflict):
        intake.withdraw_consent(WORKER, client_id, "dsr", "transfer")


# -- decisions ----------------------------------------------------------------------

def test_accepting_to_a_worker_who_speaks_a_client_language(intake):
    client_id = register(intake, languages=["ar"], preferred_language="ar")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")  # speaks fr and ar
    file = intake.client_file(WORKER, client_id)
    assert (file["status"], file["worker"], file["interpreter"]) == ("accepted", "apo-sa-1", None)
    accepted = [e for e in Outbox(intake).read(0, 100) if e["type"].endswith("intake-accepted.v1")][0]
    assert accepted["data"]["worker"] == "apo-sa-1" and accepted["data"]["situation"] == "probation"


def test_a_worker_without_a_common_language_needs_an_interpreter(intake):
    client_id = register(intake, languages=["ar"], preferred_language="ar")
    with pytest.raises(Conflict) as refused:
        intake.accept(COORDINATOR, client_id, "apo-crim-1")  # speaks nl and en
    assert "interpreter" in refused.value.message
    assert "the client speaks ar" in refused.value.details["worker"][0]
    intake.accept(COORDINATOR, client_id, "apo-crim-1", {"language": "ar", "kind": "present"})
    assert intake.client_file(WORKER, client_id)["interpreter"] == {"language": "ar", "kind": "present"}


def test_an_interpreter_must_speak_the_clients_language(intake):
    client_id = register(intake, languages=["ar"], preferred_language="ar")
    with pytest.raises(InvalidInput) as refused:
        intake.accept(COORDINATOR, client_id, "apo-crim-1", {"language": "tr", "kind": "present"})
    assert "interpreter.language" in refused.value.details


def test_a_telephone_interpreter_only_where_the_agency_has_them(intake):
    no_phone = next(a for a in intake.directory() if not a["telephone_interpreters"])
    coordinator = next(m for m in no_phone["staff"] if m["profile"] == "coordinator")
    actor = {"user_id": coordinator["user_id"], "role": "coordinator", "agency": no_phone["code"]}
    caseworker = {"user_id": "x", "role": "social_assistant", "agency": no_phone["code"]}
    worker = next(m for m in no_phone["staff"] if m["profile"] != "coordinator" and m["active"])
    client_id = register(intake, actor=caseworker, languages=["zu"], preferred_language="zu")
    with pytest.raises(Conflict) as refused:
        intake.accept(actor, client_id, worker["user_id"], {"language": "zu", "kind": "telephone"})
    assert "interpreter.kind" in refused.value.details


def test_only_a_coordinator_of_the_agency_decides(intake):
    client_id = register(intake)
    with pytest.raises(Forbidden):
        intake.accept(WORKER, client_id, "apo-sa-1")
    with pytest.raises(Forbidden):
        intake.accept(OTHER_COORDINATOR, client_id, "apo-sa-1")


def test_an_unknown_or_inactive_worker_is_refused(intake):
    client_id = register(intake)
    with pytest.raises(InvalidInput):
        intake.accept(COORDINATOR, client_id, "nobody")
    intake.set_staff_member_active(COORDINATOR, "apo", "apo-sa-1", False)
    with pytest.raises(InvalidInput):
        intake.accept(COORDINATOR, client_id, "apo-sa-1")


def test_a_decision_is_taken_once(intake):
    client_id = register(intake)
    intake.decline(COORDINATOR, client_id, "better_served_elsewhere", "needs a lawyer first")
    with pytest.raises(Conflict) as refused:
        intake.accept(COORDINATOR, client_id, "apo-sa-1")
    assert refused.value.details == {"status": ["declined"]}


def test_the_waitlist_holds_who_waits_in_order(intake):
    first, second, third = (register(intake) for _ in range(3))
    for client_id in (first, second, third):
        intake.waitlist(COORDINATOR, client_id)
    intake.accept(COORDINATOR, second, "apo-sa-1")
    assert [w["client_id"] for w in intake.waitlist_of(COORDINATOR, "apo")] == [str(first), str(third)]
    with pytest.raises(Forbidden):
        intake.waitlist_of(WORKER, "apo")
    with pytest.raises(Forbidden):
        intake.waitlist_of(OTHER_COORDINATOR, "apo")


def test_reassignment_to_another_worker(intake):
    client_id = register(intake, languages=["fr"], preferred_language="fr")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    with pytest.raises(Conflict):
        intake.reassign(COORDINATOR, client_id, "apo-sa-1")
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    assert intake.client_file(WORKER, client_id)["worker"] == "apo-crim-1"
    assert "client-reassigned" in published_types(intake)


def test_reassigning_a_client_not_yet_accepted_is_refused(intake):
    client_id = register(intake)
    with pytest.raises(Conflict):
        intake.reassign(COORDINATOR, client_id, "apo-sa-1")


def test_a_transfer_needs_the_clients_consent(intake):
    client_id = register(intake, languages=["fr", "nl"], preferred_language="fr")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    with pytest.raises(Forbidden) as refused:
        intake.transfer(COORDINATOR, client_id, "dsr")
    assert "consent" in refused.value.details
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity", "legal_situation"])
    intake.transfer(COORDINATOR, client_id, "dsr")
    assert intake.client_file(OTHER_WORKER, client_id)["agency"] == "dsr"
    with pytest.raises(Forbidden):
        intake.client_file(WORKER, client_id)  # the old agency no longer reads it
    assert [w["client_id"] for w in intake.waitlist_of(OTHER_COORDINATOR, "dsr")] == [str(client_id)]


def test_a_transfer_to_an_unknown_agency_or_to_its_own_is_refused(intake):
    client_id = register(intake)
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    with pytest.raises(NotFound):
        intake.transfer(COORDINATOR, client_id, "nowhere")
    with pytest.raises(Conflict):
        intake.transfer(COORDINATOR, client_id, "apo")


# -- queries ------------------------------------------------------------------------

def test_search_by_name_ignores_case_and_accents_and_stays_within_the_agency(intake):
    wanted = register(intake, given_names="Zoë", family_name="Van den Bossche")
    register(intake, given_names="Other", family_name="Person")
    register(intake, actor=OTHER_WORKER, given_names="Zoe", family_name="Van den Bossche")
    found = intake.search(WORKER, name="zoe bossche")
    assert [f["client_id"] for f in found] == [str(wanted)]


def test_search_by_national_number(intake):
    wanted = register(intake, national_number=NATIONAL_NUMBER)
    assert [f["client_id"] for f in intake.search(WORKER, national_number="85.07.30-033.28")] == [str(wanted)]


def test_an_auditor_may_not_search(intake):
    with pytest.raises(Forbidden):
        intake.search(AUDITOR, name="Testperson")


# -- directory ----------------------------------------------------------------------

def test_the_sample_directory_is_loaded_once_and_marked_as_sample(intake):
    assert intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json") == 0
    agencies = intake.directory()
    assert len(agencies) == 7 and all(a["sample"] for a in agencies)


def test_only_an_admin_registers_agencies_and_a_coordinator_only_its_own_staff(intake):
    with pytest.raises(Forbidden):
        intake.register_agency(COORDINATOR, "new-agency", "New", ["nl"], False)
    intake.register_agency(ADMIN, "new-agency", "New", ["nl"], False)
    with pytest.raises(Conflict):
        intake.register_agency(ADMIN, "new-agency", "New", ["nl"], False)
    with pytest.raises(Forbidden):
        intake.add_staff_member(COORDINATOR, "new-agency", "n-1", "N. One", "jurist", ["nl"])
    intake.add_staff_member(COORDINATOR, "apo", "apo-jur-9", "J. Nine", "jurist", ["nl"])
    assert "apo-jur-9" in {m["user_id"] for m in intake.agency("apo").staff.values()}
