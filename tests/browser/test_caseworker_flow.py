"""A caseworker's whole flow in the browser, in Dutch and in French (issue 19): the
caseworker finds a client (none), registers them (first with a wrong national number)
and records their help request; the coordinator signs in with the second factor and
accepts the intake, assigning the caseworker; the caseworker agrees the plan, records
two interventions and the client's consent for a referral, proposes and sends the
referral to Transit, issues an attendance certificate and opens its printable page.
axe-core on every page. Everything is done in the browser: the API is not used.

`make screenshots` runs the English flow (JWW_DOCS_SCREENSHOTS=1): only then is
English in the parametrization, and that run keeps two pages for the README."""
import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.gateway.pages.app import NOTICES
from services.gateway.pages.i18n import TIMEZONE, Words, translations
from services.gateway.pages.views.certificates import STATEMENT, TITLE

# One client per language, with a birth date and national number of their own.
PEOPLE = {
    "nl": {"given_names": "Jan", "family_name": "Browsertest", "birth_date": "1985-07-30", "number": "850730033"},
    "fr": {"given_names": "Amina", "family_name": "Essainavigateur", "birth_date": "1990-03-12", "number": "900312045"},
    "en": {"given_names": "Samira", "family_name": "Browserexample", "birth_date": "1978-11-05", "number": "781105067"},
}
DOCS = Path(__file__).resolve().parents[2] / "docs"
DOCS_SCREENSHOTS = os.environ.get("JWW_DOCS_SCREENSHOTS") == "1"
LANGUAGES = ["nl", "fr"] + (["en"] if DOCS_SCREENSHOTS else [])
# A certificate is in Dutch or in French; the English run prints a French one.
CERTIFICATE_LANGUAGE = {"nl": "nl", "fr": "fr", "en": "fr"}
WORKER = "apo-sa-1"  # speaks French and Arabic: every client here speaks Arabic too


def national_number(first_nine: str) -> str:
    """A valid Belgian national number (born before 2000): 97 minus the first nine digits modulo 97."""
    check = 97 - int(first_nine) % 97
    n = f"{first_nine}{check:02d}"
    return f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:11]}"


def wrong(number: str) -> str:
    """The same number with a wrong check: what a typo gives."""
    return number[:-2] + f"{(int(number[-2:]) + 1) % 100:02d}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_caseworker_registers_a_client_agrees_a_plan_and_records_two_interventions(page, language):
    """The whole flow, in three sign-ins: the caseworker, the coordinator, the caseworker."""
    t = translations(language).gettext
    person = PEOPLE[language]
    page.sign_in(WORKER)
    page.language(language)  # accounts remember a language: this test's is set, whatever it was
    client_id = find_and_register(page, t, language, person)
    record_help_request(page, t, language)
    page.submit("sign-out")

    accept_as_coordinator(page, t, language, client_id, person)
    page.submit("sign-out")

    page.sign_in(WORKER)
    page.language(language)
    file = f"/app/clients/{client_id}"
    page.open(file)
    page.refreshed_until("#agree-plan-link", "guidance to open the trajectory")
    agree_plan(page, t, language, client_id)
    record_two_interventions(page, t, language, client_id)
    record_referral_consent(page, t, language)
    propose_and_send_referral(page, t, language, file)
    issue_and_print_certificate(page, t, language, file, person)

    page.submit("nav-caseload")
    assert client_id[:8] in page.text("#caseload")
    page.check(f"caseload-with-client-{language}")
    if DOCS_SCREENSHOTS and language == "en":
        page.driver.save_screenshot(str(DOCS / "caseload.png"))


