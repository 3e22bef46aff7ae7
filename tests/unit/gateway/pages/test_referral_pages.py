"""The referral, attendance-certificate, partner and partner-directory pages through
werkzeug's test client, with the services' answers given by the test: each form's
command and key, its errors next to the fields and in the summary with what was
typed kept, the refusals in the person's words (a consent missing above all), and
what a partner's user is shown."""
import re
import uuid

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput
from tests.unit.gateway.pages.support import CLIENT, TRAJECTORY, WORKER, Browser, Services, field, summary

REFERRAL = "5b0f5a44-8c8e-4c43-9a55-3a1ef1c5a001"
PARTNER_USER = {"user_id": "transit-1", "role": "partner", "agency": "transit"}
COORDINATOR = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
TRANSIT = {"code": "transit", "name": "Transit", "kind": "addiction", "agency": None,
           "domains": ["addiction", "housing"], "languages": ["fr", "nl", "ar"], "channel": "phone",
           "typical_wait_days": 3, "sample": True}
CASMD = {**TRANSIT, "code": "casmd", "name": "CASMD", "kind": "debt_mediation", "channel": "platform",
         "domains": ["income_debts"]}
STEP_PROPOSED = {"state": "proposed", "at": "2026-11-30T09:00:00+00:00", "by": "apo-sa-1",
                 "by_role": "social_assistant", "reason": None, "outcome": None}
STEP_SENT = {**STEP_PROPOSED, "state": "sent", "at": "2026-11-30T09:01:00+00:00"}
STEP_ACKNOWLEDGED = {**STEP_PROPOSED, "state": "acknowledged", "at": "2026-11-30T10:00:00+00:00", "by": "transit-1",
                     "by_role": "partner"}


def history_entry(state="proposed", steps=(STEP_PROPOSED,), partner="transit", **more):
    return {"referral_id": REFERRAL, "partner": partner, "domains": ["addiction"], "reason": "Support with use",
            "state": state, "outcome": None, "consent_withdrawn": False, "history": list(steps), "stalled": [],
            "notes": [{"at": "2026-11-30T11:00:00+00:00", "by": "transit-1", "by_role": "partner",
                       "note": "First appointment on Monday"}], "withheld": {}, **more}


def partner_referral(consent=True, state="sent"):
    steps = [STEP_PROPOSED, STEP_SENT] + ([STEP_ACKNOWLEDGED] if state == "acknowledged" else [])
    return {"referral_id": REFERRAL, "client_id": CLIENT, "agency": "apo", "state": state,
            "since": steps[-1]["at"], "sent_at": STEP_SENT["at"], "domains": ["addiction"],
            "consent_in_force": consent, "consent_withdrawn": False, "steps": steps,
            "reason": "Support with use" if consent else None,
            "client": {"languages": ["fr", "ar"], "preferred_language": "fr"} if consent else None,
            "notes": [] if consent else None}


CLIENT_FILE = {"client_id": CLIENT, "agency": "apo", "status": "accepted", "worker": "apo-sa-1",
               "personal": {"given_names": "Amina", "family_name": "Example", "birth_date": "1990-03-12",
                            "national_number": None},
               "languages": ["fr"], "preferred_language": "fr", "interpreter_needed": False,
               "legal_position": "convicted", "situation": "probation", "help_requests": [], "consents": []}
CERTIFICATE = {"certificate_id": "a1b2c3d4e5f6", "language": "nl", "dates": ["2026-11-02", "2026-11-16"],
               "recipient": "justice_assistant"}
TRAJECTORY_ANSWER = {"trajectory_id": TRAJECTORY, "client_id": CLIENT, "version": 4, "agency": "apo",
                     "worker": "apo-sa-1", "status": "open", "plan": None, "interventions": [],
                     "next_contact_due": None, "appointments": [], "conditions": [],
                     "attendance_certificates": [CERTIFICATE]}
BASE = f"/app/clients/{CLIENT}/referrals/{REFERRAL}"


@pytest.fixture
def services():
    services = Services()
    services.answers.update({"referrals.partners": [TRANSIT, CASMD], "referrals.referral_history": [history_entry()],
                            "intake.client_file": CLIENT_FILE, "guidance.trajectory": TRAJECTORY_ANSWER})
    return services


def signed_in_as(services, actor=WORKER) -> Browser:
    services.answers["accounts.sign_in"] = {**services.answers["accounts.sign_in"], "actor": actor}
    browser = Browser(services)
    assert browser.sign_in(actor["user_id"]).status_code == 303
    return browser


