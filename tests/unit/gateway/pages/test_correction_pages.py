"""The corrections' pages (issue 20: views/corrections.py, views/situation.py,
views/goal_outcomes.py) through werkzeug's test client, the services' answers given by
the test: the file offers each correction only where it may be made and to whom, each
form renders with its hidden fields, sends the command the contract asks (with the
version read as ``if_match`` where it has one), names each wrong field in the summary
and changes nothing, confirms before it ends something, and leads back with a notice."""
import re

import pytest
from jinja2 import Environment, FileSystemLoader

from shared import concurrency
from shared.contracts import guidance as guidance_contract
from shared.contracts import intake_vocabulary as iv
from shared.errors import Conflict, Forbidden, InvalidInput
from services.gateway.pages import app as pages_app
from services.gateway.pages.views.casework import today
from tests.unit.gateway.pages.support import CLIENT, TRAJECTORY, WORKER, Browser, Services, field, summary

FILE = f"/app/clients/{CLIENT}"
COORDINATOR = {**WORKER, "user_id": "apo-coord", "role": "coordinator"}
STANDING = "0b7c1f8e-52a8-4d0c-9a43-8d1a51f2e001"
RETRACTED = "0b7c1f8e-52a8-4d0c-9a43-8d1a51f2e002"
RIGHT_CLIENT = "9d2b6f1e-0c3a-4b55-8e77-1f2a3b4c5d6e"
REFERRAL = "5b0f5a44-8c8e-4c43-9a55-3a1ef1c5a001"


def intervention(intervention_id: str, **more) -> dict:
    return {"intervention_id": intervention_id, "at": "2026-11-20T09:00:00+00:00", "minutes": 45, "place": "office",
            "method": "informing_guiding_following_up", "sub_kind": "budget_support", "domains": ["housing"],
            "interpreter": None, "note": "talked about rent", "next_steps": "", "worker": "apo-sa-1",
            "worker_profile": "social_assistant", "replaces": None, "version": 2,
            "amendments": [{"changed": ["minutes"], "by": "apo-sa-1"}], "retracted": None, **more}


APPOINTMENT = {"appointment_id": "ap1", "at": "2027-01-10T10:00:00+01:00", "with_actor": "lawyer",
               "purpose": "prepare the hearing", "accompanied_by": None, "outcome": None, "leave_permit": None,
               "cancelled": False, "rescheduled_from": ["2027-01-08T10:00:00+01:00"]}
CANCELLED = {**APPOINTMENT, "appointment_id": "ap2", "purpose": "see the doctor", "cancelled": True,
             "rescheduled_from": []}
PLAN = {"goals": [{"domain": "housing", "goal": "a stable home"}, {"domain": "work", "goal": "a job"}],
        "intensity": "weekly", "expected_weeks": 26}
TRAJECTORY_ANSWER = {
    "trajectory_id": TRAJECTORY, "client_id": CLIENT, "version": 7, "agency": "apo", "worker": "apo-sa-1",
    "status": "open", "plan": PLAN, "next_contact_due": None, "appointments": [APPOINTMENT, CANCELLED],
    "interventions": [intervention(STANDING),
                      intervention(RETRACTED, amendments=[],
                                   retracted={"by": "apo-sa-1", "recorded_again_as": RIGHT_CLIENT})],
    "goal_outcomes": [{"when": "review", "by": "apo-sa-1",
                       "outcomes": [{"goal_number": 1, "domain": "housing", "outcome": "partly"}]}],
    "conditions": [], "network": [], "procedures": [], "psychologist_recommendations": [], "closings": [],
    "withheld": {}}