def find_and_register(page, t, language: str, person: dict) -> str:
    """Find the client (none), register them: a wrong national number first, refused with
    the error summary and everything typed kept; then the right one. The client's id."""
    number = national_number(person["number"])
    assert page.text("h1") == t("My caseload")
    assert page.text("#nav-find") == t("Find a client")
    if language != "en":
        assert page.text("#nav-find") != "Find a client"  # the labels changed
    page.check(f"caseload-{language}")

    page.submit("nav-find")
    assert page.text("h1") == t("Find a client")
    page.type("name", person["family_name"])
    page.submit("find")
    assert page.text("#no-results") == t("No client of your agency matches.")
    page.check(f"find-none-{language}")

    page.submit("register-link")
    assert page.path() == "/app/clients/new"
    page.check(f"register-{language}")
    page.type("given_names", person["given_names"])
    page.type("family_name", person["family_name"])
    page.set_value("birth_date", person["birth_date"])
    page.type("national_number", wrong(number))
    assert page.find("#national_number-live").is_displayed()  # checked as it is typed
    page.choose("legal_position", "convicted")
    page.choose("situation", "probation")
    page.tick(f"languages-{language}")
    page.tick("languages-ar")
    page.choose("preferred_language", language)
    page.type("phone", "+32 2 555 01 23")
    page.submit("register")

    summary = page.find("#error-summary")
    assert page.error_links() == ["national_number"], summary.text
    assert page.find("#national_number-error").is_displayed()
    # What was typed stays.
    assert page.find("#given_names").get_attribute("value") == person["given_names"]
    assert page.find("#national_number").get_attribute("value") == wrong(number)
    assert page.find("#birth_date").get_attribute("value") == person["birth_date"]
    assert page.find("#languages-ar").is_selected() and page.find(f"#languages-{language}").is_selected()
    assert page.find("#phone").get_attribute("value") == "+32 2 555 01 23"
    page.check(f"register-invalid-{language}")
    page.all("#error-summary a")[0].click()
    assert page.driver.switch_to.active_element.get_attribute("id") == "national_number"

    page.type("national_number", number)
    assert not page.find("#national_number-live").is_displayed()
    page.submit("register")
    assert page.path().startswith("/app/clients/"), page.path()
    client_id = page.path().split("/")[3].split("?")[0]
    assert page.text("#client-name") == f"{person['given_names']} {person['family_name']}"
    assert number.replace(".", "").replace("-", "") in page.text("#summary")  # stored as its 11 digits
    assert page.text("#intake-title") == t("Intake")
    assert page.find("#no-trajectory").text == t("No trajectory yet: it opens once a coordinator accepts the intake.")
    page.check(f"file-registered-{language}")
    return client_id


def record_help_request(page, t, language: str) -> None:
    page.submit("help-request-link")
    assert page.text("h1") == t("Record a help request")
    page.check(f"help-request-{language}")
    page.choose("source", "justice_assistant")
    page.tick("domains-housing")
    page.tick("domains-addiction")
    page.type("question", f"Een woning, minder gebruik / un logement, moins de consommation ({language})")
    page.choose("urgency", "high")
    page.submit("record-help-request")
    assert page.text("#notice") == t(NOTICES["help_request"])
    assert f"({language})" in page.text("#help-requests")


def accept_as_coordinator(page, t, language: str, client_id: str, person: dict) -> None:
    """The coordinator (second factor) accepts the intake and assigns the caseworker,
    who shares Arabic with the client: no interpreter is needed."""
    page.sign_in("apo-coord")
    page.language(language)
    page.submit("nav-intakes")
    assert page.text("h1") == t("Intake decisions")
    page.check(f"intakes-{language}")
    page.submit(f"decide-{client_id}")
    assert page.text("#client-name") == f"{person['given_names']} {person['family_name']}"
    assert t("Yes") in page.text(f"#match-{WORKER}")
    page.check(f"intake-decision-{language}")
    page.choose("worker", WORKER)
    page.submit("accept")
    assert page.path().startswith("/app/intakes?notice=intake_accepted"), page.path()
    assert page.text("#notice") == t(NOTICES["intake_accepted"])
    assert not page.all(f"#decide-{client_id}")


def agree_plan(page, t, language: str, client_id: str) -> None:
    page.submit("agree-plan-link")
    assert page.text("h1") == t("Agree the plan")
    page.check(f"plan-{language}")
    page.choose("goal_domain_1", "housing")
    goal = "Een vaste woning" if language == "nl" else "Un logement stable"
    page.type("goal_text_1", goal)
    page.choose("intensity", "weekly")
    page.type("expected_weeks", "26")
    page.submit("agree-plan")
    assert page.path().startswith(f"/app/clients/{client_id}")
    assert goal in page.text("#goals")


