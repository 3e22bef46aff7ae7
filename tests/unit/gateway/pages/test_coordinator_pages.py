"""The coordinator's pages through werkzeug's test client, the services' answers given
by the test: intake decisions with the language match, the waitlist, reassignment and
transfer, duplicate checks, figures for a period, the coordination of help with its
case conferences, and the agency's staff. Each form keeps what was typed, shows each
error next to its field and in the summary, and sends its command under its own key
(and on the version read, for a decision)."""
import re
import uuid

import pytest

from shared import concurrency
from shared.contracts.intake_vocabulary import DECLINE_REASONS, INTERPRETER_KINDS
from shared.contracts.referrals import COORDINATION_ROLES
from shared.errors import Conflict, Forbidden, NotFound
from services.gateway.pages.views import coordination, intake_decisions
from tests.unit.gateway.pages.support import CLIENT, Browser, Services, field, summary

COORDINATOR = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
CHECK = "0b8a2c4e-6f1d-4a8e-9c3b-2d5e7f901234"
CONFERENCE = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
DIRECTORY = [
    {"code": "apo", "name": "APO", "languages": ["nl", "fr", "ar", "en"], "telephone_interpreters": True,
     "sample": True, "staff": [
         {"user_id": "apo-coord", "display_name": "Hilde Voorbeeld", "profile": "coordinator",
          "languages": ["nl", "fr", "en"], "active": True},
         {"user_id": "apo-crim-1", "display_name": "Jonas Fictief", "profile": "criminologist",
          "languages": ["nl", "en"], "active": True},
         {"user_id": "apo-sa-1", "display_name": "Amira Exemple", "profile": "social_assistant",
          "languages": ["fr", "ar"], "active": True},
         {"user_id": "apo-old", "display_name": "Gone Away", "profile": "jurist", "languages": ["ar"],
          "active": False}]},
    {"code": "dsr", "name": "Dienst voor Sociale Reïntegratie", "languages": ["nl", "fr"],
     "telephone_interpreters": False, "sample": True, "staff": [
         {"user_id": "dsr-sa-1", "display_name": "Eva Proef", "profile": "social_assistant", "languages": ["nl"],
          "active": True}]},
]
FILE = {"client_id": CLIENT, "version": 3, "agency": "apo", "status": "registered", "worker": None,
        "interpreter": None, "personal": {"given_names": "Samira", "family_name": "Testperson",
                                          "birth_date": "1985-07-30", "national_number": None, "contact": {}},
        "legal_position": "convicted", "situation": "probation", "mandating_actor": None,
        "languages": ["ar", "tr"], "preferred_language": "ar", "interpreter_needed": False,
        "help_requests": [{"request_id": str(uuid.uuid4()), "source": "justice_assistant", "domains": ["housing"],
                           "question": "A home.", "urgency": "high", "received_by": COORDINATOR}],
        "decisions": [], "consents": [], "erased": None, "legal_hold": None, "duplicate_check": None,
        "transferred": None, "withheld": {}}
TAG = concurrency.tag(CLIENT, 3)


@pytest.fixture
def services():
    services = Services()
    answer = {"outcome": "signed_in", "actor": COORDINATOR, "session_id": "s-1", "refresh_token": "r-1",
              "retry_after": None}
    services.answers.update({"accounts.sign_in": answer, "accounts.refresh": answer, "intake.directory": DIRECTORY,
                             "intake.client_file": FILE})
    return services


@pytest.fixture
def coordinator(services):
    browser = Browser(services)
    assert browser.sign_in("apo-coord").status_code == 303
    return browser


def hidden(html: str, form: str) -> dict:
    return {name: field(html, name, form=form) for name in ("csrf_token", "idempotency_key", "if_match")
            if re.search(rf'id="{form}".*?name="{name}"', html, re.S)}


# -- the lists and the menu ---------------------------------------------------------------