@pytest.fixture
def worker(services):
    return signed_in_as(services)


def value(html: str, name: str) -> str:
    """What a text input of the form holds."""
    return re.search(rf'name="{name}" type="text" value="([^"]*)"', html).group(1)


def in_dutch(browser: Browser, path: str) -> None:
    browser.post("/app/language", {"csrf_token": browser.csrf(path), "language": "nl", "next": path})


# -- proposing and sending a referral -------------------------------------------------------

def test_the_proposal_form_offers_the_directorys_partners_and_the_domains(worker):
    page = worker.get(f"/app/clients/{CLIENT}/referrals/new").text
    assert '<option value="transit">Transit (speaks French, Dutch, Arabic; about 3 days&#39; wait)' in page
    assert 'id="domains-addiction"' in page and 'id="send_now-yes" name="send_now" value="yes" checked' in page


def test_an_invalid_proposal_names_each_field_keeps_what_was_typed_and_sends_nothing(worker, services):
    hidden = worker.form(f"/app/clients/{CLIENT}/referrals/new")
    response = worker.post(f"/app/clients/{CLIENT}/referrals/new", {**hidden, "partner": "", "reason": "Help",
                                                                     "send_now": "yes"})
    assert response.status_code == 422
    assert {target for target, _ in summary(response.text)} == {"partner", "domains"}
    assert 'id="partner-error"' in response.text and ">Help</textarea>" in response.text
    assert services.made("propose_referral") == []


def test_proposing_and_sending_are_two_commands_each_with_a_key_of_the_form(worker, services):
    services.answers["referrals.propose_referral"] = {"referral_id": REFERRAL}
    services.answers["referrals.record_referral_step"] = {"referral_id": REFERRAL, "state": "sent"}
    hidden = worker.form(f"/app/clients/{CLIENT}/referrals/new")
    response = worker.post(f"/app/clients/{CLIENT}/referrals/new", {
        **hidden, "partner": "transit", "domains": ["addiction"], "reason": " Support with use ", "send_now": "yes"})
    assert response.status_code == 303 and response.headers["Location"] == f"{BASE}?notice=referral_sent"
    (proposed,) = services.made("propose_referral")
    assert proposed["payload"] == {"actor": WORKER, "client_id": CLIENT, "partner": "transit",
                                   "domains": ["addiction"], "reason": "Support with use"}
    (sent,) = services.made("record_referral_step")
    assert sent["payload"] == {"actor": WORKER, "referral_id": REFERRAL, "step": "sent"}
    assert proposed["idempotency_key"] == hidden["idempotency_key"]
    assert sent["idempotency_key"] == hidden["idempotency_key"] + ".sent"


def test_a_proposal_only_is_not_sent(worker, services):
    services.answers["referrals.propose_referral"] = {"referral_id": REFERRAL}
    hidden = worker.form(f"/app/clients/{CLIENT}/referrals/new")
    response = worker.post(f"/app/clients/{CLIENT}/referrals/new", {
        **hidden, "partner": "transit", "domains": ["addiction"], "reason": "Support with use"})
    assert response.headers["Location"] == f"{BASE}?notice=referral_proposed"
    assert services.made("record_referral_step") == []


def test_a_consent_missing_leaves_the_referral_proposed_and_says_to_record_the_consent_first(worker, services):
    services.answers["referrals.propose_referral"] = {"referral_id": REFERRAL}
    services.answers["referrals.record_referral_step"] = Forbidden(
        "the client has not consented to share their data with this partner for a referral",
        {"consent": ["no consent in force for recipient transit, purpose referral"]})
    in_dutch(worker, f"/app/clients/{CLIENT}/referrals/new")
    hidden = worker.form(f"/app/clients/{CLIENT}/referrals/new")
    response = worker.post(f"/app/clients/{CLIENT}/referrals/new", {
        **hidden, "partner": "transit", "domains": ["addiction"], "reason": "Support", "send_now": "yes"})
    assert response.headers["Location"] == f"{BASE}?notice=referral_no_consent"
    page = worker.get(response.headers["Location"]).text
    assert "Registreer eerst de toestemming van de cliënt" in page
    assert 'id="record-step-link"' in page and "De doorverwijzing versturen" in page  # send it from here


