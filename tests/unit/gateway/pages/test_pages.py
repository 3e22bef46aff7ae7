"""The web pages' behaviour through werkzeug's test client, with the services' answers
given by the test: the session cookie, CSRF, the security headers, forms that keep
what was typed and show each error twice (next to the field and in the summary),
the hidden idempotency_key and if_match fields, the language, an expired session."""
import datetime as dt
import re
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from shared import concurrency
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.gateway import problems
from services.gateway.pages import app as pages_app
from services.gateway.pages.app import CSP
from tests.unit.gateway.pages.support import CLIENT, TRAJECTORY, WORKER, Browser, Services, field, summary

REGISTRATION = {"given_names": "Samira", "family_name": "Example", "birth_date": "1985-07-30",
                "national_number": "85.07.30-033.28", "legal_position": "convicted", "situation": "probation",
                "languages": ["ar", "fr"], "preferred_language": "ar"}
TRAJECTORY_ANSWER = {"trajectory_id": TRAJECTORY, "client_id": CLIENT, "version": 4, "agency": "apo",
                     "worker": "apo-sa-1", "status": "open", "plan": None, "interventions": [],
                     "next_contact_due": None, "appointments": [], "conditions": []}


@pytest.fixture
def services():
    return Services()


@pytest.fixture
def browser(services):
    return Browser(services)


@pytest.fixture
def signed_in(browser):
    assert browser.sign_in().status_code == 303
    return browser


def cookie(response, name: str) -> SimpleCookie:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            jar = SimpleCookie()
            jar.load(header)
            return jar[name]
    raise AssertionError(f"no cookie {name}")


# -- sessions ----------------------------------------------------------------------------

def test_sign_in_asks_accounts_and_sets_a_sealed_http_only_lax_cookie(browser, services):
    response = browser.sign_in()
    assert response.status_code == 303 and response.headers["Location"] == "/app/caseload"
    (asked,) = services.made("sign_in")
    assert asked["payload"] == {"username": "apo-sa-1", "password": "sample-x", "client": "127.0.0.1"}
    session = cookie(response, "jww_session")
    assert session["httponly"] and session["samesite"] == "Lax" and session["path"] == "/"
    assert not session["secure"]  # plain HTTP, no proxy saying TLS
    assert "refresh-1" not in session.value and "apo-sa-1" not in session.value  # sealed, not signed only
    assert browser.get("/app/caseload").status_code == 200
    assert services.made("caseload")[0]["payload"] == {"actor": WORKER}


def test_the_cookie_is_secure_behind_tls(services):
    behind_proxy = Browser(services)
    token = field(behind_proxy.get("/app/sign-in").text, "csrf_token")
    response = behind_proxy.post("/app/sign-in", {"csrf_token": token, "username": "apo-sa-1", "password": "p"},
                                 headers={"X-Forwarded-Proto": "https"})
    assert cookie(response, "jww_session")["secure"]
    assert cookie(Browser(services, secure_cookies=True).get("/app/sign-in"), "jww_session")["secure"]


def test_a_coordinator_without_the_code_is_asked_for_it_next_to_the_field(browser, services):
    services.answers["accounts.sign_in"] = {"outcome": "code_required", "actor": None, "session_id": None,
                                            "refresh_token": None, "retry_after": None}
    response = browser.post("/app/sign-in", {"csrf_token": browser.csrf(), "username": "apo-coord",
                                             "password": "sample-apo-coord"})
    assert response.status_code == 401
    assert [target for target, _ in summary(response.text)] == ["totp"]
    assert 'id="totp-error"' in response.text and 'value="apo-coord"' in response.text
    assert "sample-apo-coord" not in response.text  # a password is never sent back
    assert browser.get("/app/caseload").status_code == 303  # not signed in


def test_wrong_password_and_throttling_are_said_in_the_form(browser, services):
    services.answers["accounts.sign_in"] = {"outcome": "refused", "actor": None, "session_id": None,
                                            "refresh_token": None, "retry_after": None}
    response = browser.post("/app/sign-in", {"csrf_token": browser.csrf(), "username": "apo-sa-1",
                                             "password": "nope"})
    assert response.status_code == 401 and summary(response.text) == [
        ("username", "The username or the password is wrong.")]
    services.answers["accounts.sign_in"] = {"outcome": "throttled", "retry_after": 8}
    response = browser.post("/app/sign-in", {"csrf_token": browser.csrf(), "username": "apo-sa-1",
                                             "password": "nope"})
    assert response.status_code == 429 and "Wait 8 seconds" in response.text


