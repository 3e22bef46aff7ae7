"""The account pages through werkzeug's test client, with accounts' answers given by
the test: enrolling with a one-time code (the seed shown once), my account and the
password change, an admin opening and resetting accounts (the code shown once), and
the language kept with the account."""
import re

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outcomes import HEADER, CarriedOut
from services.gateway import problems
from tests.unit.gateway.pages.support import WORKER, Browser, Services, field, summary

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
CODE = "ABCD-EFGH-JKLM-NPQR-STUV"
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/jww:auditor-2?secret={SEED}&issuer=jww"
PASSWORD = "a long walk to the OCMW"
ISSUED = {"username": "auditor-2", "role": "auditor", "enrolment_code": CODE, "expires": "2026-12-04T17:00:00+00:00"}


def signed_in_answer(actor, language=None):
    return {"outcome": "signed_in", "actor": actor, "session_id": "session-1", "refresh_token": "refresh-1",
            "retry_after": None, "language": language}


@pytest.fixture
def services():
    return Services()


@pytest.fixture
def browser(services):
    return Browser(services)


@pytest.fixture
def worker(browser):
    assert browser.sign_in().status_code == 303
    return browser


@pytest.fixture
def admin(browser, services):
    services.answers["accounts.sign_in"] = signed_in_answer(ADMIN)
    assert browser.sign_in("admin-1").status_code == 303
    return browser


def enrolment(**changes):
    return {"username": "auditor-2", "enrolment_code": CODE, "password": PASSWORD, "password_again": PASSWORD,
            **changes}


# -- enrolment --------------------------------------------------------------------------------

def test_the_sign_in_page_leads_to_enrolment_which_needs_no_session(browser, services):
    assert 'href="/app/enrol" id="enrol-link"' in browser.get("/app/sign-in").text
    page = browser.get("/app/enrol")
    assert page.status_code == 200 and 'id="enrol-form"' in page.text
    assert 'autocomplete="new-password"' in page.text
    assert services.calls == []


def test_an_enrolment_form_left_wrong_shows_each_error_keeps_the_name_and_never_the_password(browser, services):
    hidden = browser.form("/app/enrol")
    response = browser.post("/app/enrol", {**hidden, "username": "auditor-2", "enrolment_code": "ABC",
                                           "password": "short", "password_again": "short"})
    assert response.status_code == 422
    assert dict(summary(response.text)) == {
        "enrolment_code": "Enter the code as your administrator gave it: 20 letters and digits, with or without the "
                          "dashes.",
        "password": "Choose a password of 12 to 200 characters: a few words you will remember are fine."}
    assert 'id="password-error"' in response.text and 'value="auditor-2"' in response.text
    assert "short" not in response.text
    response = browser.post("/app/enrol", {**hidden, **enrolment(password_again="a long walk to the CPAS")})
    assert [target for target, _ in summary(response.text)] == ["password_again"]
    response = browser.post("/app/enrol", {**hidden, **enrolment(password="auditor-2 goes walking",
                                                                 password_again="auditor-2 goes walking")})
    assert dict(summary(response.text)) == {"password": "Choose a password that does not contain your username."}
    assert services.made("enrol") == []  # nothing sent


def test_enrolling_shows_the_new_seed_once_in_the_answer_and_never_in_a_url(browser, services):
    services.answers["accounts.enrol"] = {"outcome": "enrolled", "username": "auditor-2", "totp_seed": SEED,
                                          "totp_uri": URI, "retry_after": None}
    hidden = browser.form("/app/enrol")
    response = browser.post("/app/enrol", {**hidden, **enrolment(second_factor="yes")})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    (sent,) = services.made("enrol")
    assert sent["payload"] == {"username": "auditor-2", "enrolment_code": CODE, "password": PASSWORD,
                               "second_factor_wanted": True, "client": "127.0.0.1"}
    assert re.search(r'id="totp-seed">JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP<', response.text)
    assert 'id="totp-uri">otpauth://totp/jww:auditor-2?secret=' in response.text
    assert 'href="/app/sign-in"' in response.text and PASSWORD not in response.text