def test_a_proposal_the_service_refuses_is_shown_on_the_form(worker, services):
    services.answers["referrals.propose_referral"] = Conflict("this partner was deactivated",
                                                              {"partner": ["transit is deactivated"]})
    hidden = worker.form(f"/app/clients/{CLIENT}/referrals/new")
    response = worker.post(f"/app/clients/{CLIENT}/referrals/new", {
        **hidden, "partner": "transit", "domains": ["addiction"], "reason": "Support"})
    assert response.status_code == 409 and "Someone changed this meanwhile" in response.text
    assert field(response.text, "idempotency_key") != hidden["idempotency_key"]


# -- a referral's page, its steps and notes -------------------------------------------------

def test_the_referral_page_shows_its_steps_as_a_timeline_and_its_notes(worker, services):
    services.answers["referrals.referral_history"] = [history_entry("acknowledged",
                                                                    (STEP_PROPOSED, STEP_SENT, STEP_ACKNOWLEDGED))]
    page = worker.get(BASE).text
    assert '<h1 class="heading-l" id="referral-partner">Transit</h1>' in page
    steps = re.search(r'<ol class="timeline" id="steps">(.*?)</ol>', page, re.S).group(1)
    assert [s.strip() for s in re.findall(r'<h3 class="heading-s">([^<]+)</h3>', steps)] == [
        "Proposed", "Sent", "Received"]
    assert "transit-1 (Partner)" in steps and "First appointment on Monday" in page
    assert "Record the next step" in page  # a partner that answers by phone: staff record its answers


def test_a_referral_of_another_client_is_not_found(worker):
    response = worker.get(f"/app/clients/{CLIENT}/referrals/{uuid.uuid4()}")
    assert response.status_code == 404


def test_the_step_form_offers_only_what_may_follow_and_sends_the_step(worker, services):
    services.answers["referrals.referral_history"] = [history_entry("acknowledged",
                                                                    (STEP_PROPOSED, STEP_SENT, STEP_ACKNOWLEDGED))]
    page = worker.get(f"{BASE}/steps").text
    assert re.findall(r'<option value="(\w+)"', page) == ["accepted", "declined", "waitlisted",
                                                          "effective", "partly_effective", "not_effective"]
    services.answers["referrals.record_referral_step"] = {"referral_id": REFERRAL, "state": "accepted"}
    hidden = worker.form(f"{BASE}/steps")
    response = worker.post(f"{BASE}/steps", {**hidden, "step": "accepted", "step_reason": "", "outcome": ""})
    assert response.headers["Location"] == f"{BASE}?notice=referral_step"
    (recorded,) = services.made("record_referral_step")
    assert recorded["payload"] == {"actor": WORKER, "referral_id": REFERRAL, "step": "accepted"}
    assert recorded["idempotency_key"] == hidden["idempotency_key"]


def test_a_decline_without_a_reason_is_named_next_to_the_reason(worker, services):
    services.answers["referrals.referral_history"] = [history_entry("acknowledged",
                                                                    (STEP_PROPOSED, STEP_SENT, STEP_ACKNOWLEDGED))]
    hidden = worker.form(f"{BASE}/steps")
    response = worker.post(f"{BASE}/steps", {**hidden, "step": "declined", "step_reason": "  "})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["step_reason"]
    assert '<option value="declined" selected>' in response.text
    assert services.made("record_referral_step") == []


def test_sending_without_consent_says_so_next_to_the_step(worker, services):
    services.answers["referrals.record_referral_step"] = Forbidden(
        "the client has not consented", {"consent": ["no consent in force for recipient transit"]})
    page = worker.get(f"{BASE}/steps").text
    assert '<option value="sent" selected>' in page
    response = worker.post(f"{BASE}/steps", {**worker.form(f"{BASE}/steps"), "step": "sent"})
    assert response.status_code == 403
    assert summary(response.text) == [("step", "The client has not consented to share their data with this partner "
                                               "for a referral, or withdrew that consent. Record the client&#39;s "
                                               "consent first, then send the referral.")]


def test_a_partner_that_answers_on_the_platform_is_only_sent_to_by_staff(worker, services):
    services.answers["referrals.referral_history"] = [history_entry("sent", (STEP_PROPOSED, STEP_SENT),
                                                                    partner="casmd")]
    page = worker.get(f"{BASE}/steps").text
    assert 'id="no-step"' in page and 'id="referral-step-form"' not in page
    assert 'id="record-step-link"' not in worker.get(BASE).text