def test_the_menu_and_the_intakes_waiting_for_a_decision(coordinator, services):
    services.answers["intake.pending_intakes"] = [
        {"client_id": CLIENT, "since": "2026-11-30T09:00:00+00:00", "duplicate_check_pending": False},
        {"client_id": CHECK, "since": "2026-12-01T09:00:00+00:00", "duplicate_check_pending": True}]
    page = coordinator.get("/app/intakes")
    assert page.status_code == 200
    for entry in ("nav-intakes", "nav-waitlist", "nav-figures", "nav-staff"):
        assert f'id="{entry}"' in page.text
    assert f'href="/app/intakes/{CLIENT}"' in page.text and "Nov 30, 2026, 10:00" in page.text  # Brussels time
    assert page.text.count("Possible duplicate<") == 1
    (asked,) = services.made("pending_intakes")
    assert asked["payload"] == {"actor": COORDINATOR, "agency": "apo"}
    services.answers["intake.pending_intakes"] = []
    assert 'id="no-pending-intakes"' in coordinator.get("/app/intakes").text


def test_a_caseworker_sees_no_coordinator_menu_and_a_refusal_is_shown_as_such(services):
    worker = Browser(services)
    services.answers["accounts.sign_in"] = {**services.answers["accounts.sign_in"],
                                            "actor": {"user_id": "apo-sa-1", "role": "social_assistant",
                                                      "agency": "apo"}}
    worker.sign_in()
    assert 'id="nav-intakes"' not in worker.get("/app/caseload").text
    services.answers["intake.pending_intakes"] = Forbidden("a social assistant may not read pending intakes")
    page = worker.get("/app/intakes")
    assert page.status_code == 403 and "not for your role or your agency" in page.text


def test_the_waitlist_leads_to_the_decision_page(coordinator, services):
    services.answers["intake.waitlist"] = [{"client_id": CLIENT, "since": "2026-11-30T09:00:00+00:00"}]
    page = coordinator.get("/app/waitlist")
    assert f'<a href="/app/intakes/{CLIENT}" id="waiting-{CLIENT}">' in page.text
    assert services.made("waitlist")[0]["payload"] == {"actor": COORDINATOR, "agency": "apo"}
    services.answers["intake.waitlist"] = []
    assert 'id="waitlist-empty"' in coordinator.get("/app/waitlist").text


# -- the decision page and its language match -------------------------------------------------------

def test_the_decision_page_shows_who_speaks_the_clients_languages(coordinator):
    page = coordinator.get(f"/app/intakes/{CLIENT}").text
    assert "Samira Testperson" in page
    rows = re.findall(r'<tr id="match-([\w-]+)">(.*?)</tr>', page, re.S)
    assert [user for user, _ in rows] == ["apo-sa-1", "apo-coord", "apo-crim-1"]  # the inactive one is left out
    assert "Arabic" in rows[0][1] and "Yes" in rows[0][1] and "None of them" in rows[2][1]
    assert "No interpreter is needed" in page and "can arrange a telephone interpreter" in page
    options = re.findall(r'<option value="([\w-]+)"[^>]*>([^<]+)</option>',
                         page[page.index('id="worker"'):page.index('id="interpreter_language"')])
    assert options[0] == ("apo-sa-1", "Amira Exemple (speaks Arabic)")
    assert ("apo-crim-1", "Jonas Fictief (no common language)") in options
    for form in ("accept-form", "waitlist-form", "decline-form"):
        assert hidden(page, form)["if_match"] == TAG


def test_nobody_speaking_the_language_says_an_interpreter_is_needed(coordinator, services):
    services.answers["intake.client_file"] = {**FILE, "languages": ["tr"], "preferred_language": "tr"}
    page = coordinator.get(f"/app/intakes/{CLIENT}").text
    assert "An interpreter is needed: no caseworker of your agency speaks a language of the client." in page