def test_enrolling_without_a_second_factor_leads_to_sign_in_with_a_notice(browser, services):
    services.answers["accounts.enrol"] = {"outcome": "enrolled", "username": "apo-sa-1", "totp_seed": None,
                                          "totp_uri": None, "retry_after": None}
    response = browser.post("/app/enrol", {**browser.form("/app/enrol"), **enrolment(username="apo-sa-1")})
    assert response.headers["Location"] == "/app/sign-in?notice=enrolled"
    assert services.made("enrol")[0]["payload"]["second_factor_wanted"] is False
    assert "Your password is set. Sign in with it." in browser.get(response.headers["Location"]).text


def test_a_wrong_code_and_throttling_are_said_on_the_form(browser, services):
    services.answers["accounts.enrol"] = {"outcome": "refused", "username": "auditor-2", "totp_seed": None,
                                          "totp_uri": None, "retry_after": None}
    response = browser.post("/app/enrol", {**browser.form("/app/enrol"), **enrolment()})
    assert response.status_code == 401 and [t for t, _ in summary(response.text)] == ["enrolment_code"]
    assert f'value="{CODE}"' in response.text  # kept, to check for a typo
    services.answers["accounts.enrol"] = {"outcome": "throttled", "username": "auditor-2", "totp_seed": None,
                                          "totp_uri": None, "retry_after": 30}
    response = browser.post("/app/enrol", {**browser.form("/app/enrol"), **enrolment()})
    assert response.status_code == 429 and "Wait 30 seconds" in response.text


def test_a_password_accounts_refuses_is_named_in_the_persons_language(browser, services):
    services.answers["accounts.enrol"] = InvalidInput("choose another password",
                                                      {"password": ["may not contain the username"]})
    browser.post("/app/language", {"csrf_token": browser.csrf(), "language": "fr", "next": "/app/enrol"})
    response = browser.post("/app/enrol", {**browser.form("/app/enrol"), **enrolment()})
    assert response.status_code == 422 and dict(summary(response.text)) == {
        "password": "Choisissez un mot de passe qui ne contient pas votre nom d&#39;utilisateur."}


# -- my account and my password ----------------------------------------------------------------

def test_my_account_is_in_every_menu_and_shows_who_and_the_language(worker):
    page = worker.get("/app/account")
    assert page.status_code == 200 and 'id="nav-account"' in page.text
    assert re.search(r'id="account-username">apo-sa-1<', page.text)
    assert re.search(r'id="account-language">English<', page.text)
    assert 'href="/app/account/password"' in page.text
    assert 'id="nav-open-account"' not in page.text  # for admins only


def test_changing_the_password_checks_the_form_then_sends_it_with_the_forms_key(worker, services):
    hidden = worker.form("/app/account/password")
    response = worker.post("/app/account/password", {**hidden, "new_password": PASSWORD,
                                                     "new_password_again": "something else entirely"})
    assert response.status_code == 422
    assert {t for t, _ in summary(response.text)} == {"current_password", "new_password_again"}
    assert services.made("change_password") == []
    services.answers["accounts.change_password"] = {"username": "apo-sa-1", "changed": True}
    response = worker.post("/app/account/password", {**hidden, "current_password": "sample-apo-sa-1",
                                                     "new_password": PASSWORD, "new_password_again": PASSWORD})
    assert response.headers["Location"] == "/app/account?notice=password_changed"
    (sent,) = services.made("change_password")
    assert sent["payload"] == {"actor": WORKER, "current_password": "sample-apo-sa-1", "new_password": PASSWORD}
    assert sent["idempotency_key"] == hidden["idempotency_key"]
    assert "Your password is changed." in worker.get(response.headers["Location"]).text