def test_a_note_is_checked_then_added_with_the_forms_key(worker, services):
    hidden = worker.form(f"{BASE}/notes")
    response = worker.post(f"{BASE}/notes", {**hidden, "note": "   "})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["note"]
    services.answers["referrals.add_referral_note"] = {"referral_id": REFERRAL, "notes": 2}
    response = worker.post(f"{BASE}/notes", {**hidden, "note": "Called them"})
    assert response.headers["Location"] == f"{BASE}?notice=referral_note#notes"
    (added,) = services.made("add_referral_note")
    assert added["payload"] == {"actor": WORKER, "referral_id": REFERRAL, "note": "Called them"}


def test_the_file_links_each_referral_and_each_certificate(worker):
    page = worker.get(f"/app/clients/{CLIENT}").text
    assert f'href="{BASE}" id="referral-link-{REFERRAL}"' in page
    assert 'id="propose-referral-link"' in page and 'id="issue-certificate-link"' in page
    assert f'href="/app/clients/{CLIENT}/certificates/a1b2c3d4e5f6">2 dates, November 2, 2026 to November 16, 2026' \
        in page


# -- attendance certificates ---------------------------------------------------------------

def test_the_certificate_form_has_the_clients_name_and_the_last_three_months(worker):
    page = worker.get(f"/app/clients/{CLIENT}/certificates/new").text
    assert value(page, "person_name") == "Amina Example"
    assert re.search(r'name="since" type="date" value="\d{4}-\d\d-\d\d"', page)


def test_issuing_a_certificate_sends_the_period_and_leads_to_its_printable_page(worker, services):
    services.answers["guidance.issue_attendance_certificate"] = {
        "certificate_id": "a1b2c3d4e5f6", "language": "nl", "dates": CERTIFICATE["dates"], "text": "..."}
    hidden = worker.form(f"/app/clients/{CLIENT}/certificates/new")
    response = worker.post(f"/app/clients/{CLIENT}/certificates/new", {
        **hidden, "language": "nl", "recipient": "justice_assistant", "since": "2026-11-01", "until": "2026-11-30",
        "person_name": "Amina Example"})
    target = f"/app/clients/{CLIENT}/certificates/a1b2c3d4e5f6?notice=certificate"
    assert response.headers["Location"] == target
    (issued,) = services.made("issue_attendance_certificate")
    assert issued["payload"] == {"actor": WORKER, "client_id": CLIENT, "language": "nl",
                                 "recipient": "justice_assistant", "from": "2026-11-01", "until": "2026-11-30",
                                 "person_name": "Amina Example"}
    page = worker.get(target).text
    assert "The attendance certificate is issued." in page


def test_the_printable_certificate_is_in_its_own_language_with_a_print_button_for_javascript(worker):
    page = worker.get(f"/app/clients/{CLIENT}/certificates/a1b2c3d4e5f6").text  # pages in English
    certificate = re.search(r'<article class="certificate".*?</article>', page, re.S).group(0)
    assert 'lang="nl"' in certificate and "AANWEZIGHEIDSATTEST" in certificate
    assert "De dienst APO verklaart dat Amina Example aanwezig was op de volgende data:" in certificate
    assert "<li>02/11/2026</li>" in certificate and "<li>16/11/2026</li>" in certificate
    assert "Referentie: a1b2c3d4e5f6" in certificate and "(beroepsgeheim)" in certificate
    assert '<button type="button" class="button" id="print-button" hidden>' in page
    assert '<script src="/static/print.js" defer></script>' in page
    assert "The justice assistant" in page  # for whom, in the person's language


def test_the_print_script_and_style_are_served(worker):
    assert "window.print()" in worker.get("/static/print.js").text
    css = worker.get("/static/jww.css").text
    assert ".no-print" in css and "@media print" in css


def test_an_unknown_certificate_is_not_found(worker):
    assert worker.get(f"/app/clients/{CLIENT}/certificates/ffffffffffff").status_code == 404


