"""The caseworker's forms on a client's file (views/casework.py and the modules beside
it), through werkzeug's test client with the services' answers given by the test:
each page renders, sends the command the contract asks with the form's idempotency key
(and ``if_match`` where it changes the trajectory or the file as read), keeps what was
typed with each error next to its field and in the summary, says a refusal in the
person's language, confirms before it ends something, and leads back to the file's
section with a notice the file shows."""
import re

import pytest
from jinja2 import Environment, FileSystemLoader

from shared import concurrency
from shared.contracts import guidance_vocabulary as gv
from shared.contracts import intake_vocabulary as iv
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.gateway.pages import app as pages_app
from tests.unit.gateway.pages.support import CLIENT, TRAJECTORY, WORKER, Browser, Services, field, summary

FILE = f"/app/clients/{CLIENT}"
PLAN = {"goals": [{"domain": "housing", "goal": "a stable home"}], "intensity": "weekly", "expected_weeks": 26}
APPOINTMENT = {"appointment_id": "ap1", "at": "2026-12-01T10:00:00+01:00", "with_actor": "lawyer",
               "purpose": "prepare the hearing", "accompanied_by": "apo-sa-1", "outcome": None,
               "leave_permit": {"from": "2026-12-01T08:00:00+01:00", "until": "2026-12-01T18:00:00+01:00"}}
CONDITION = {"condition_id": "co1", "kind": "prohibition", "description": "no contact with the victim",
             "starts": "2026-01-05", "ends": None, "authority": "court", "ending_announced": False,
             "support": [{"support": "talked it through", "on": "2026-02-01", "by": "apo-sa-1"}]}
MEMBER = {"member_id": "me1", "relation": "parent", "known_as": "Mama Fatima",
          "contacts": [{"on": "2026-02-02", "kind": "phone", "note": "ready to help"}]}
PROCEDURE = {"procedure_id": "pr1", "kind": "rehabilitation", "started": "2026-01-10", "outcome": None,
             "steps": [{"step": "application filed", "on": "2026-01-11"}]}
TRAJECTORY_ANSWER = {
    "trajectory_id": TRAJECTORY, "client_id": CLIENT, "version": 7, "agency": "apo", "worker": "apo-sa-1",
    "status": "open", "plan": PLAN, "interventions": [], "next_contact_due": None, "appointments": [APPOINTMENT],
    "conditions": [CONDITION], "network": [MEMBER], "procedures": [PROCEDURE],
    "psychologist_recommendations": [{"reason": "sleeps badly since the trial", "by": "apo-sa-1"}],
    "closings": [], "withheld": {}}
CLIENT_FILE = {
    "client_id": CLIENT, "version": 3, "agency": "apo", "status": "accepted", "worker": "apo-sa-1", "personal": None,
    "interpreter": None, "legal_position": "convicted", "situation": "probation", "mandating_actor": None,
    "languages": ["fr", "ber"], "preferred_language": "fr", "interpreter_needed": True, "help_requests": [],
    "decisions": [], "erased": None, "legal_hold": None, "duplicate_check": None, "transferred": None, "withheld": {},
    "consents": [{"recipient": "family", "purpose": "family_involvement", "categories": ["interventions"],
                  "share_history": True, "active": True, "since": "2026-01-04T10:00:00+00:00"}]}
TAG = concurrency.tag(TRAJECTORY, 7)


@pytest.fixture
def services():
    services = Services()
    services.answers.update({"guidance.trajectory": TRAJECTORY_ANSWER, "intake.client_file": CLIENT_FILE,
                             "referrals.referral_history": []})
    return services


@pytest.fixture
def signed_in(services):
    browser = Browser(services)
    assert browser.sign_in().status_code == 303
    return browser


def send(browser, path: str, typed: dict):
    """The form at ``path`` filled with ``typed`` and sent, with its own hidden fields."""
    return browser.post(path, {**browser.form(path), **typed})


def sent(services, rpc: str) -> dict:
    (call,) = services.made(rpc)
    return call


# -- the file --------------------------------------------------------------------------------