CLIENT_FILE = {
    "client_id": CLIENT, "version": 3, "agency": "apo", "status": "accepted", "worker": "apo-sa-1",
    "personal": {"given_names": "Amina", "family_name": "Example", "birth_date": "1990-03-12",
                 "national_number": None, "contact": {"phone": "+32 2 123 45 67"}},
    "interpreter": None, "legal_position": "convicted", "situation": "probation",
    "mandating_actor": {"kind": "justice_assistant", "name": "J. Peeters"}, "languages": ["fr"],
    "preferred_language": "fr", "interpreter_needed": False, "help_requests": [], "consents": [],
    "decisions": [], "erased": None, "legal_hold": None, "duplicate_check": None, "transferred": None,
    "withheld": {},
    "legal_situation_history": [{
        "effective_from": "2026-10-01", "changed": ["situation"], "from": {"situation": "prison_leave"},
        "to": {"situation": "probation"}, "reason": "released on probation", "by": WORKER,
        "recorded": "2026-10-03T09:00:00+00:00"}],
    "contact_history": [{"effective_from": "2026-10-02", "contact": {"phone": "+32 2 123 45 67"}, "reason": "",
                         "by": WORKER, "recorded": "2026-10-03T09:05:00+00:00"}]}


def referral(state: str) -> dict:
    return {"referral_id": REFERRAL, "partner": "transit", "domains": ["addiction"], "reason": "Support with use",
            "state": state, "outcome": None, "consent_withdrawn": False, "stalled": [], "notes": [], "withheld": {},
            "history": [{"state": "proposed", "at": "2026-11-01T10:00:00+00:00", "by": "apo-sa-1",
                         "by_role": "social_assistant"}]}


@pytest.fixture
def services():
    services = Services()
    services.answers.update({"guidance.trajectory": TRAJECTORY_ANSWER, "intake.client_file": CLIENT_FILE,
                             "referrals.referral_history": [referral("sent")], "referrals.partners": []})
    return services


def browser_as(services, actor) -> Browser:
    services.answers["accounts.sign_in"] = {**services.answers["accounts.sign_in"], "actor": actor}
    browser = Browser(services)
    assert browser.sign_in(actor["user_id"]).status_code == 303
    return browser


@pytest.fixture
def worker(services):
    return browser_as(services, WORKER)


@pytest.fixture
def coordinator(services):
    return browser_as(services, COORDINATOR)


def send(browser, path: str, typed: dict):
    """The form at ``path`` filled with ``typed`` and sent, with its own hidden fields."""
    return browser.post(path, {**browser.form(path), **typed})


def confirmed(browser, path: str, typed: dict) -> dict:
    """The form sent, then its confirmation page's fields, as the confirm button sends them."""
    page = send(browser, path, typed)
    assert page.status_code == 200 and 'id="confirm-form"' in page.text, page.text[-2000:]
    names = re.findall(r'name="([\w-]+)" value=', page.text[page.text.index('id="confirm-form"'):])
    return {name: field(page.text, name, form="confirm-form") for name in names if name != "change"}


def sent(services, rpc: str) -> dict:
    (call,) = services.made(rpc)
    return call


# -- the file ----------------------------------------------------------------------------------

def test_the_file_offers_each_correction_where_it_may_be_made(worker):
    html = worker.get(FILE).text
    for link in (f"interventions/{STANDING}/correction", f"interventions/{STANDING}/retraction",
                 "appointments/ap1/move", "appointments/ap1/cancellation", "legal-situation", "contact"):
        assert f'href="{FILE}/{link}"' in html, link
    # Retracted: struck, labelled, linked to where it was recorded again; no correction offered.
    item = re.search(rf'<li class="timeline-item retracted" id="intervention-{RETRACTED}">.*?</li>\s*(?=<li|</ol)',
                     html, re.S).group(0)
    assert "<del>" in item and "Recorded in error" in item and "Retracted by apo-sa-1" in item
    assert "Recorded again on the right client" in item and "/correction" not in item and "/retraction" not in item
    assert "Corrected by apo-sa-1: duration" in html
    # A cancelled appointment: labelled, and neither moved, cancelled nor given an outcome.
    cancelled = re.search(r'<li id="appointment-ap2">.*?</li>', html, re.S).group(0)
    assert "Cancelled" in cancelled and "/move" not in cancelled and "/outcome" not in cancelled
    assert "moved from" in re.search(r'<li id="appointment-ap1">.*?</li>', html, re.S).group(0)
    # The situation over time, and the goals' outcomes.
    assert "J. Peeters" in html and "+32 2 123 45 67" in html
    history = re.search(r'<ol class="steps" id="legal-situation-history">.*?</ol>', html, re.S).group(0)
    assert "Prison leave" in history and "Probation" in history and "released on probation" in history
    assert 'id="contact-history"' in html
    assert "At a review" in html and "Partly reached" in html
    assert "intake-reopening" not in html  # accepted, and reopening an intake is the coordinator's