def test_wrong_dates_and_no_attendance_are_named_next_to_the_dates(worker, services):
    hidden = worker.form(f"/app/clients/{CLIENT}/certificates/new")
    typed = {**hidden, "language": "fr", "recipient": "court", "since": "2026-12-01", "until": "2026-11-01",
             "person_name": "Amina Example"}
    response = worker.post(f"/app/clients/{CLIENT}/certificates/new", typed)
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["until"]
    assert 'value="2026-12-01"' in response.text and '<option value="court" selected>' in response.text
    response = worker.post(f"/app/clients/{CLIENT}/certificates/new", {**typed, "since": "nonsense", "language": ""})
    assert {t for t, _ in summary(response.text)} == {"since", "language"}
    assert services.made("issue_attendance_certificate") == []
    services.answers["guidance.issue_attendance_certificate"] = Conflict(
        "the person attended no contact in this period", {"from": ["2026-10-01"]})
    response = worker.post(f"/app/clients/{CLIENT}/certificates/new", {**typed, "since": "2026-10-01"})
    assert response.status_code == 409
    assert summary(response.text) == [("since", "The client attended no contact in this period: choose other dates.")]


# -- a partner's own pages ---------------------------------------------------------------------

@pytest.fixture
def partner_user(services):
    services.answers["referrals.partner_referrals"] = [partner_referral()]
    services.answers["referrals.partner_referral"] = partner_referral()
    return signed_in_as(services, PARTNER_USER)


def test_a_partner_has_its_own_menu_and_list(partner_user, services):
    page = partner_user.get("/app/partner/referrals").text
    assert 'id="nav-partner-referrals"' in page and 'id="nav-caseload"' not in page
    assert 'id="nav-partners"' not in page
    assert f'href="/app/partner/referrals/{REFERRAL}"' in page
    assert services.made("partner_referrals")[0]["payload"] == {"actor": PARTNER_USER}


def test_a_partner_sees_the_reason_only_while_the_consent_is_in_force(partner_user, services):
    page = partner_user.get(f"/app/partner/referrals/{REFERRAL}").text
    assert "Support with use" in page and 'id="no-consent"' not in page and "Arabic" in page
    services.answers["referrals.partner_referral"] = partner_referral(consent=False)
    page = partner_user.get(f"/app/partner/referrals/{REFERRAL}").text
    assert 'id="no-consent"' in page and "Not shown" in page and "Support with use" not in page


def test_a_partner_records_its_answer_and_a_note(partner_user, services):
    page = partner_user.get(f"/app/partner/referrals/{REFERRAL}/steps").text
    assert re.findall(r'<option value="(\w+)"', page)[:1] == ["acknowledged"]
    services.answers["referrals.record_partner_step"] = {"referral_id": REFERRAL, "state": "acknowledged"}
    hidden = partner_user.form(f"/app/partner/referrals/{REFERRAL}/steps")
    response = partner_user.post(f"/app/partner/referrals/{REFERRAL}/steps", {**hidden, "step": "acknowledged"})
    assert response.headers["Location"] == f"/app/partner/referrals/{REFERRAL}?notice=referral_step"
    (recorded,) = services.made("record_partner_step")
    assert recorded["payload"] == {"actor": PARTNER_USER, "referral_id": REFERRAL, "step": "acknowledged"}
    services.answers["referrals.add_partner_note"] = {"referral_id": REFERRAL, "notes": 1}
    hidden = partner_user.form(f"/app/partner/referrals/{REFERRAL}/notes")
    response = partner_user.post(f"/app/partner/referrals/{REFERRAL}/notes", {**hidden, "note": "Seen on Monday"})
    assert response.headers["Location"] == f"/app/partner/referrals/{REFERRAL}?notice=referral_note#notes"
    assert services.made("add_partner_note")[0]["payload"]["note"] == "Seen on Monday"


def test_a_step_the_lifecycle_does_not_allow_is_said_next_to_the_step(partner_user, services):
    services.answers["referrals.record_partner_step"] = Conflict(
        "a referral that is sent cannot become acknowledged", {"step": ["the referral is started; next can be: ..."]})
    hidden = partner_user.form(f"/app/partner/referrals/{REFERRAL}/steps")
    response = partner_user.post(f"/app/partner/referrals/{REFERRAL}/steps", {**hidden, "step": "acknowledged"})
    assert response.status_code == 409 and [t for t, _ in summary(response.text)] == ["step"]


def test_a_referral_not_for_the_partners_organisation_is_refused(partner_user, services):
    services.answers["referrals.partner_referral"] = Forbidden("this referral is not addressed to your organisation")
    response = partner_user.get(f"/app/partner/referrals/{REFERRAL}")
    assert response.status_code == 403 and "not for your role or your agency" in response.text


# -- the partner directory --------------------------------------------------------------------