def test_accepting_sends_the_worker_and_interpreter_on_the_version_read(coordinator, services):
    form = hidden(coordinator.get(f"/app/intakes/{CLIENT}").text, "accept-form")
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "accept", "worker": "apo-crim-1",
                                                          "interpreter_language": "ar", "interpreter_kind": "present"})
    assert response.headers["Location"] == "/app/intakes?notice=intake_accepted"
    (sent,) = services.made("accept_intake")
    assert sent["payload"] == {"actor": COORDINATOR, "client_id": CLIENT, "worker": "apo-crim-1",
                               "interpreter": {"language": "ar", "kind": "present"}}
    assert sent["precondition"] == TAG and sent["idempotency_key"] == form["idempotency_key"]
    assert "accepted and the worker assigned" in coordinator.get(response.headers["Location"]).text


def test_an_accept_without_a_worker_or_half_an_interpreter_is_shown_and_sends_nothing(coordinator, services):
    form = hidden(coordinator.get(f"/app/intakes/{CLIENT}").text, "accept-form")
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "accept", "interpreter_language": "ar"})
    assert response.status_code == 422
    assert dict(summary(response.text)) == {"worker": "Choose the worker to assign.",
                                            "interpreter_kind": "Choose how the interpreter takes part."}
    assert 'id="worker-error"' in response.text and 'id="interpreter_kind-error"' in response.text
    assert re.search(r'<option value="ar" selected>', response.text)
    assert services.made("accept_intake") == []


def test_a_worker_without_a_common_language_is_refused_next_to_the_field(coordinator, services):
    services.answers["intake.accept_intake"] = Conflict(
        "the worker speaks none of the client's languages", {"worker": ["speaks en, nl; the client speaks ar, tr"]})
    form = hidden(coordinator.get(f"/app/intakes/{CLIENT}").text, "accept-form")
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "accept", "worker": "apo-crim-1"})
    assert response.status_code == 409
    assert summary(response.text) == [("worker", "This worker speaks none of the client&#39;s languages: choose "
                                                 "another worker, or arrange an interpreter in a language the client "
                                                 "speaks.")]
    assert re.search(r'<option value="apo-crim-1" selected>', response.text)
    assert field(response.text, "idempotency_key", form="accept-form") != form["idempotency_key"]


def test_a_decision_taken_meanwhile_is_said_in_the_summary(coordinator, services):
    services.answers["intake.waitlist_intake"] = Conflict("a client whose intake is accepted cannot be waitlisted",
                                                          {"status": ["accepted"]})
    form = hidden(coordinator.get(f"/app/intakes/{CLIENT}").text, "waitlist-form")
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "waitlist"})
    assert response.status_code == 409 and "the intake was decided meanwhile" in response.text


def test_declining_needs_a_reason_and_keeps_the_note(coordinator, services):
    form = hidden(coordinator.get(f"/app/intakes/{CLIENT}").text, "decline-form")
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "decline", "note": "Moved to Ghent."})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["reason"]
    assert "Moved to Ghent.</textarea>" in response.text and services.made("decline_intake") == []
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "decline", "reason": "client_withdrew",
                                                          "note": "Moved to Ghent."})
    assert response.headers["Location"] == "/app/intakes?notice=intake_declined"
    (sent,) = services.made("decline_intake")
    assert sent["payload"] == {"actor": COORDINATOR, "client_id": CLIENT, "reason": "client_withdrew",
                               "note": "Moved to Ghent."} and sent["precondition"] == TAG


def test_putting_on_the_waitlist(coordinator, services):
    form = hidden(coordinator.get(f"/app/intakes/{CLIENT}").text, "waitlist-form")
    response = coordinator.post(f"/app/intakes/{CLIENT}", {**form, "decision": "waitlist"})
    assert response.headers["Location"] == "/app/waitlist?notice=waitlisted"
    assert services.made("waitlist_intake")[0]["payload"] == {"actor": COORDINATOR, "client_id": CLIENT}