def test_next_leads_only_to_a_page_of_this_site(browser):
    # Anywhere else: the home page, which sends each role on to its own.
    for target, expected in (("https://evil.example/app/", "/app/"), ("//evil.example/app/x", "/app/"),
                             (f"/app/clients/{CLIENT}", f"/app/clients/{CLIENT}"), ("/openapi.json", "/app/")):
        response = browser.post("/app/sign-in", {"csrf_token": browser.csrf(), "username": "apo-sa-1",
                                                 "password": "p", "next": target})
        assert response.headers["Location"] == expected


def test_an_expired_token_is_refreshed_with_the_refresh_token(browser, services):
    browser.clock.offset = -dt.timedelta(hours=1)  # the token issued now is already expired
    browser.sign_in()
    browser.clock.offset = dt.timedelta(0)
    response = browser.get("/app/caseload")
    assert response.status_code == 200
    assert services.made("refresh")[0]["payload"] == {"refresh_token": "refresh-1", "client": "127.0.0.1"}
    assert "jww_session=" in response.headers.get("Set-Cookie", "")  # the new tokens
    assert browser.get("/app/caseload").status_code == 200 and len(services.made("refresh")) == 1


def test_an_expired_session_sends_to_sign_in_and_back_keeping_what_was_typed(browser, services):
    browser.clock.offset = -dt.timedelta(hours=1)
    browser.sign_in()
    browser.clock.offset = dt.timedelta(0)
    services.answers["accounts.refresh"] = {"outcome": "refused", "actor": None, "session_id": None,
                                            "refresh_token": None, "retry_after": None}
    hidden = {"csrf_token": browser.csrf()}  # the page itself would send to sign in: the session ended
    response = browser.post("/app/clients/new", {**hidden, **REGISTRATION, "idempotency_key": "k-1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/app/sign-in?next=/app/clients/new&notice=expired"
    assert services.made("register_client") == []  # nothing done
    page = browser.get(response.headers["Location"])
    assert "Your session ended" in page.text and field(page.text, "next", form="sign-in-form") == "/app/clients/new"
    services.answers["accounts.refresh"] = {"outcome": "signed_in", "actor": WORKER, "session_id": "s",
                                            "refresh_token": "r", "retry_after": None}
    back = browser.post("/app/sign-in", {"csrf_token": field(page.text, "csrf_token"), "username": "apo-sa-1",
                                         "password": "p", "next": "/app/clients/new"})
    assert back.headers["Location"] == "/app/clients/new"
    form = browser.get("/app/clients/new").text
    assert 'value="Samira"' in form and 'value="85.07.30-033.28"' in form
    assert re.search(r'value="convicted" selected', form) and 'id="languages-ar" name="languages" value="ar" checked' in form
    assert 'value="Samira"' not in browser.get("/app/clients/new").text  # carried once


def test_a_first_visit_is_sent_to_sign_in_without_saying_a_session_ended(browser):
    response = browser.get("/app/caseload")
    assert response.status_code == 303 and response.headers["Location"] == "/app/sign-in?next=/app/caseload"


def test_sign_out_closes_the_session_at_accounts_and_forgets_the_tokens(signed_in, services):
    response = signed_in.post("/app/sign-out", {"csrf_token": signed_in.csrf("/app/caseload")})
    assert response.headers["Location"] == "/app/sign-in?notice=signed_out"
    (out,) = services.made("sign_out")
    assert out["payload"]["user_id"] == "apo-sa-1" and out["payload"]["session_id"] == "session-1"
    assert signed_in.get("/app/caseload").status_code == 303


# -- safety ---------------------------------------------------------------------------------

def test_a_post_without_the_csrf_token_is_refused_and_reaches_no_service(signed_in, services):
    before = len(services.calls)
    for token in (None, "forged"):
        data = {**REGISTRATION, **({"csrf_token": token} if token else {})}
        response = signed_in.post("/app/clients/new", data)
        assert response.status_code == 400 and "This form has expired" in response.text
    assert services.calls[before:] == []
    other = Browser(services)  # another browser's token is not this session's
    assert signed_in.post("/app/sign-out", {"csrf_token": other.csrf()}).status_code == 400


@pytest.mark.parametrize("path", ["/app/sign-in", "/app/caseload", "/app/clients/find", "/app/clients/new",
                                  "/app/nowhere", f"/app/clients/{CLIENT}/interventions/new"])
def test_every_page_has_the_content_security_policy_and_no_store(signed_in, path):
    response = signed_in.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # No inline script or style anywhere: scripts come from files of this origin only.
    assert re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S) == [(' src="/static/jww.js" defer', "")]
    assert " style=" not in response.text and "<style" not in response.text and " on" + "click=" not in response.text


def test_the_style_sheet_is_served_and_may_be_cached(browser):
    response = browser.get("/static/jww.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert browser.get("/static/jww.js").mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert browser.get("/static/../api.py").status_code == 404


def test_a_browser_at_the_root_goes_to_the_pages_and_a_json_client_keeps_the_index(browser):
    html = browser.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 303 and html.headers["Location"] == "/app/"
    assert browser.get("/", headers={"Accept": "*/*"}).json["document"] == "/openapi.json"
    assert browser.get("/", headers={"Accept": "application/json"}).json["document"] == "/openapi.json"


def test_a_client_search_is_posted_never_in_the_url(signed_in, services):
    services.answers["intake.search_clients"] = [{"client_id": CLIENT, "given_names": "Samira",
                                                  "family_name": "Testperson", "birth_date": "1985-07-30",
                                                  "status": "accepted"}]
    assert 'method="post" action="/app/clients/find"' in signed_in.get("/app/clients/find").text
    response = signed_in.post("/app/clients/find", {"csrf_token": signed_in.csrf("/app/clients/find"),
                                                   "name": "testperson"})
    assert response.status_code == 200 and f'href="/app/clients/{CLIENT}">Samira Testperson' in response.text
    (search,) = services.made("search_clients")
    assert search["payload"] == {"actor": WORKER, "name": "testperson"} and search["idempotency_key"] is None
    empty = signed_in.post("/app/clients/find", {"csrf_token": signed_in.csrf("/app/clients/find")})
    assert empty.status_code == 422 and summary(empty.text)[0][0] == "name"
    assert len(services.made("search_clients")) == 1


# -- forms ------------------------------------------------------------------------------------

def test_an_invalid_registration_shows_the_summary_the_field_errors_and_what_was_typed(signed_in, services):
    hidden = signed_in.form("/app/clients/new")
    response = signed_in.post("/app/clients/new", {**hidden, "given_names": "Samira", "birth_date": "30/07/1985",
                                                   "languages": ["fr"], "preferred_language": "ar",
                                                   "email": "not an address"})
    assert response.status_code == 422
    targets = dict(summary(response.text))
    assert {"family_name", "birth_date", "legal_position", "situation", "email"} == set(targets)
    assert targets["birth_date"] == "Enter a real date."
    for name in targets:
        assert f'id="{name}-error"' in response.text  # and next to the field
    assert 'value="Samira"' in response.text and 'value="not an address"' in response.text
    assert 'id="languages-fr" name="languages" value="fr" checked' in response.text
    assert services.made("register_client") == []  # changes nothing


def test_a_registration_the_service_refuses_names_the_field_in_the_persons_language(signed_in, services):
    services.answers["intake.register_client"] = InvalidInput(
        "the command has invalid fields", {"national_number": ["Must be one of: a valid number."]})
    signed_in.post("/app/language", {"csrf_token": signed_in.csrf("/app/caseload"), "language": "fr",
                                     "next": "/app/clients/new"})
    hidden = signed_in.form("/app/clients/new")
    response = signed_in.post("/app/clients/new", {**hidden, **REGISTRATION})
    assert response.status_code == 422 and summary(response.text) == [("national_number",
                                                                       "Choisissez une des options.")]
    (sent,) = services.made("register_client")
    assert sent["idempotency_key"] == hidden["idempotency_key"]
    assert sent["payload"] == {"actor": WORKER, **REGISTRATION, "interpreter_needed": False}
    assert field(response.text, "idempotency_key") != hidden["idempotency_key"]  # refused: a new command next


def test_registering_leads_to_the_file(signed_in, services):
    services.answers["intake.register_client"] = {"client_id": CLIENT, "version": 1}
    response = signed_in.post("/app/clients/new", {**signed_in.form("/app/clients/new"), **REGISTRATION})
    assert response.headers["Location"] == f"/app/clients/{CLIENT}?notice=registered"


def test_the_plan_form_sends_its_if_match_and_idempotency_key_and_says_changed_meanwhile(signed_in, services):
    services.answers["guidance.trajectory"] = TRAJECTORY_ANSWER
    hidden = signed_in.form(f"/app/clients/{CLIENT}/plan")
    assert hidden["if_match"] == concurrency.tag(TRAJECTORY, 4)
    typed = {"goal_domain_1": "housing", "goal_text_1": "a stable home", "intensity": "weekly",
             "expected_weeks": "26"}
    services.answers["guidance.agree_plan"] = TRAJECTORY_ANSWER
    response = signed_in.post(f"/app/clients/{CLIENT}/plan", {**hidden, **typed})
    assert response.headers["Location"] == f"/app/clients/{CLIENT}?notice=plan#plan"
    (agreed,) = services.made("agree_plan")
    assert agreed["precondition"] == hidden["if_match"] and agreed["idempotency_key"] == hidden["idempotency_key"]
    assert agreed["payload"] == {"actor": WORKER, "client_id": CLIENT, "intensity": "weekly", "expected_weeks": 26,
                                 "goals": [{"domain": "housing", "goal": "a stable home"}]}
    services.answers["guidance.agree_plan"] = Conflict("the trajectory changed meanwhile", {"version": ["5"]})
    response = signed_in.post(f"/app/clients/{CLIENT}/plan", {**hidden, **typed})
    assert response.status_code == 409 and "Someone changed this meanwhile" in response.text
    assert 'value="a stable home"' in response.text and field(response.text, "if_match") == hidden["if_match"]


def test_a_plan_goal_left_half_filled_is_named_on_its_own_row(signed_in, services):
    services.answers["guidance.trajectory"] = TRAJECTORY_ANSWER
    hidden = signed_in.form(f"/app/clients/{CLIENT}/plan")
    response = signed_in.post(f"/app/clients/{CLIENT}/plan", {**hidden, "goal_domain_1": "housing",
                                                              "goal_text_1": "a home", "goal_text_3": "work",
                                                              "intensity": "weekly", "expected_weeks": "x"})
    assert response.status_code == 422
    assert {"goal_domain_3", "expected_weeks"} == {target for target, _ in summary(response.text)}
    assert services.made("agree_plan") == []


def test_recording_an_intervention_sends_the_brussels_time_and_the_forms_key(signed_in, services):
    page = signed_in.get(f"/app/clients/{CLIENT}/interventions/new").text
    assert re.search(r'<optgroup label="[^"]+" data-method="listening_support">', page)
    hidden = signed_in.form(f"/app/clients/{CLIENT}/interventions/new")
    services.answers["guidance.record_intervention"] = {"intervention_id": str(uuid.uuid4())}
    response = signed_in.post(f"/app/clients/{CLIENT}/interventions/new", {
        **hidden, "at_date": "2026-11-29", "at_time": "10:00", "minutes": "45", "place": "office",
        "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"], "note": "First."})
    assert response.headers["Location"] == f"/app/clients/{CLIENT}?notice=intervention#interventions"
    (sent,) = services.made("record_intervention")
    assert sent["payload"]["at"] == "2026-11-29T10:00:00+01:00" and sent["payload"]["minutes"] == 45
    assert sent["idempotency_key"] == hidden["idempotency_key"] and sent["precondition"] is None


def test_a_sub_kind_of_another_method_is_refused_next_to_the_field(signed_in, services):
    hidden = signed_in.form(f"/app/clients/{CLIENT}/interventions/new")
    response = signed_in.post(f"/app/clients/{CLIENT}/interventions/new", {
        **hidden, "at_date": "2026-11-29", "at_time": "10:00", "minutes": "45", "place": "office",
        "method": "listening_support", "sub_kind": "referral", "domains": ["housing"]})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["sub_kind"]
    assert re.search(r'<option value="referral" selected>', response.text)
    assert services.made("record_intervention") == []


def test_a_service_not_answering_keeps_the_key_so_sending_again_records_once(signed_in, services):
    services.answers["guidance.record_intervention"] = problems.unavailable("guidance")
    hidden = signed_in.form(f"/app/clients/{CLIENT}/interventions/new")
    response = signed_in.post(f"/app/clients/{CLIENT}/interventions/new", {
        **hidden, "at_date": "2026-11-29", "at_time": "10:00", "minutes": "45", "place": "office",
        "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"]})
    assert response.status_code == 503 and "will not record anything twice" in response.text
    assert field(response.text, "idempotency_key") == hidden["idempotency_key"]