def test_caseworkers_read_the_directory_and_only_keepers_see_the_changes(worker, services):
    page = worker.get("/app/partners").text
    assert 'id="partner-transit"' in page and "3 days" in page and 'id="register-partner-link"' not in page
    keeper = signed_in_as(services, COORDINATOR)
    page = keeper.get("/app/partners").text
    assert 'id="register-partner-link"' in page and 'href="/app/partners/transit/edit"' in page


def test_registering_a_partner_checks_the_form_then_sends_the_description(services):
    keeper = signed_in_as(services, COORDINATOR)
    hidden = keeper.form("/app/partners/new")
    typed = {**hidden, "code": "New Partner", "name": "New partner", "kind": "housing", "agency": "",
             "domains": ["housing"], "languages": "fr, NL", "channel": "phone", "typical_wait_days": "ten"}
    response = keeper.post("/app/partners/new", typed)
    assert response.status_code == 422
    assert {t for t, _ in summary(response.text)} == {"code", "typical_wait_days"}
    assert 'value="New Partner"' in response.text and 'value="fr, NL"' in response.text
    services.answers["referrals.register_partner"] = {"code": "new-partner", "active": True}
    response = keeper.post("/app/partners/new", {**typed, "code": "new-partner", "typical_wait_days": "10"})
    assert response.headers["Location"] == "/app/partners?notice=partner_registered"
    (registered,) = services.made("register_partner")
    assert registered["payload"] == {"actor": COORDINATOR, "code": "new-partner", "name": "New partner",
                                     "kind": "housing", "agency": None, "domains": ["housing"],
                                     "languages": ["fr", "nl"], "channel": "phone", "typical_wait_days": 10}
    services.answers["referrals.register_partner"] = Conflict("taken", {"code": ["new-partner is taken"]})
    response = keeper.post("/app/partners/new", {**typed, "code": "new-partner", "typical_wait_days": "10"})
    assert response.status_code == 409 and [t for t, _ in summary(response.text)] == ["code"]


def test_changing_a_partner_starts_from_its_description_and_keeps_its_code(services):
    keeper = signed_in_as(services, COORDINATOR)
    page = keeper.get("/app/partners/transit/edit").text
    assert value(page, "name") == "Transit" and value(page, "languages") == "fr, nl, ar"
    assert 'id="domains-housing" name="domains" value="housing" checked' in page and 'name="code"' not in page
    services.answers["referrals.change_partner"] = {"code": "transit", "active": True}
    hidden = keeper.form("/app/partners/transit/edit")
    response = keeper.post("/app/partners/transit/edit", {
        **hidden, "name": "Transit asbl", "kind": "addiction", "domains": ["addiction"], "languages": "fr",
        "channel": "phone", "typical_wait_days": "4"})
    assert response.headers["Location"] == "/app/partners?notice=partner_changed"
    assert services.made("change_partner")[0]["payload"]["code"] == "transit"
    assert services.made("change_partner")[0]["payload"]["name"] == "Transit asbl"


def test_deactivating_asks_first_and_a_refusal_is_said(services):
    keeper = signed_in_as(services, COORDINATOR)
    page = keeper.get("/app/partners/transit/deactivate").text
    assert "Deactivate Transit?" in page
    services.answers["referrals.deactivate_partner"] = Forbidden("this partner is part of another agency")
    hidden = keeper.form("/app/partners/transit/deactivate")
    response = keeper.post("/app/partners/transit/deactivate", hidden)
    assert response.status_code == 403 and "not for your role or your agency" in response.text
    services.answers["referrals.deactivate_partner"] = {"code": "transit", "active": False}
    response = keeper.post("/app/partners/transit/deactivate", keeper.form("/app/partners/transit/deactivate"))
    assert response.headers["Location"] == "/app/partners?notice=partner_deactivated"
    assert services.made("deactivate_partner")[-1]["payload"] == {"actor": COORDINATOR, "code": "transit"}
    assert keeper.get("/app/partners/nobody/deactivate").status_code == 404


def test_a_refused_proposal_with_bad_input_from_the_service_is_named_next_to_the_field(worker, services):
    services.answers["referrals.propose_referral"] = InvalidInput("bad", {"reason": ["Length must be between 1 and "
                                                                                     "1000."]})
    hidden = worker.form(f"/app/clients/{CLIENT}/referrals/new")
    response = worker.post(f"/app/clients/{CLIENT}/referrals/new", {
        **hidden, "partner": "transit", "domains": ["addiction"], "reason": "x"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["reason"]