def test_a_held_registration_offers_no_decision(coordinator, services):
    services.answers["intake.client_file"] = {**FILE, "duplicate_check": {"status": "pending", "followed_by": None}}
    page = coordinator.get(f"/app/intakes/{CLIENT}").text
    assert 'id="held"' in page and 'id="accept-form"' not in page


def test_the_labels_cover_the_vocabularies():
    assert set(intake_decisions.DECLINE_REASON_LABELS) == set(DECLINE_REASONS)
    assert set(intake_decisions.INTERPRETER_KIND_LABELS) == set(INTERPRETER_KINDS)
    assert set(coordination.ROLE_LABELS) == set(COORDINATION_ROLES)


# -- reassignment and transfer ----------------------------------------------------------------------

def test_reassigning_to_another_worker(coordinator, services):
    services.answers["intake.client_file"] = {**FILE, "status": "accepted", "worker": "apo-sa-1"}
    page = coordinator.get(f"/app/clients/{CLIENT}/reassign").text
    assert 'id="current-worker">apo-sa-1<' in page and 'id="language-match"' in page
    form = hidden(page, "reassign-form")
    response = coordinator.post(f"/app/clients/{CLIENT}/reassign", {**form, "worker": "apo-coord"})
    assert response.headers["Location"] == f"/app/clients/{CLIENT}?notice=reassigned#intake"
    (sent,) = services.made("reassign_client")
    assert sent["payload"] == {"actor": COORDINATOR, "client_id": CLIENT, "worker": "apo-coord"}
    assert sent["precondition"] == TAG


def test_a_transfer_without_consent_names_the_agency_field(coordinator, services):
    services.answers["intake.client_file"] = {**FILE, "status": "accepted", "worker": "apo-sa-1"}
    page = coordinator.get(f"/app/clients/{CLIENT}/transfer").text
    assert '<optgroup label="Dienst voor Sociale Reïntegratie" data-method="dsr">' in page
    assert 'value="apo"' not in page[page.index('id="to_agency"'):page.index('id="worker"')]
    form = hidden(page, "transfer-form")
    services.answers["intake.transfer_client"] = Forbidden(
        "the client has not consented", {"consent": ["no consent in force for recipient dsr, purpose transfer"]})
    response = coordinator.post(f"/app/clients/{CLIENT}/transfer", {**form, "to_agency": "dsr"})
    assert response.status_code == 403 and [t for t, _ in summary(response.text)] == ["to_agency"]
    assert re.search(r'<option value="dsr" selected>', response.text)
    services.answers["intake.transfer_client"] = {"client_id": CLIENT, "agency": "dsr"}
    response = coordinator.post(f"/app/clients/{CLIENT}/transfer", {**form, "to_agency": "dsr",
                                                                    "worker": "dsr-sa-1"})
    assert response.headers["Location"] == "/app/intakes?notice=transferred"
    assert services.made("transfer_client")[-1]["payload"] == {"actor": COORDINATOR, "client_id": CLIENT,
                                                               "to_agency": "dsr", "worker": "dsr-sa-1"}


def test_the_file_links_a_coordinator_to_the_decisions(coordinator, services):
    services.answers.update({"guidance.trajectory": NotFound("no trajectory", {"client_id": ["not found"]}),
                             "referrals.referral_history": []})
    page = coordinator.get(f"/app/clients/{CLIENT}").text
    assert f'href="/app/intakes/{CLIENT}" id="decide-link"' in page and 'id="reassign-link"' not in page
    services.answers["intake.client_file"] = {**FILE, "status": "accepted", "worker": "apo-sa-1"}
    page = coordinator.get(f"/app/clients/{CLIENT}").text
    assert 'id="reassign-link"' in page and 'id="transfer-link"' in page and 'id="coordination-link"' in page


# -- duplicate checks ----------------------------------------------------------------------------

