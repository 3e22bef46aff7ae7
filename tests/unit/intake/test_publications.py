"""What intake publishes, translated from each domain event alone: no application,
no store (services/intake/integration.py). What the catalogue promises is checked
in tests/unit/shared/test_catalogue.py."""
import json
import uuid

import pytest

from services.intake.domain import Agency, Client, Consent, DuplicateCheck, Erasure, LegalHold
from services.intake.integration import PUBLICATIONS
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.intake.registered import CONTACT, NATIONAL_NUMBER, registered

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
PERSONAL = ("Samira", "Testperson", "1985-07-30", NATIONAL_NUMBER, CONTACT["phone"], "Exemple", "M. Assistant",
            "Je cherche", "moved abroad", "S. One", "J. One", "court case", "archive duty", "keeps the file",
            "asked again")


def agency(code: str, *staff: str) -> Agency:
    the_agency = Agency(code=code, name=code.upper(), languages=["fr", "ar"], telephone_interpreters=True,
                        sample=True, registered_by=ADMIN)
    for user_id, name in zip(staff, ("S. One", "J. One")):
        the_agency.add_staff_member(user_id, name, "social_assistant", ["fr"], added_by=ADMIN)
    return the_agency


def client() -> Client:
    return registered(mandating_actor={"kind": "justice_assistant", "name": "M. Assistant"})


@pytest.fixture(scope="module")
def events() -> list:
    """One event of each published kind (and more), made on aggregates no store holds."""
    apo, dsr = agency("apo", "apo-sa-1", "apo-jur-1"), agency("dsr", "dsr-sa-1")
    apo.deactivate_staff_member("apo-jur-1", deactivated_by=COORDINATOR)
    apo.reactivate_staff_member("apo-jur-1", reactivated_by=COORDINATOR)
    followed = client()
    followed.record_languages(1, ["fr"], "fr", False, recorded_by=WORKER)
    followed.receive_help_request(uuid.uuid4(), "self", ["housing"], "Je cherche un logement", "high",
                                  received_by=WORKER)
    followed.accept(apo.candidate("apo-sa-1"), None, decided_by=COORDINATOR)
    followed.reassign(apo.candidate("apo-jur-1"), None, decided_by=COORDINATOR)
    consent = Consent.give(client_id=followed.id, agency="apo", recipient="dsr", purpose="transfer",
                           categories=["identity"], share_history=False, given_by=WORKER)
    consent.withdraw("apo", withdrawn_by=WORKER)
    consent.give_again("apo", ["identity", "contact"], given_by=WORKER)
    followed.transfer("dsr", consent.id, dsr.candidate("dsr-sa-1"), None, decided_by=COORDINATOR)
    followed.note_guidance_ended("dsr", uuid.uuid4())  # guidance closed the trajectory (issue 20)
    followed.reopen_intake("came back a year later", reopened_by=COORDINATOR)
    waiting, declined = client(), client()
    waiting.waitlist(decided_by=COORDINATOR)
    declined.decline("client_withdrew", "moved abroad", decided_by=COORDINATOR)
    # Corrections (issue 20): the words, the mandating actor and the contact stay in intake.
    on = waiting.created_on.date()
    waiting.change_legal_situation(on, "court case of March", changed_by=WORKER, today=on,
                                   situation="conditional_release", mandating_actor={"kind": "court", "name": "S. One"})
    waiting.change_contact(on, {"address": "Rue Exemple 2, 1000 Bruxelles"}, "moved abroad", changed_by=WORKER,
                           today=on)
    declined.reopen_intake("asked again", reopened_by=COORDINATOR)
    erasure = Erasure(client_id=declined.id, agency="apo", legal_basis="consent_withdrawn",
                      note="S. One asked for it", requested_by=COORDINATOR)
    erasure.refuse("a court keeps the file until June", refused_by=ADMIN)
    erasure.request_again("no_longer_necessary", "asked again", requested_by=COORDINATOR)
    erasure.approve(approved_by=ADMIN, hold=None)
    hold = LegalHold(client_id=waiting.id, agency="apo", ground="legal_claims", note="court case 2026/17",
                     placed_by=ADMIN)
    hold.lift("the case is closed", lifted_by=ADMIN)
    hold.place_again("legal_obligation", "archive duty", placed_by=ADMIN)
    check = DuplicateCheck(client_id=waiting.id, agency="apo", existing_client_id=declined.id, existing_agency="dsr",
                           held_by=WORKER)
    check.settle("same_person", settled_by=COORDINATOR)
    check.settle("same_person", settled_by={"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"})
    return [e for a in (apo, dsr, followed, consent, waiting, declined, erasure, hold, check)
            for e in a.pending_events]


def published(events, name: str) -> list:
    return [PUBLICATIONS[type(e)](e) for e in events if type(e) in PUBLICATIONS and type(e).__name__ == name]