def test_the_file_shows_each_section_with_its_links(signed_in):
    html = signed_in.get(FILE).text
    for section in ("consents", "conditions", "appointments", "network", "procedures", "trajectory"):
        assert f'<section id="{section}"' in html and f'href="#{section}"' in html
    for link in ("help-requests/new", "languages", "consents/new", "plan/review", "conditions/new",
                 "conditions/co1/support", "appointments/new", "appointments/ap1/outcome", "network/new",
                 "network/me1/contacts/new", "network/me1/return-home", "procedures/new", "procedures/pr1/steps/new",
                 "procedures/pr1/outcome", "psychologist", "closing"):
        assert f'href="{FILE}/{link}"' in html, link
    assert "reopening" not in html  # open, and reopening is the coordinator's
    assert "A prohibition" in html and "no contact with the victim" in html and "talked it through" in html
    assert "Mama Fatima" in html and "Phone call" in html and "ready to help" in html
    assert "started on" in html and "application filed" in html
    assert "accompanied by apo-sa-1" in html and "Leave permit" in html
    # A consent with its scope, and a withdraw button that posts it (never a link with it in the URL).
    consents = re.search(r'<section id="consents".*?</section>', html, re.S).group(0)
    assert "Interventions" in consents and "what was recorded before it too" in consents
    assert f'action="{FILE}/consents/withdrawal"' in consents and 'name="recipient" value="family"' in consents


def test_the_file_of_a_closed_trajectory_offers_the_coordinator_to_reopen_it(services):
    services.answers["accounts.sign_in"] = {**services.answers["accounts.sign_in"],
                                            "actor": {**WORKER, "user_id": "apo-coord", "role": "coordinator"}}
    services.answers["guidance.trajectory"] = {
        **TRAJECTORY_ANSWER, "status": "closed",
        "closings": [{"reason": "moved", "summary": "moved to Ghent", "by": "apo-sa-1"}]}
    browser = Browser(services)
    browser.sign_in()
    html = browser.get(FILE).text
    assert f'href="{FILE}/reopening"' in html and "The client moved away" in html and "moved to Ghent" in html
    assert f'href="{FILE}/closing"' not in html and f'href="{FILE}/conditions/new"' not in html


def test_the_file_says_the_notice_of_each_form_in_the_persons_language(signed_in):
    signed_in.post("/app/language", {"csrf_token": signed_in.csrf("/app/caseload"), "language": "nl",
                                     "next": "/app/caseload"})
    html = signed_in.get(FILE + "?notice=condition").text
    assert "De voorwaarde is geregistreerd." in html and "Een verbod" in html


PAGES = ["help-requests/new", "languages", "consents/new", "plan/review", "psychologist", "closing",
         "conditions/new", "conditions/co1/support", "appointments/new", "appointments/ap1/outcome", "network/new",
         "network/me1/contacts/new", "network/me1/return-home", "procedures/new", "procedures/pr1/steps/new",
         "procedures/pr1/outcome", "reopening"]


@pytest.mark.parametrize("path", PAGES)
def test_each_form_is_a_page_of_its_own_with_its_hidden_fields(signed_in, path):
    response = signed_in.get(f"{FILE}/{path}")
    assert response.status_code == 200
    assert re.search(r'<main.*<form id="[\w-]+-form" method="post"', response.text, re.S)
    assert set(signed_in.form(f"{FILE}/{path}")) >= {"csrf_token", "idempotency_key"}


@pytest.mark.parametrize("path", ["conditions/nope/support", "appointments/nope/outcome",
                                  "network/nope/contacts/new", "procedures/nope/steps/new"])
def test_a_part_of_the_file_that_is_not_there_is_a_404_page(signed_in, path):
    response = signed_in.get(f"{FILE}/{path}")
    assert response.status_code == 404 and "no such page or record" in response.text


def test_the_labels_of_the_casework_lists_are_the_contracts_codes():
    labels = Environment(loader=FileSystemLoader(pages_app.HERE / "templates"), extensions=["jinja2.ext.i18n"])
    labels.install_null_translations(newstyle=True)
    module = labels.get_template("casework_labels.html").module
    assert tuple(module.request_sources) == iv.REQUEST_SOURCES
    assert tuple(module.condition_kinds) == gv.CONDITION_KINDS and tuple(module.authorities) == gv.AUTHORITIES
    assert tuple(module.appointment_actors) == gv.APPOINTMENT_ACTORS and tuple(module.relations) == gv.RELATIONS
    assert tuple(module.contact_kinds) == gv.CONTACT_KINDS + ("return_home_preparation",)
    assert tuple(module.procedure_kinds) == gv.PROCEDURE_KINDS
    assert tuple(module.procedure_outcomes) == gv.PROCEDURE_OUTCOMES
    assert tuple(module.closing_reasons) == gv.CLOSING_REASONS