def test_duplicate_checks_are_listed_and_settled_with_their_own_key(coordinator, services):
    services.answers["intake.duplicate_checks"] = [
        {"check_id": CHECK, "client_id": CLIENT, "side": "existing", "other_agency": "dsr", "status": "pending",
         "finding_stated": {"finding": "same_person", "agency": "dsr"}, "followed_by": None,
         "since": "2026-11-30T09:00:00+00:00"}]
    page = coordinator.get("/app/duplicates").text
    assert "Finding stated by dsr: The same person." in page
    form = hidden(page, f"settle-form-{CHECK}")
    response = coordinator.post(f"/app/duplicates/{CHECK}", form)
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == [f"finding-{CHECK}"]
    response = coordinator.post(f"/app/duplicates/{CHECK}", {**form, f"finding-{CHECK}": "same_person"})
    assert response.headers["Location"] == "/app/duplicates?notice=duplicate_settled"
    (sent,) = services.made("settle_duplicate_check")
    assert sent["payload"] == {"actor": COORDINATOR, "check_id": CHECK, "finding": "same_person"}
    assert sent["idempotency_key"] == form["idempotency_key"]


# -- figures -------------------------------------------------------------------------------------

def test_the_figures_for_a_period(coordinator, services):
    services.answers.update({
        "statistics.figures": {"from": "2026-11-01", "until": "2026-11-30", "agency": "apo", "threshold": 5,
                               "small": "< 5", "withheld": "x", "tables": {
                                   "interventions": {"rows": "method", "columns": "domain", "cells": [
                                       {"row": "total", "column": "total", "persons": 6, "interventions": 3,
                                        "minutes": 120}]}}},
        "referrals.partner_figures": [{"partner": "transit", "sent": 4, "accepted": 3, "declined": 1,
                                       "outcomes": {"effective": 2}, "acceptance_rate": 0.75,
                                       "median_days_to_start": 6.5}],
        "referrals.partners": [{"code": "transit", "name": "Transit vzw"}]})
    page = coordinator.get("/app/figures?from=2026-11-01&until=2026-11-30")
    assert page.status_code == 200 and "<td>6</td><td>3</td><td>120</td>" in page.text
    assert "Transit vzw" in page.text and "75%" in page.text and "Effective: 2" in page.text
    assert services.made("figures")[0]["payload"] == {"actor": COORDINATOR, "from": "2026-11-01",
                                                      "until": "2026-11-30"}
    assert services.made("partner_figures")[0]["payload"] == services.made("figures")[0]["payload"]
    first = coordinator.get("/app/figures").text  # no dates: this whole month
    assert re.search(r'id="from" name="from" type="date" value="\d{4}-\d{2}-01"', first)


def test_a_wrong_period_is_shown_next_to_its_fields_and_asks_nothing(coordinator, services):
    page = coordinator.get("/app/figures?from=2026-11-31&until=2026-11-30")
    assert page.status_code == 422 and [t for t, _ in summary(page.text)] == ["from"]
    page = coordinator.get("/app/figures?from=2026-11-30&until=2026-11-01")
    assert page.status_code == 422 and [t for t, _ in summary(page.text)] == ["until"]
    assert 'value="2026-11-30"' in page.text and services.made("figures") == []


# -- coordination and case conferences ------------------------------------------------------------

PLAN = {"client_id": CLIENT, "actors": [{"actor_id": "a1b2c3", "role": "lawyer", "organisation": "Me Dupont",
                                          "contact": "", "does": "the hearing", "by": "apo-coord",
                                          "by_role": "coordinator"}],
        "agencies": [], "case_conferences": [
            {"conference_id": CONFERENCE, "on": "2026-11-20", "participants": ["APO", "Me Dupont"],
             "decisions": ["Look for a home"], "actions": [
                 {"action": "Call the OCMW", "owner": "APO", "due": "2026-12-05", "done": None}]}]}