@pytest.mark.parametrize("refusal, status, words", [
    (Forbidden("this client is followed by another agency"), 403, "not for your role or your agency"),
    (NotFound("no such client", {"client_id": ["not found"]}), 404, "no such page or record"),
])
def test_a_refused_file_is_a_page_a_person_understands(signed_in, services, refusal, status, words):
    services.answers["intake.client_file"] = refusal
    response = signed_in.get(f"/app/clients/{CLIENT}")
    assert response.status_code == status and words in response.text
    assert "followed by another agency" not in response.text  # the service's words are for developers


# -- language -----------------------------------------------------------------------------------

def test_the_language_switch_changes_the_text_and_is_kept_in_the_session(signed_in):
    assert "My caseload" in signed_in.get("/app/caseload").text
    response = signed_in.post("/app/language", {"csrf_token": signed_in.csrf("/app/caseload"), "language": "nl",
                                                "next": "/app/caseload"})
    assert response.headers["Location"] == "/app/caseload"
    page = signed_in.get("/app/caseload")
    assert page.headers["Content-Language"] == "nl" and '<html lang="nl">' in page.text
    assert "Mijn cliënten" in page.text and "My caseload" not in page.text
    signed_in.post("/app/language", {"csrf_token": signed_in.csrf("/app/caseload"), "language": "fr"})
    assert "Mes dossiers" in signed_in.get("/app/caseload").text