def record_two_interventions(page, t, language: str, client_id: str) -> None:
    for method, sub_kind, minutes in (("listening_support", "listening_ear", "45"),
                                      ("information_guidance", "budget_support", "30")):
        page.submit("record-intervention-link")
        assert page.text("h1") == t("Record an intervention")
        page.type("minutes", minutes)
        page.choose("place", "office")
        page.choose("method", method)
        page.choose("sub_kind", sub_kind)
        page.tick("domains-housing")
        page.type("note", f"{sub_kind} ({language})")
        if method == "listening_support":
            page.check(f"record-intervention-{language}")
        page.submit("record")
        assert page.path().startswith(f"/app/clients/{client_id}"), page.path()

    assert len(page.all("#timeline > li")) == 2
    timeline = page.text("#timeline")
    assert f"budget_support ({language})" in timeline and f"listening_ear ({language})" in timeline
    assert t("%(minutes)s minutes") % {"minutes": 45} in timeline
    page.check(f"file-interventions-{language}")


def record_referral_consent(page, t, language: str) -> None:
    """Sending a referral shares the client's data: the client consents first."""
    page.submit("consent-link")
    assert page.text("h1") == t("Record a consent")
    page.check(f"consent-{language}")
    page.type("recipient", "transit")
    page.choose("purpose", "referral")
    for category in ("identity", "languages", "referrals"):
        page.tick(f"scope-{category}")
    page.submit("record-consent")
    assert page.text("#notice") == t(NOTICES["consent"])
    consents = page.text("#consent-list")
    assert "transit" in consents and Words(language).label("purpose", "referral") in consents


def propose_and_send_referral(page, t, language: str, file: str) -> None:
    """Proposed and sent at once (the box is ticked by default). Referrals learns of the
    consent by intake's events: until then it is proposed only, and sent from its page."""
    page.submit("propose-referral-link")
    assert page.text("h1") == t("Propose a referral")
    assert page.find("#send_now-yes").is_selected()
    page.check(f"referral-new-{language}")
    page.choose("partner", "transit")
    page.tick("domains-addiction")
    reason = "Ondersteuning bij gebruik" if language == "nl" else "Soutien pour la consommation"
    page.type("reason", reason)
    page.submit_until("propose-referral", lambda: page.path().startswith(f"{file}/referrals/"),
                      "referrals to know the client")
    referral = page.path().split("?")[0]
    if page.path().endswith("?notice=referral_no_consent"):
        page.submit("record-step-link")
        assert page.find("#step").get_attribute("value") == "sent"
        page.submit_until("record-step", lambda: page.path() == referral + "?notice=referral_step",
                          "referrals to learn of the consent")
    else:
        assert page.text("#notice") == t(NOTICES["referral_sent"])
    assert page.text("#referral-state") == t("Sent")
    assert reason in page.text("#referral-summary") and page.text("#referral-partner") == "Transit"
    page.check(f"referral-sent-{language}")
    page.open(file)
    assert page.find(f"#referral-{referral.rsplit('/', 1)[1]}")


def issue_and_print_certificate(page, t, language: str, file: str, person: dict) -> None:
    """For the last week: the printable page names the client and the one day they came
    (both interventions were today, at the office)."""
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    since = today - dt.timedelta(days=7)
    name = f"{person['given_names']} {person['family_name']}"
    page.submit("issue-certificate-link")
    assert page.text("h1") == t("Issue an attendance certificate")
    assert page.find("#person_name").get_attribute("value") == name
    page.check(f"certificate-new-{language}")
    page.choose("language", CERTIFICATE_LANGUAGE[language])
    page.choose("recipient", "justice_assistant")
    page.set_value("since", since.isoformat())
    page.set_value("until", today.isoformat())
    page.submit("issue-certificate")
    assert "/certificates/" in page.path(), page.path()
    assert page.text("#notice") == t(NOTICES["certificate"])

    printed = translations(CERTIFICATE_LANGUAGE[language]).gettext
    certificate = page.text("#certificate")
    assert printed(TITLE) in certificate
    assert printed(STATEMENT) % {"agency": "APO", "person": name} in certificate
    assert [li.text for li in page.all("#certificate-dates li")] == [f"{today:%d/%m/%Y}"]
    assert page.find("#print-button").is_displayed()  # print.js offers it
    page.check(f"certificate-{language}")

    certificate_path = page.path().split("?")[0]
    page.open(file)
    assert page.find(f"#certificate-list a[href='{certificate_path}']")
    if DOCS_SCREENSHOTS and language == "en":
        page.driver.execute_script("window.scrollTo(0, 0)")
        page.driver.save_screenshot(str(DOCS / "client-file.png"))