def test_the_coordination_page_and_its_buttons(coordinator, services):
    services.answers["referrals.coordination"] = PLAN
    page = coordinator.get(f"/app/clients/{CLIENT}/coordination").text
    assert "Lawyer of the client: Me Dupont" in page and "Call the OCMW" in page
    done = hidden(page, f"done-form-{CONFERENCE}-0")
    response = coordinator.post(f"/app/clients/{CLIENT}/conferences/{CONFERENCE}/actions/0/done", done)
    assert response.headers["Location"] == f"/app/clients/{CLIENT}/coordination?notice=action_done#conferences"
    (sent,) = services.made("complete_conference_action")
    assert sent["payload"]["conference_id"] == CONFERENCE and sent["payload"]["index"] == 0
    assert sent["idempotency_key"] == done["idempotency_key"]
    remove = hidden(page, "remove-actor-form-a1b2c3")
    coordinator.post(f"/app/clients/{CLIENT}/coordination/actors/a1b2c3/removal", remove)
    assert services.made("remove_coordination_actor")[0]["payload"] == {"actor": COORDINATOR, "client_id": CLIENT,
                                                                        "actor_id": "a1b2c3"}


def test_adding_an_actor_and_an_agency(coordinator, services):
    services.answers["referrals.coordination"] = PLAN
    form = hidden(coordinator.get(f"/app/clients/{CLIENT}/coordination").text, "actor-form")
    response = coordinator.post(f"/app/clients/{CLIENT}/coordination/actors", {**form, "organisation": "Dr Peeters"})
    assert response.status_code == 422 and {t for t, _ in summary(response.text)} == {"role", "does"}
    assert 'value="Dr Peeters"' in response.text and services.made("add_coordination_actor") == []
    response = coordinator.post(f"/app/clients/{CLIENT}/coordination/actors", {
        **form, "role": "doctor", "organisation": "Dr Peeters", "does": "treatment"})
    assert response.headers["Location"] == f"/app/clients/{CLIENT}/coordination?notice=coordination_changed"
    assert services.made("add_coordination_actor")[0]["payload"] == {
        "actor": COORDINATOR, "client_id": CLIENT, "role": "doctor", "organisation": "Dr Peeters", "does": "treatment"}
    services.answers["referrals.add_coordinating_agency"] = Forbidden("no consent for coordination")
    form = hidden(coordinator.get(f"/app/clients/{CLIENT}/coordination").text, "agency-form")
    response = coordinator.post(f"/app/clients/{CLIENT}/coordination/agencies", {**form, "agency": "dsr",
                                                                                 "agency_does": "housing"})
    assert response.status_code == 403 and [t for t, _ in summary(response.text)] == ["agency"]
    assert 'value="housing"' in response.text


def test_holding_a_case_conference(coordinator, services):
    page = coordinator.get(f"/app/clients/{CLIENT}/conferences/new").text
    form = hidden(page, "conference-form")
    response = coordinator.post(f"/app/clients/{CLIENT}/conferences/new", {
        **form, "on": "2026-11-20", "participants": "APO", "decisions": "", "action_2": "Call the OCMW"})
    assert response.status_code == 422
    assert {t for t, _ in summary(response.text)} == {"participants", "decisions", "owner_2", "due_2"}
    assert 'value="Call the OCMW"' in response.text and services.made("hold_case_conference") == []
    services.answers["referrals.hold_case_conference"] = {"conference_id": CONFERENCE}
    response = coordinator.post(f"/app/clients/{CLIENT}/conferences/new", {
        **form, "on": "2026-11-20", "participants": "APO\r\nMe Dupont\r\n", "decisions": "Look for a home",
        "action_2": "Call the OCMW", "owner_2": "APO", "due_2": "2026-12-05"})
    assert response.headers["Location"] == f"/app/clients/{CLIENT}/coordination?notice=conference_held#conferences"
    (sent,) = services.made("hold_case_conference")
    assert sent["payload"] == {"actor": COORDINATOR, "client_id": CLIENT, "on": "2026-11-20",
                               "participants": ["APO", "Me Dupont"], "decisions": ["Look for a home"],
                               "actions": [{"action": "Call the OCMW", "owner": "APO", "due": "2026-12-05"}]}
    assert sent["idempotency_key"] == form["idempotency_key"]