def test_a_closed_trajectory_offers_no_correction(services, worker):
    services.answers["guidance.trajectory"] = {**TRAJECTORY_ANSWER, "status": "closed"}
    html = worker.get(FILE).text
    assert "/correction" not in html and "/retraction" not in html and "/move" not in html


def test_only_the_coordinator_is_offered_to_reopen_a_declined_intake(services):
    services.answers["intake.client_file"] = {**CLIENT_FILE, "status": "declined", "worker": None}
    assert f'href="{FILE}/intake-reopening"' not in browser_as(services, WORKER).get(FILE).text
    assert f'href="{FILE}/intake-reopening"' in browser_as(services, COORDINATOR).get(FILE).text


PAGES = [f"interventions/{STANDING}/correction", f"interventions/{STANDING}/retraction", "appointments/ap1/move",
         "appointments/ap1/cancellation", "legal-situation", "contact", f"referrals/{REFERRAL}/cancellation"]


@pytest.mark.parametrize("path", PAGES)
def test_each_form_is_a_page_of_its_own_with_its_hidden_fields(worker, path):
    response = worker.get(f"{FILE}/{path}")
    assert response.status_code == 200
    assert re.search(r'<main.*<form id="[\w-]+-form" method="post"', response.text, re.S)
    assert set(worker.form(f"{FILE}/{path}")) >= {"csrf_token", "idempotency_key"}


@pytest.mark.parametrize("path", [f"interventions/{RIGHT_CLIENT}/correction", "appointments/nope/move",
                                  "appointments/nope/cancellation"])
def test_a_part_of_the_file_that_is_not_there_is_a_404_page(worker, path):
    assert worker.get(f"{FILE}/{path}").status_code == 404


# -- an intervention corrected and retracted --------------------------------------------------------

def test_a_correction_sends_only_what_changed_with_the_version_read(worker, services):
    path = f"{FILE}/interventions/{STANDING}/correction"
    page = worker.get(path).text
    assert 'value="45"' in page and "talked about rent" in page and 'value="2026-11-20"' in page
    hidden = worker.form(path)
    assert hidden["if_match"] == concurrency.tag(STANDING, 2)
    response = worker.post(path, {**hidden, "at_date": "2026-11-20", "at_time": "10:00", "minutes": "60",
                                  "place": "office", "method": "informing_guiding_following_up",
                                  "sub_kind": "budget_support", "domains": ["housing"], "note": "talked about rent",
                                  "next_steps": "", "reason": "it took an hour"})
    assert response.headers["Location"] == f"{FILE}?notice=intervention_amended#interventions"
    call = sent(services, "amend_intervention")
    assert call["payload"] == {"actor": WORKER, "intervention_id": STANDING, "minutes": 60,
                               "reason": "it took an hour"}
    assert call["precondition"] == hidden["if_match"] and call["idempotency_key"] == hidden["idempotency_key"]
    assert "The correction of the intervention is recorded." in worker.get(f"{FILE}?notice=intervention_amended").text