def test_the_first_language_is_the_browsers(browser):
    page = browser.get("/app/sign-in", headers={"Accept-Language": "fr-BE,fr;q=0.9,nl;q=0.5"})
    assert '<html lang="fr">' in page.text and "Se connecter" in page.text


def test_the_inbox_counts_the_unread_and_marks_one_read_with_its_own_key(signed_in, services):
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    services.answers["notifications.inbox"] = [
        {"notification_id": one, "kind": "new_assignment", "subject": "New client assigned", "body": "b",
         "language": "en", "at": "2026-12-01T16:15:23+00:00", "read": False},
        {"notification_id": two, "kind": "new_assignment", "subject": "Another", "body": "b", "language": "en",
         "at": "2026-12-01T16:15:23+00:00", "read": True}]
    page = signed_in.get("/app/inbox").text
    assert "1 unread message" in page
    key = re.search(rf'id="read-form-{one}">.*?name="idempotency_key" value="([^"]+)"', page, re.S).group(1)
    response = signed_in.post(f"/app/inbox/{one}/read", {"csrf_token": field(page, "csrf_token"),
                                                         "idempotency_key": key})
    assert response.headers["Location"] == "/app/inbox?notice=read"
    (marked,) = services.made("mark_read")
    assert marked["payload"] == {"actor": WORKER, "notification_id": one} and marked["idempotency_key"] == key