# -- staff ------------------------------------------------------------------------------------------

def test_the_staff_list_and_deactivating_someone(coordinator, services):
    page = coordinator.get("/app/staff").text
    assert 'id="member-apo-sa-1"' in page and 'id="deactivate-apo-sa-1"' in page
    assert 'id="reactivate-apo-old"' in page and 'id="deactivate-apo-coord"' not in page  # not oneself
    form = hidden(page, "active-form-apo-sa-1")
    response = coordinator.post("/app/staff/apo-sa-1/deactivation", form)
    assert response.headers["Location"] == "/app/staff?notice=staff_deactivated"
    assert services.made("deactivate_staff_member")[0]["payload"] == {"actor": COORDINATOR, "agency": "apo",
                                                                      "user_id": "apo-sa-1"}


def test_adding_a_staff_member(coordinator, services):
    form = hidden(coordinator.get("/app/staff/new").text, "staff-form")
    response = coordinator.post("/app/staff/new", {**form, "display_name": "Nadia Nieuw", "profile": "jurist"})
    assert response.status_code == 422 and {t for t, _ in summary(response.text)} == {"user_id", "languages"}
    assert 'value="Nadia Nieuw"' in response.text and services.made("add_staff_member") == []
    services.answers["intake.add_staff_member"] = Conflict("already there", {"user_id": ["apo-jur-2"]})
    typed = {**form, "user_id": "apo-jur-2", "display_name": "Nadia Nieuw", "profile": "jurist",
             "languages": ["nl", "fr"], "other_languages": "ber"}
    response = coordinator.post("/app/staff/new", typed)
    assert response.status_code == 409 and [t for t, _ in summary(response.text)] == ["user_id"]
    services.answers["intake.add_staff_member"] = {"agency": "apo", "user_id": "apo-jur-2"}
    response = coordinator.post("/app/staff/new", {**typed, "idempotency_key": field(response.text, "idempotency_key",
                                                                                     form="staff-form")})
    assert response.headers["Location"] == "/app/staff?notice=staff_added"
    assert services.made("add_staff_member")[-1]["payload"] == {
        "actor": COORDINATOR, "agency": "apo", "user_id": "apo-jur-2", "display_name": "Nadia Nieuw",
        "profile": "jurist", "languages": ["nl", "fr", "ber"]}


def test_the_pages_speak_dutch_and_french(coordinator, services):
    services.answers["intake.pending_intakes"] = []
    for language, words in (("nl", "Intakebeslissingen"), ("fr", "Décisions d'accueil")):
        coordinator.post("/app/language", {"csrf_token": coordinator.csrf("/app/intakes"), "language": language})
        assert words in coordinator.get("/app/intakes").text


# -- the services' real answers -------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_answers() -> dict:
    from tests.unit.gateway.answer_case import run_case

    return dict(run_case().answers)


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_pages_render_what_the_services_really_answer(services, real_answers, language):
    client_file = real_answers["intake.client_file"][0]
    services.answers.update({name: real_answers[name][-1] for name in (
        "intake.pending_intakes", "intake.waitlist", "intake.duplicate_checks", "intake.directory",
        "guidance.activity", "referrals.partner_figures", "referrals.coordination", "referrals.partners")})
    services.answers["intake.client_file"] = client_file
    browser = Browser(services)
    browser.sign_in("apo-coord")
    browser.post("/app/language", {"csrf_token": browser.csrf("/app/intakes"), "language": language})
    for path in ("/app/intakes", "/app/waitlist", "/app/duplicates", "/app/staff", "/app/figures",
                 f"/app/intakes/{client_file['client_id']}", f"/app/clients/{client_file['client_id']}/coordination",
                 f"/app/clients/{client_file['client_id']}/conferences/new"):
        page = browser.get(path)
        assert page.status_code == 200, (path, page.text[-2000:])
        assert f'<html lang="{language}">' in page.text