def test_a_correction_that_changes_nothing_or_gives_no_reason_is_not_sent(worker, services):
    path = f"{FILE}/interventions/{STANDING}/correction"
    as_read = {"at_date": "2026-11-20", "at_time": "10:00", "minutes": "45", "place": "office",
               "method": "informing_guiding_following_up", "sub_kind": "budget_support", "domains": ["housing"],
               "note": "talked about rent", "next_steps": ""}
    response = send(worker, path, {**as_read, "reason": "nothing really"})
    assert response.status_code == 422 and "Nothing is changed" in response.text
    response = send(worker, path, {**as_read, "minutes": "soon", "domains": ["work"]})
    assert response.status_code == 422 and {t for t, _ in summary(response.text)} == {"minutes", "reason"}
    assert 'value="soon"' in response.text and re.search(r'value="work" checked', response.text)
    assert services.made("amend_intervention") == []


def test_a_correction_of_an_intervention_changed_meanwhile_says_so(worker, services):
    services.answers["guidance.amend_intervention"] = Conflict("changed", {"If-Match": ["now at version 3"]})
    response = send(worker, f"{FILE}/interventions/{STANDING}/correction", {
        "at_date": "2026-11-20", "at_time": "10:00", "minutes": "50", "place": "office",
        "method": "informing_guiding_following_up", "sub_kind": "budget_support", "domains": ["housing"],
        "note": "talked about rent", "reason": "50 minutes"})
    assert response.status_code == 409 and "Someone changed this meanwhile" in response.text


def test_a_retraction_asks_to_confirm_then_records_it_again_on_the_right_client(worker, services):
    path = f"{FILE}/interventions/{STANDING}/retraction"
    fields = confirmed(worker, path, {"reason": "wrong client",
                                      "right_client": f"http://localhost/app/clients/{RIGHT_CLIENT}"})
    assert services.made("retract_intervention") == []
    response = worker.post(path, fields)
    assert response.headers["Location"] == f"{FILE}?notice=intervention_retracted#interventions"
    call = sent(services, "retract_intervention")
    assert call["payload"] == {"actor": WORKER, "intervention_id": STANDING, "reason": "wrong client",
                               "client_id": RIGHT_CLIENT}
    assert call["precondition"] == concurrency.tag(STANDING, 2)


def test_a_retraction_without_reason_or_with_no_file_reference_names_both(worker, services):
    response = send(worker, f"{FILE}/interventions/{STANDING}/retraction", {"right_client": "Amina's file"})
    assert response.status_code == 422 and {t for t, _ in summary(response.text)} == {"reason", "right_client"}
    assert "Amina&#39;s file" in response.text and services.made("retract_intervention") == []


# -- an appointment moved and cancelled -----------------------------------------------------------

def test_an_appointment_moves_in_brussels_time_with_the_trajectorys_version(worker, services):
    path = f"{FILE}/appointments/ap1/move"
    assert 'value="2027-01-10"' in worker.get(path).text and 'value="10:00"' in worker.get(path).text
    response = send(worker, path, {"at_date": "2027-01-12", "at_time": "14:30", "reason": "the lawyer is ill"})
    assert response.headers["Location"] == f"{FILE}?notice=appointment_moved#appointments"
    call = sent(services, "reschedule_appointment")
    assert call["payload"] == {"actor": WORKER, "client_id": CLIENT, "appointment_id": "ap1",
                               "at": "2027-01-12T14:30:00+01:00", "reason": "the lawyer is ill"}
    assert call["precondition"] == concurrency.tag(TRAJECTORY, 7)