def test_a_form_sent_again_with_other_answers_is_told_so_and_gets_a_new_key(signed_in, services):
    services.answers["guidance.record_intervention"] = InvalidInput(
        "this Idempotency-Key was used for another request",
        {"Idempotency-Key": ["used already, with another payload: send a new key for a new command"]})
    hidden = signed_in.form(f"/app/clients/{CLIENT}/interventions/new")
    response = signed_in.post(f"/app/clients/{CLIENT}/interventions/new", {
        **hidden, "at_date": "2026-11-29", "at_time": "10:00", "minutes": "50", "place": "office",
        "method": "listening_support", "sub_kind": "listening_ear", "domains": ["housing"]})
    assert response.status_code == 422 and "This form was sent already" in response.text
    assert 'value="50"' in response.text and field(response.text, "idempotency_key") != hidden["idempotency_key"]


@pytest.mark.parametrize("role, home", [("social_assistant", "/app/caseload"), ("coordinator", "/app/caseload"),
                                        ("partner", "/app/partner/referrals"), ("auditor", "/app/audit"),
                                        ("admin", "/app/admin/accounts/new")])
def test_each_role_lands_on_its_everyday_page_after_signing_in(browser, services, role, home):
    actor = {**services.answers["accounts.sign_in"]["actor"], "role": role}
    services.answers["accounts.sign_in"] = {**services.answers["accounts.sign_in"], "actor": actor}
    token = browser.csrf()
    signed_in = browser.post("/app/sign-in", {"csrf_token": token, "username": "someone", "password": "sample-x"})
    assert signed_in.headers["Location"] == "/app/"  # no page asked for: the home page
    assert browser.get("/app/").headers["Location"] == home


def test_the_registration_page_carries_the_national_number_check_as_it_is_typed(browser):
    browser.sign_in()
    html = browser.get("/app/clients/new").get_data(as_text=True)
    # Hidden until jww.js finds the digits wrong: without JavaScript, intake checks on submit.
    assert re.search(r'<p class="error-message" id="national_number-live" aria-live="polite" hidden>', html)
    assert "national_number-live" in (Path(pages_app.__file__).parent / "static" / "jww.js").read_text()