def test_every_published_kind_is_translated_from_its_event_alone(events):
    kinds = {type(e) for e in events}
    assert set(PUBLICATIONS) <= kinds
    for e in events:
        if type(e) in PUBLICATIONS:
            publication = PUBLICATIONS[type(e)](e)
            assert publication.type.startswith("be.jww.intake.") and publication.type.endswith(".v1") or (
                publication.type == "be.jww.intake.consent-given.v2")  # published beside its v1 (WAVE2 18)
            assert publication.agency and publication.actor and publication.actor_role
            text = json.dumps(publication.data, default=str)
            assert not any(personal in text for personal in PERSONAL), publication.type


def test_a_client_fact_is_about_its_client_in_the_agency_following_it(events):
    by_worker = ("Registered", "LanguagesRecorded", "HelpRequestReceived", "Given", "GivenAgain", "Withdrawn")
    by_coordinator = ("IntakeAccepted", "Reassigned", "IntakeWaitlisted", "IntakeDeclined")
    for name, actor in [(n, WORKER) for n in by_worker] + [(n, COORDINATOR) for n in by_coordinator]:
        publications = published(events, name)
        assert publications, name
        for publication in publications:
            assert publication.subject == publication.data["client_id"], name
            assert (publication.agency, publication.actor, publication.actor_role) == (
                "apo", actor["user_id"], actor["role"]), name


def test_an_accepted_intake_publishes_the_case_as_it_stood(events):
    (accepted,) = published(events, "IntakeAccepted")
    assert {k: accepted.data[k] for k in ("agency", "worker", "situation", "languages", "domains")} == {
        "agency": "apo", "worker": "apo-sa-1", "situation": "probation", "languages": ["fr"], "domains": ["housing"],
    }


def test_a_transfer_is_published_by_the_receiving_agency(events):
    (transferred,) = published(events, "Transferred")
    assert (transferred.agency, transferred.data["from_agency"], transferred.data["agency"]) == ("dsr", "apo", "dsr")
    assert transferred.data["worker"] == "dsr-sa-1"
    (reassigned,) = published(events, "Reassigned")
    assert (reassigned.data["from_worker"], reassigned.data["worker"]) == ("apo-sa-1", "apo-jur-1")


def test_a_consent_names_itself_and_its_categories_when_given_in_both_versions(events):
    given, given_again = published(events, "Given") + published(events, "GivenAgain")
    in_v1_terms = published(events, "GivenInV1Terms")
    (withdrawn,) = published(events, "Withdrawn")
    assert given.type == given_again.type == "be.jww.intake.consent-given.v2"
    assert {p.type for p in in_v1_terms} == {"be.jww.intake.consent-given.v1"}
    assert given.data["consent_id"] == withdrawn.data["consent_id"] != given.data["client_id"]
    assert (given.data["categories"], given_again.data["categories"]) == (["identity"], ["identity", "contact"])
    assert given.data["share_history"] is False and "scope" not in given.data
    assert [p.data["scope"] for p in in_v1_terms] == [["identity"], ["identity", "contact"]]
    assert all("categories" not in p.data and p.data["consent_id"] == given.data["consent_id"] for p in in_v1_terms)
    assert "scope" not in withdrawn.data and "categories" not in withdrawn.data


def test_a_staff_fact_names_the_agency_by_its_code(events):
    added = published(events, "StaffMemberAdded")
    assert [(p.subject, p.agency) for p in added] == [
        ("staff/apo/apo-sa-1", "apo"), ("staff/apo/apo-jur-1", "apo"), ("staff/dsr/dsr-sa-1", "dsr")]
    changes = published(events, "StaffMemberDeactivated") + published(events, "StaffMemberReactivated")
    assert [(p.data["user_id"], p.data["active"], p.actor) for p in changes] == [
        ("apo-jur-1", False, "apo-coord"), ("apo-jur-1", True, "apo-coord")]


def test_an_erasure_request_and_refusal_name_the_erasure_and_its_ground_never_the_words(events):
    requests = published(events, "Requested") + published(events, "RequestedAgain")
    (refused,) = published(events, "Refused")
    (approved,) = published(events, "Approved")
    assert [p.type for p in (*requests, refused, approved)] == [
        "be.jww.intake.erasure-requested.v1", "be.jww.intake.erasure-requested.v1",
        "be.jww.intake.erasure-refused.v1", "be.jww.intake.erasure-approved.v1"]
    assert [p.data["legal_basis"] for p in requests] == ["consent_withdrawn", "no_longer_necessary"]
    assert len({p.data["erasure_id"] for p in (*requests, refused, approved)}) == 1
    assert set(refused.data) == {"client_id", "agency", "erasure_id"}  # the reason for keeping the data stays
    assert [(p.actor, p.actor_role) for p in (*requests, refused)] == [
        ("apo-coord", "coordinator"), ("apo-coord", "coordinator"), ("admin-1", "admin")]