# -- intake: the help request, the languages, the consents --------------------------------------

def test_a_help_request_is_sent_with_the_forms_key_and_leads_to_the_intake(signed_in, services):
    hidden = signed_in.form(f"{FILE}/help-requests/new")
    response = signed_in.post(f"{FILE}/help-requests/new", {
        **hidden, "source": "justice_assistant", "domains": ["housing", "work"], "question": "A home.",
        "urgency": "high"})
    assert response.headers["Location"] == f"{FILE}?notice=help_request#intake"
    call = sent(services, "receive_help_request")
    assert call["payload"] == {"actor": WORKER, "client_id": CLIENT, "source": "justice_assistant",
                               "domains": ["housing", "work"], "question": "A home.", "urgency": "high"}
    assert call["idempotency_key"] == hidden["idempotency_key"] and call["precondition"] is None


def test_an_incomplete_help_request_names_each_field_and_keeps_what_was_typed(signed_in, services):
    response = send(signed_in, f"{FILE}/help-requests/new", {"source": "family", "question": " ",
                                                             "urgency": "urgent"})
    assert response.status_code == 422
    assert {target for target, _ in summary(response.text)} == {"domains", "question"}
    assert 'id="question-error"' in response.text and re.search(r'<option value="family" selected>', response.text)
    assert services.made("receive_help_request") == []


def test_the_languages_are_those_of_the_file_and_sent_with_its_version(signed_in, services):
    page = signed_in.get(f"{FILE}/languages").text
    assert re.search(r'value="fr" checked', page) and 'value="ber"' in page  # ticked, and typed as a code
    hidden = signed_in.form(f"{FILE}/languages")
    assert hidden["if_match"] == concurrency.tag(CLIENT, 3)
    response = signed_in.post(f"{FILE}/languages", {**hidden, "languages": ["fr", "nl"], "other_languages": "ber",
                                                    "preferred_language": "nl", "interpreter_needed": "yes"})
    assert response.headers["Location"] == f"{FILE}?notice=languages#intake"
    call = sent(services, "record_languages")
    assert call["payload"] == {"actor": WORKER, "client_id": CLIENT, "languages": ["fr", "nl", "ber"],
                               "preferred_language": "nl", "interpreter_needed": True, "expected_version": 3}
    assert call["precondition"] == hidden["if_match"]