def test_a_move_into_the_past_is_named_next_to_the_date(worker, services):
    services.answers["guidance.reschedule_appointment"] = InvalidInput(
        "an appointment moves to a time still to come", {"at": ["is in the past"]})
    response = send(worker, f"{FILE}/appointments/ap1/move", {"at_date": "2020-01-12", "at_time": "14:30",
                                                              "reason": "moved"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["at_date"]
    assert 'value="2020-01-12"' in response.text


def test_a_cancellation_asks_to_confirm_and_needs_a_reason(worker, services):
    path = f"{FILE}/appointments/ap1/cancellation"
    response = send(worker, path, {"reason": ""})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["reason"]
    fields = confirmed(worker, path, {"reason": "the hearing is postponed"})
    response = worker.post(path, fields)
    assert response.headers["Location"] == f"{FILE}?notice=appointment_cancelled#appointments"
    assert sent(services, "cancel_appointment")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "appointment_id": "ap1", "reason": "the hearing is postponed"}


# -- a referral cancelled, withdrawn, reopened ---------------------------------------------------------

@pytest.mark.parametrize("state, offered", [("sent", "cancel"), ("accepted", "withdraw"), ("dropped_out", "reopen"),
                                            ("completed", None)])
def test_the_referral_page_offers_what_its_state_allows(worker, services, state, offered):
    services.answers["referrals.referral_history"] = [referral(state)]
    html = worker.get(f"{FILE}/referrals/{REFERRAL}").text
    found = re.findall(r'id="(\w+)-referral-link"', html)
    assert found == ([offered] if offered else [])


def test_a_referral_is_cancelled_after_a_confirmation_and_back_on_its_page(worker, services):
    path = f"{FILE}/referrals/{REFERRAL}/cancellation"
    response = send(worker, path, {"reason": " "})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["reason"]
    fields = confirmed(worker, path, {"reason": "the client found help elsewhere"})
    response = worker.post(path, fields)
    assert response.headers["Location"] == f"{FILE}/referrals/{REFERRAL}?notice=referral_cancelled"
    call = sent(services, "cancel_referral")
    assert call["payload"] == {"actor": WORKER, "referral_id": REFERRAL, "reason": "the client found help elsewhere"}
    assert call["idempotency_key"] == fields["idempotency_key"]


def test_a_referral_that_can_no_longer_be_cancelled_says_so(worker, services):
    services.answers["referrals.cancel_referral"] = Conflict(
        "a referral that is accepted cannot be cancelled", {"step": ["the referral is accepted"]})
    response = worker.post(f"{FILE}/referrals/{REFERRAL}/cancellation", {
        **worker.form(f"{FILE}/referrals/{REFERRAL}/cancellation"), "reason": "no longer needed",
        "confirmed": "yes"})
    assert response.status_code == 409 and "does not allow this step now" in response.text


def test_a_reopening_needs_no_confirmation_and_says_a_missing_consent(worker, services):
    services.answers["referrals.referral_history"] = [referral("dropped_out")]
    services.answers["referrals.reopen_referral"] = Forbidden("no consent", {"consent": ["none in force"]})
    path = f"{FILE}/referrals/{REFERRAL}/reopening"
    response = send(worker, path, {"reason": "back in Brussels"})
    assert response.status_code == 403 and "Record the client&#39;s consent first" in response.text
    services.answers["referrals.reopen_referral"] = {"referral_id": REFERRAL, "state": "acknowledged"}
    response = send(worker, path, {"reason": "back in Brussels"})
    assert response.headers["Location"] == f"{FILE}/referrals/{REFERRAL}?notice=referral_reopened"


# -- the client's situation ---------------------------------------------------------------------------

def test_the_legal_situation_starts_from_the_file_and_sends_what_changed(worker, services):
    path = f"{FILE}/legal-situation"
    page = worker.get(path).text
    assert re.search(r'<option value="probation" selected>', page) and 'value="J. Peeters"' in page
    hidden = worker.form(path)
    assert hidden["if_match"] == concurrency.tag(CLIENT, 3)
    response = worker.post(path, {**hidden, "legal_position": "convicted", "situation": "conditional_release",
                                  "mandating_kind": "justice_assistant", "mandating_name": "J. Peeters",
                                  "effective_from": "2026-11-15", "reason": "conditional release granted"})
    assert response.headers["Location"] == f"{FILE}?notice=legal_situation#intake"
    call = sent(services, "change_legal_situation")
    assert call["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "legal_position": "convicted", "situation": "conditional_release",
        "mandating_actor": {"kind": "justice_assistant", "name": "J. Peeters"}, "effective_from": "2026-11-15",
        "reason": "conditional release granted"}
    assert call["precondition"] == hidden["if_match"]


def test_a_legal_situation_from_a_day_to_come_or_unchanged_is_not_sent(worker, services):
    path = f"{FILE}/legal-situation"
    response = send(worker, path, {"legal_position": "convicted", "situation": "conditional_release",
                                   "effective_from": "2999-01-01", "reason": "x"})
    assert response.status_code == 422
    assert {t for t, _ in summary(response.text)} == {"effective_from", "reason"}  # and a reason too short
    response = send(worker, path, {"legal_position": "convicted", "situation": "probation",
                                   "mandating_kind": "justice_assistant", "mandating_name": "J. Peeters",
                                   "effective_from": today(), "reason": "checked again"})
    assert response.status_code == 422 and "Nothing changes" in response.text
    assert services.made("change_legal_situation") == []


def test_contact_details_are_sent_whole_and_a_wrong_phone_is_named(worker, services):
    path = f"{FILE}/contact"
    assert 'value="+32 2 123 45 67"' in worker.get(path).text
    response = send(worker, path, {"phone": "call me", "email": "", "address": "", "effective_from": today()})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["phone"]
    assert services.made("change_contact_details") == []
    response = send(worker, path, {"phone": "", "email": "amina@example.org", "address": "Rue Haute 1, Bruxelles",
                                   "effective_from": "2026-11-01", "reason": "new flat"})
    assert response.headers["Location"] == f"{FILE}?notice=contact_details#intake"
    assert sent(services, "change_contact_details")["payload"] == {
        "actor": WORKER, "client_id": CLIENT, "effective_from": "2026-11-01", "reason": "new flat",
        "contact": {"email": "amina@example.org", "address": "Rue Haute 1, Bruxelles"}}


def test_the_coordinator_reopens_a_declined_intake_after_a_confirmation(coordinator, services):
    services.answers["intake.client_file"] = {**CLIENT_FILE, "status": "declined", "worker": None}
    path = f"{FILE}/intake-reopening"
    fields = confirmed(coordinator, path, {"reason": "she asks for help again"})
    response = coordinator.post(path, fields)
    assert response.headers["Location"] == f"{FILE}?notice=intake_reopened#intake"
    call = sent(services, "reopen_intake")
    assert call["payload"] == {"actor": COORDINATOR, "client_id": CLIENT, "reason": "she asks for help again"}
    assert call["precondition"] == concurrency.tag(CLIENT, 3)


def test_a_caseworker_is_refused_the_intake_reopening_page_and_its_post(worker, services):
    path = f"{FILE}/intake-reopening"
    assert worker.get(path).status_code == 403
    response = worker.post(path, {"csrf_token": worker.csrf(FILE), "reason": "try", "confirmed": "yes"})
    assert response.status_code == 403 and "not for your role" in response.text
    assert services.made("reopen_intake") == []


# -- goal outcomes at a review and at closing ---------------------------------------------------------

def test_a_review_records_the_outcome_of_the_goals_chosen(worker, services):
    path = f"{FILE}/plan/review"
    page = worker.get(path).text
    assert 'id="goal_outcome_1"' in page and 'id="goal_outcome_2"' in page and "a stable home" in page
    response = send(worker, path, {"goal_domain_1": "housing", "goal_text_1": "a stable home", "intensity": "weekly",
                                   "expected_weeks": "26", "reason": "flat found", "goal_outcome_2": "reached"})
    assert response.headers["Location"] == f"{FILE}?notice=plan_reviewed#plan"
    assert sent(services, "review_plan")["payload"]["goal_outcomes"] == [{"goal_number": 2, "outcome": "reached"}]


def test_a_goal_outcome_the_service_refuses_is_named_next_to_its_goal(worker, services):
    services.answers["guidance.review_plan"] = InvalidInput("no such goal",
                                                            {"goal_outcomes": ["the plan has 2 goals"]})
    response = send(worker, f"{FILE}/plan/review", {
        "goal_domain_1": "housing", "goal_text_1": "a home", "intensity": "weekly", "expected_weeks": "26",
        "reason": "r", "goal_outcome_2": "partly"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["goal_outcome_2"]


def test_closing_confirms_the_goal_outcomes_and_sends_them(worker, services):
    path = f"{FILE}/closing"
    fields = confirmed(worker, path, {"reason": "goals_reached", "summary": "Housed.", "goal_outcome_1": "reached",
                                      "goal_outcome_2": "not_reached"})
    assert fields["goal_outcome_2"] == "not_reached"
    response = worker.post(path, fields)
    assert response.headers["Location"] == f"{FILE}?notice=closed#trajectory"
    assert sent(services, "close_trajectory")["payload"]["goal_outcomes"] == [
        {"goal_number": 1, "outcome": "reached"}, {"goal_number": 2, "outcome": "not_reached"}]


# -- what the pages share -------------------------------------------------------------------------------

def test_every_correction_notice_is_one_the_file_can_show():
    codes = {"intervention_amended", "intervention_retracted", "appointment_moved", "appointment_cancelled",
             "referral_cancelled", "referral_withdrawn", "referral_reopened", "legal_situation", "contact_details",
             "intake_reopened"}
    assert codes <= set(pages_app.NOTICES)


def test_the_labels_of_the_corrections_lists_are_the_contracts_codes():
    labels = Environment(loader=FileSystemLoader(pages_app.HERE / "templates"), extensions=["jinja2.ext.i18n"])
    labels.install_null_translations(newstyle=True)
    module = labels.get_template("correction_labels.html").module
    assert tuple(module.mandating_actors) == iv.MANDATING_ACTORS
    assert tuple(module.amended) == guidance_contract.AMENDABLE
    assert tuple(module.goal_outcomes) == guidance_contract.GOAL_OUTCOMES


# -- what the services really answer -----------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    """A realistic case run through all the services in memory (tests/unit/gateway/answer_case.py),
    its corrections included."""
    from tests.unit.gateway.answer_case import run_case

    answers = run_case().answers
    client_file = next(f for f in answers["intake.client_file"] if f.get("legal_situation_history"))
    trajectory = next(t for t in answers["guidance.trajectory"] if t["client_id"] == client_file["client_id"]
                      and any(i["retracted"] for i in t.get("interventions") or []))
    return {"intake.client_file": client_file, "guidance.trajectory": trajectory,
            "referrals.referral_history": answers["referrals.referral_history"][-1], "referrals.partners": []}


def test_the_file_shows_the_corrections_the_services_answer_in_dutch(real):
    services = Services()
    services.answers.update(real)
    browser = browser_as(services, WORKER)
    browser.post("/app/language", {"csrf_token": browser.csrf("/app/caseload"), "language": "nl"})
    client_id = real["intake.client_file"]["client_id"]
    html = browser.get(f"/app/clients/{client_id}").text
    assert "Foutief geregistreerd" in html and "<del>" in html  # a retracted intervention
    assert "Geannuleerd" in html  # a cancelled appointment
    assert 'id="legal-situation-history"' in html and 'id="contact-history"' in html
    assert "Bij de afsluiting" in html and "Gedeeltelijk bereikt" in html  # goal outcomes at closing
    assert "Geannuleerd door de dienst" in html and "Ingetrokken door de dienst" in html  # referral states


def test_the_referral_page_renders_each_corrected_referral(real):
    services = Services()
    services.answers.update(real)
    browser = browser_as(services, WORKER)
    client_id = real["intake.client_file"]["client_id"]
    for entry in real["referrals.referral_history"]:
        response = browser.get(f"/app/clients/{client_id}/referrals/{entry['referral_id']}")
        assert response.status_code == 200
        offered = re.findall(r'id="(\w+)-referral-link"', response.text)
        expected = {"proposed": ["cancel"], "acknowledged": ["cancel"], "cancelled": [], "withdrawn": [],
                    "completed": [], "declined": []}
        assert offered == expected[entry["state"]], entry["state"]