def test_a_wrong_current_password_is_said_next_to_its_field(worker, services):
    services.answers["accounts.change_password"] = InvalidInput("the current password is not right",
                                                                {"current_password": ["not right"]})
    response = worker.post("/app/account/password", {**worker.form("/app/account/password"),
                                                     "current_password": "not it", "new_password": PASSWORD,
                                                     "new_password_again": PASSWORD})
    assert response.status_code == 422
    assert dict(summary(response.text)) == {"current_password": "The current password is not right."}
    assert "not it" not in response.text and PASSWORD not in response.text


# -- account administration --------------------------------------------------------------------

def test_an_admin_opens_an_account_and_sees_its_code_once(admin, services):
    page = admin.get("/app/admin/accounts/new").text
    assert 'id="nav-open-account"' in page and 'id="nav-reset-account"' in page
    roles = re.findall(r'<option value="(\w+)"', page)
    assert roles == ["auditor", "admin", "data_protection_officer", "partner", "funder"]  # staff: the directory's
    hidden = admin.form("/app/admin/accounts/new")
    services.answers["accounts.open_account"] = ISSUED
    response = admin.post("/app/admin/accounts/new", {**hidden, "username": "auditor-2", "role": "auditor",
                                                      "agency": "platform"})
    assert response.status_code == 200 and re.search(rf'id="enrolment-code">{CODE}<', response.text)
    assert "Dec 4, 2026, 6:00\u202fPM" in response.text  # Brussels time
    (sent,) = services.made("open_account")
    assert sent["payload"] == {"actor": ADMIN, "username": "auditor-2", "role": "auditor", "agency": "platform"}
    assert sent["idempotency_key"] == hidden["idempotency_key"]


def test_an_account_form_left_wrong_sends_nothing_and_keeps_what_was_typed(admin, services):
    response = admin.post("/app/admin/accounts/new", {**admin.form("/app/admin/accounts/new"),
                                                      "username": "Auditor 2", "role": "jurist", "agency": ""})
    assert response.status_code == 422
    assert {t for t, _ in summary(response.text)} == {"username", "role", "agency"}
    assert 'value="Auditor 2"' in response.text and services.made("open_account") == []


@pytest.mark.parametrize("refusal, status, target, words", [
    (Conflict("there is an account of that name already", {"username": ["taken"]}), 409, "username",
     "There is an account with this username already."),
    (InvalidInput("staff of an agency get their account from intake's directory",
                  {"role": ["held by intake's directory: add the staff member there"]}), 422, "role",
     "Staff of an agency get their account from the staff directory"),
])
def test_what_accounts_refuses_is_named_next_to_the_field(admin, services, refusal, status, target, words):
    services.answers["accounts.open_account"] = refusal
    hidden = admin.form("/app/admin/accounts/new")
    response = admin.post("/app/admin/accounts/new", {**hidden, "username": "auditor-1", "role": "auditor",
                                                      "agency": "platform"})
    assert response.status_code == status
    ((found, message),) = summary(response.text)
    assert found == target and message.startswith(words)
    assert field(response.text, "idempotency_key") != hidden["idempotency_key"]  # refused: a new command next


def test_a_form_sent_again_after_the_code_was_shown_says_so_and_shows_no_code(admin, services):
    services.answers["accounts.open_account"] = CarriedOut("this request was carried out already",
                                                           {HEADER: ["carried out already"]})
    response = admin.post("/app/admin/accounts/new", {**admin.form("/app/admin/accounts/new"),
                                                      "username": "auditor-2", "role": "auditor",
                                                      "agency": "platform"})
    assert response.status_code == 409 and "its code was shown then, only once" in response.text
    assert "enrolment-code" not in response.text


def test_someone_not_an_admin_is_refused_by_accounts_in_words_a_person_reads(worker, services):
    services.answers["accounts.open_account"] = Forbidden("only an admin opens and resets accounts", rule="role")
    response = worker.post("/app/admin/accounts/new", {**worker.form("/app/admin/accounts/new"),
                                                       "username": "auditor-2", "role": "auditor",
                                                       "agency": "platform"})
    assert response.status_code == 403 and "not for your role or your agency" in response.text
    assert "only an admin" not in response.text