def test_a_preferred_language_not_spoken_is_named_next_to_it(signed_in, services):
    response = send(signed_in, f"{FILE}/languages", {"languages": ["fr"], "preferred_language": "nl"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["preferred_language"]
    assert services.made("record_languages") == []


def test_a_consent_is_sent_with_its_scope_and_whether_history_is_shared(signed_in, services):
    response = send(signed_in, f"{FILE}/consents/new", {"recipient": " Transit ", "purpose": "referral",
                                                        "scope": ["identity", "help_request"], "share_history": "yes"})
    assert response.headers["Location"] == f"{FILE}?notice=consent#consents"
    assert sent(services, "give_consent")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "recipient": "transit", "purpose": "referral",
        "scope": ["identity", "help_request"], "share_history": True}


def test_a_recipient_the_service_does_not_know_is_said_next_to_it(signed_in, services):
    services.answers["intake.give_consent"] = InvalidInput(
        "the recipient is not an organisation of the platform",
        {"recipient": ["not an agency or an active partner organisation"]})
    hidden = signed_in.form(f"{FILE}/consents/new")
    response = signed_in.post(f"{FILE}/consents/new", {**hidden, "recipient": "nobody", "purpose": "referral",
                                                       "scope": ["identity"]})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["recipient"]
    assert 'value="nobody"' in response.text and re.search(r'value="identity" checked', response.text)
    assert field(response.text, "idempotency_key") != hidden["idempotency_key"]


def test_withdrawing_a_consent_asks_to_confirm_then_withdraws_it(signed_in, services):
    token = signed_in.csrf(FILE)
    page = signed_in.post(f"{FILE}/consents/withdrawal", {"csrf_token": token, "recipient": "family",
                                                          "purpose": "family_involvement"})
    assert page.status_code == 200 and "Withdraw this consent?" in page.text and "Family involvement" in page.text
    assert services.made("withdraw_consent") == []
    confirmed = {name: field(page.text, name, form="confirm-form")
                 for name in ("csrf_token", "idempotency_key", "recipient", "purpose", "confirmed")}
    assert confirmed["confirmed"] == "yes" and confirmed["recipient"] == "family"
    response = signed_in.post(f"{FILE}/consents/withdrawal", confirmed)
    assert response.headers["Location"] == f"{FILE}?notice=consent_withdrawn#consents"
    call = sent(services, "withdraw_consent")
    assert call["payload"] == {"actor": WORKER, "client_id": CLIENT, "recipient": "family",
                               "purpose": "family_involvement"}
    assert call["idempotency_key"] == confirmed["idempotency_key"]
    assert signed_in.get(f"{FILE}/consents/withdrawal").headers["Location"] == f"{FILE}#consents"


def test_a_consent_no_longer_in_force_is_said_on_the_confirmation_page(signed_in, services):
    services.answers["intake.withdraw_consent"] = NotFound("no consent in force", {"consent": ["none"]})
    response = signed_in.post(f"{FILE}/consents/withdrawal", {
        "csrf_token": signed_in.csrf(FILE), "recipient": "family", "purpose": "family_involvement",
        "confirmed": "yes"})
    assert response.status_code == 404 and "no such page or record" in response.text
    assert "Withdraw this consent?" in response.text


# -- the trajectory as a whole ----------------------------------------------------------------

def test_the_plan_review_starts_from_the_plan_and_is_sent_if_unchanged(signed_in, services):
    hidden = signed_in.form(f"{FILE}/plan/review")
    assert hidden["if_match"] == TAG and 'value="a stable home"' in signed_in.get(f"{FILE}/plan/review").text
    typed = {"goal_domain_1": "housing", "goal_text_1": "a stable home", "goal_domain_2": "work",
             "goal_text_2": "a job", "intensity": "fortnightly", "expected_weeks": "30", "reason": "found a flat"}
    response = signed_in.post(f"{FILE}/plan/review", {**hidden, **typed})
    assert response.headers["Location"] == f"{FILE}?notice=plan_reviewed#plan"
    call = sent(services, "review_plan")
    assert call["precondition"] == TAG and call["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "intensity": "fortnightly", "expected_weeks": 30,
        "reason": "found a flat", "goals": [{"domain": "housing", "goal": "a stable home"},
                                           {"domain": "work", "goal": "a job"}]}
    services.answers["guidance.review_plan"] = Conflict("changed", {"If-Match": ["now at version 8"]})
    response = signed_in.post(f"{FILE}/plan/review", {**hidden, **typed})
    assert response.status_code == 409 and "Someone changed this meanwhile" in response.text
    assert 'value="a job"' in response.text and field(response.text, "if_match") == TAG


def test_a_plan_review_without_reason_and_a_half_row_names_both(signed_in, services):
    response = send(signed_in, f"{FILE}/plan/review", {"goal_domain_1": "housing", "goal_text_1": "a home",
                                                       "goal_text_3": "work", "intensity": "weekly",
                                                       "expected_weeks": "26"})
    assert response.status_code == 422
    assert {t for t, _ in summary(response.text)} == {"goal_domain_3", "reason"}
    assert services.made("review_plan") == []


def test_recommending_a_psychologist_sends_the_reason(signed_in, services):
    response = send(signed_in, f"{FILE}/psychologist", {"reason": "nightmares"})
    assert response.headers["Location"] == f"{FILE}?notice=psychologist#trajectory"
    assert sent(services, "recommend_psychologist")["payload"] == {"actor": WORKER, "client_id": CLIENT,
                                                                    "reason": "nightmares"}


def test_closing_asks_to_confirm_can_go_back_and_closes_with_the_version_read(signed_in, services):
    hidden = signed_in.form(f"{FILE}/closing")
    assert hidden["if_match"] == TAG
    typed = {"reason": "goals_reached", "summary": "Housed and working."}
    page = signed_in.post(f"{FILE}/closing", {**hidden, **typed})
    assert page.status_code == 200 and "Close the trajectory?" in page.text and "The goals are reached" in page.text
    assert services.made("close_trajectory") == []
    confirmed = {name: field(page.text, name, form="confirm-form")
                 for name in ("csrf_token", "idempotency_key", "if_match", "reason", "summary", "confirmed")}
    back = signed_in.post(f"{FILE}/closing", {**confirmed, "change": "yes"})
    assert back.status_code == 200 and "Housed and working." in back.text and 'id="closing-form"' in back.text
    response = signed_in.post(f"{FILE}/closing", confirmed)
    assert response.headers["Location"] == f"{FILE}?notice=closed#trajectory"
    call = sent(services, "close_trajectory")
    assert call["precondition"] == TAG and call["idempotency_key"] == hidden["idempotency_key"]
    assert call["payload"] == {"actor": WORKER, "client_id": CLIENT, "reason": "goals_reached",
                               "summary": "Housed and working."}
    assert "The trajectory is closed." in signed_in.get(f"{FILE}?notice=closed").text


def test_closing_without_a_summary_is_not_confirmed_but_named(signed_in, services):
    response = send(signed_in, f"{FILE}/closing", {"reason": "moved"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["summary"]
    assert "Close the trajectory?" not in response.text


def test_reopening_by_a_caseworker_is_refused_in_words_a_person_understands(signed_in, services):
    services.answers["guidance.reopen_trajectory"] = Forbidden("only a coordinator reopens")
    response = send(signed_in, f"{FILE}/reopening", {"reason": "back from Ghent", "confirmed": "yes"})
    assert response.status_code == 403 and "not for your role or your agency" in response.text
    assert "only a coordinator" not in response.text and "back from Ghent" in response.text


# -- conditions, appointments, network, procedures -----------------------------------------------

def test_a_condition_is_sent_as_typed_and_an_end_before_its_start_is_named(signed_in, services):
    typed = {"kind": "condition", "description": "report monthly", "starts": "2026-03-01", "authority": "court"}
    response = send(signed_in, f"{FILE}/conditions/new", {**typed, "ends": "2026-02-01"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["ends"]
    assert 'value="2026-02-01"' in response.text and services.made("record_condition") == []
    response = send(signed_in, f"{FILE}/conditions/new", {**typed, "ends": ""})
    assert response.headers["Location"] == f"{FILE}?notice=condition#conditions"
    assert sent(services, "record_condition")["payload"] == {"actor": WORKER, "client_id": CLIENT, **typed}


def test_support_with_a_condition_names_the_condition_and_sends_its_id(signed_in, services):
    assert "no contact with the victim" in signed_in.get(f"{FILE}/conditions/co1/support").text
    response = send(signed_in, f"{FILE}/conditions/co1/support", {"support": "went over it", "on": "2026-03-02"})
    assert response.headers["Location"] == f"{FILE}?notice=condition_support#conditions"
    assert sent(services, "support_condition")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "condition_id": "co1", "support": "went over it", "on": "2026-03-02"}


def test_an_appointment_during_a_leave_permit_is_sent_in_brussels_time(signed_in, services):
    response = send(signed_in, f"{FILE}/appointments/new", {
        "at_date": "2026-12-01", "at_time": "10:00", "with_actor": "court", "purpose": "hearing",
        "accompanied_by": "apo-sa-1", "permit_from_date": "2026-12-01", "permit_from_time": "08:00",
        "permit_until_date": "2026-12-01", "permit_until_time": "18:00"})
    assert response.headers["Location"] == f"{FILE}?notice=appointment#appointments"
    assert sent(services, "plan_appointment")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "at": "2026-12-01T10:00:00+01:00", "with_actor": "court",
        "purpose": "hearing", "accompanied_by": "apo-sa-1",
        "leave_permit": {"from": "2026-12-01T08:00:00+01:00", "until": "2026-12-01T18:00:00+01:00"}}


def test_an_appointment_outside_its_leave_permit_or_with_half_a_permit_is_named(signed_in, services):
    typed = {"at_date": "2026-12-01", "at_time": "20:00", "with_actor": "doctor", "purpose": "check-up",
             "permit_from_date": "2026-12-01", "permit_from_time": "08:00"}
    response = send(signed_in, f"{FILE}/appointments/new", typed)
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["permit_until_date"]
    response = send(signed_in, f"{FILE}/appointments/new", {**typed, "permit_until_date": "2026-12-01",
                                                            "permit_until_time": "18:00"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["at_date"]
    response = send(signed_in, f"{FILE}/appointments/new", {**typed, "at_time": "25:00"})
    assert "Enter the date and time" in response.text and 'value="25:00"' in response.text
    assert services.made("plan_appointment") == []


def test_how_an_appointment_went_is_sent_for_that_appointment(signed_in, services):
    assert "prepare the hearing" in signed_in.get(f"{FILE}/appointments/ap1/outcome").text
    response = send(signed_in, f"{FILE}/appointments/ap1/outcome", {"outcome": "held"})
    assert response.headers["Location"] == f"{FILE}?notice=appointment_outcome#appointments"
    assert sent(services, "record_appointment_outcome")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "appointment_id": "ap1", "outcome": "held"}


def test_someone_added_to_the_network(signed_in, services):
    response = send(signed_in, f"{FILE}/network/new", {"relation": "sibling", "known_as": "Karim"})
    assert response.headers["Location"] == f"{FILE}?notice=network_member#network"
    assert sent(services, "add_network_member")["payload"] == {"actor": WORKER, "client_id": CLIENT,
                                                                "relation": "sibling", "known_as": "Karim"}


def test_a_contact_without_the_clients_consent_says_to_record_it_first(signed_in, services):
    services.answers["guidance.record_network_contact"] = Forbidden(
        "the client has not agreed to involve their family",
        {"consent": ["no consent in force for purpose family_involvement"]})
    typed = {"on": "2026-03-03", "kind": "visit", "note": "she will host him"}
    response = send(signed_in, f"{FILE}/network/me1/contacts/new", typed)
    assert response.status_code == 403 and "record their consent first" in response.text
    assert "she will host him" in response.text
    services.answers["guidance.record_network_contact"] = {"member_id": "me1"}
    response = send(signed_in, f"{FILE}/network/me1/contacts/new", typed)
    assert response.headers["Location"] == f"{FILE}?notice=network_contact#network"
    assert services.made("record_network_contact")[-1]["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "member_id": "me1", **typed}


def test_a_return_home_is_prepared_for_the_leave_permit(signed_in, services):
    response = send(signed_in, f"{FILE}/network/me1/return-home", {
        "permit_from_date": "2026-12-24", "permit_from_time": "09:00", "permit_until_date": "2026-12-26",
        "permit_until_time": "18:00", "note": "room ready"})
    assert response.headers["Location"] == f"{FILE}?notice=return_home#network"
    assert sent(services, "prepare_return_home")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "member_id": "me1", "note": "room ready",
        "leave_permit": {"from": "2026-12-24T09:00:00+01:00", "until": "2026-12-26T18:00:00+01:00"}}
    response = send(signed_in, f"{FILE}/network/me1/return-home", {"note": "no dates"})
    assert response.status_code == 422 and {t for t, _ in summary(response.text)} == {"permit_from_date",
                                                                                       "permit_until_date"}


def test_a_procedure_started_a_step_and_its_end(signed_in, services):
    response = send(signed_in, f"{FILE}/procedures/new", {"kind": "residence_status", "on": "2026-04-01"})
    assert response.headers["Location"] == f"{FILE}?notice=procedure#procedures"
    assert sent(services, "start_procedure")["payload"] == {"actor": WORKER, "client_id": CLIENT,
                                                             "kind": "residence_status", "on": "2026-04-01"}
    response = send(signed_in, f"{FILE}/procedures/pr1/steps/new", {"step": "hearing set", "on": "2026-04-02"})
    assert response.headers["Location"] == f"{FILE}?notice=procedure_step#procedures"
    assert sent(services, "record_procedure_step")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "procedure_id": "pr1", "step": "hearing set", "on": "2026-04-02"}
    response = send(signed_in, f"{FILE}/procedures/pr1/outcome", {"outcome": "granted", "on": "2026-05-02"})
    assert response.headers["Location"] == f"{FILE}?notice=procedure_end#procedures"
    assert sent(services, "end_procedure")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "procedure_id": "pr1", "outcome": "granted", "on": "2026-05-02"}


def test_a_step_with_a_date_that_is_none_is_named_and_the_procedure_shown(signed_in, services):
    response = send(signed_in, f"{FILE}/procedures/pr1/steps/new", {"step": "", "on": "2026-02-31"})
    assert response.status_code == 422 and {t for t, _ in summary(response.text)} == {"step", "on"}
    assert "Enter a real date." in response.text and "Rehabilitation" in response.text
    assert services.made("record_procedure_step") == []


def test_every_casework_notice_is_one_the_file_can_show():
    codes = {"help_request", "languages", "consent", "consent_withdrawn", "plan_reviewed", "psychologist", "closed",
             "reopened", "condition", "condition_support", "appointment", "appointment_outcome", "network_member",
             "network_contact", "return_home", "procedure", "procedure_step", "procedure_end"}
    assert codes <= set(pages_app.NOTICES)