def test_a_reset_is_confirmed_first_then_shows_the_new_code_once(admin, services):
    response = admin.post("/app/admin/accounts/reset", {**admin.form("/app/admin/accounts/reset"),
                                                        "username": "transit-1"})
    assert response.status_code == 200 and "Reset the account of transit-1?" in response.text
    assert services.made("reset_account") == []  # nothing done before the confirmation
    confirm = {name: field(response.text, name, form="confirm-reset-form")
               for name in ("csrf_token", "idempotency_key", "username", "confirmed")}
    assert confirm["username"] == "transit-1" and confirm["confirmed"] == "yes"
    services.answers["accounts.reset_account"] = {**ISSUED, "username": "transit-1", "role": "partner"}
    done = admin.post("/app/admin/accounts/reset", confirm)
    assert done.status_code == 200 and re.search(rf'id="enrolment-code">{CODE}<', done.text)
    (sent,) = services.made("reset_account")
    assert sent["payload"] == {"actor": ADMIN, "username": "transit-1"}
    assert sent["idempotency_key"] == confirm["idempotency_key"]


def test_resetting_an_unknown_account_says_so_on_the_form(admin, services):
    services.answers["accounts.reset_account"] = NotFound("no such account", {"username": ["not found"]})
    response = admin.post("/app/admin/accounts/reset", {**admin.form("/app/admin/accounts/reset"),
                                                        "username": "nobody", "confirmed": "yes"})
    assert response.status_code == 404
    assert dict(summary(response.text)) == {"username": "There is no account with this username."}
    assert 'value="nobody"' in response.text
    empty = admin.post("/app/admin/accounts/reset", {**admin.form("/app/admin/accounts/reset"), "username": ""})
    assert empty.status_code == 422 and [t for t, _ in summary(empty.text)] == ["username"]


# -- the language, kept with the account --------------------------------------------------------

def test_a_signed_in_person_switching_language_has_accounts_keep_it(worker, services):
    worker.post("/app/language", {"csrf_token": worker.csrf("/app/caseload"), "language": "nl",
                                  "next": "/app/account"})
    (chosen,) = services.made("choose_language")
    assert chosen["payload"] == {"actor": WORKER, "language": "nl"}
    assert "Mijn account" in worker.get("/app/account").text


def test_switching_before_signing_in_stays_in_this_browser_only(browser, services):
    browser.post("/app/language", {"csrf_token": browser.csrf(), "language": "fr", "next": "/app/sign-in"})
    assert services.made("choose_language") == []
    assert "Se connecter" in browser.get("/app/sign-in").text


def test_accounts_not_answering_still_switches_the_language_here(worker, services):
    services.answers["accounts.choose_language"] = problems.unavailable("accounts")
    response = worker.post("/app/language", {"csrf_token": worker.csrf("/app/caseload"), "language": "fr",
                                             "next": "/app/account"})
    assert response.headers["Location"] == "/app/account"
    assert "Mon compte" in worker.get("/app/account").text


def test_a_sign_in_starts_in_the_language_the_person_chose_on_any_browser(services):
    services.answers["accounts.sign_in"] = signed_in_answer(WORKER, language="fr")
    elsewhere = Browser(services)  # a browser that never switched, asking for English
    elsewhere.sign_in()
    page = elsewhere.get("/app/account", headers={"Accept-Language": "en"})
    assert page.headers["Content-Language"] == "fr" and "Mon compte" in page.text
    services.answers["accounts.sign_in"] = signed_in_answer(WORKER)  # never chose: the browser's
    other = Browser(services)
    other.sign_in()
    assert other.get("/app/account", headers={"Accept-Language": "nl"}).headers["Content-Language"] == "nl"
