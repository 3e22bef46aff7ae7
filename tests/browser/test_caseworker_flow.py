"""A caseworker's flow in the browser, in Dutch and in French: find a client (none),
register them (first with a wrong national number), the client's file, the plan and
two interventions in the timeline; axe-core on every page."""
import os
from pathlib import Path

import pytest

from services.gateway.pages.i18n import translations
from tests.support.broker import wait_until

# One client per language, with a birth date and national number of their own.
PEOPLE = {
    "nl": {"given_names": "Jan", "family_name": "Browsertest", "birth_date": "1985-07-30", "number": "850730033"},
    "fr": {"given_names": "Amina", "family_name": "Essainavigateur", "birth_date": "1990-03-12", "number": "900312045"},
    "en": {"given_names": "Samira", "family_name": "Browserexample", "birth_date": "1978-11-05", "number": "781105067"},
}
# `make screenshots` sets this: the English run then keeps two pages for the README.
DOCS = Path(__file__).resolve().parents[2] / "docs"
DOCS_SCREENSHOTS = os.environ.get("JWW_DOCS_SCREENSHOTS") == "1"


def national_number(first_nine: str) -> str:
    """A valid Belgian national number (born before 2000): 97 minus the first nine digits modulo 97."""
    check = 97 - int(first_nine) % 97
    n = f"{first_nine}{check:02d}"
    return f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:11]}"


def wrong(number: str) -> str:
    """The same number with a wrong check: what a typo gives."""
    return number[:-2] + f"{(int(number[-2:]) + 1) % 100:02d}"


def open_trajectory(web, client_id: str) -> None:
    """A help request and the coordinator's acceptance have no pages in this slice yet:
    through the HTTP API, as the caseworker and the agency's coordinator would."""
    status, _, answer = web.api("POST", f"/clients/{client_id}/help-requests", {
        "source": "justice_assistant", "domains": ["housing"], "question": "Een woning / un logement.",
        "urgency": "normal"})
    assert status == 201, answer
    status, _, answer = web.api("POST", f"/clients/{client_id}/acceptance", {"worker": "apo-sa-1"},
                                as_user="apo-coord")
    assert status == 200, answer


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_caseworker_registers_a_client_agrees_a_plan_and_records_two_interventions(page, web, language):
    """Everything in the browser except the help request and the coordinator's
    acceptance, which have no pages yet (see open_trajectory)."""
    t = translations(language).gettext
    person = PEOPLE[language]
    number = national_number(person["number"])

    page.sign_in("apo-sa-1")
    page.language(language)
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
    page.choose("legal_position", "convicted")
    page.choose("situation", "probation")
    page.tick(f"languages-{language}")
    page.tick("languages-ar")
    page.choose("preferred_language", language)
    page.type("phone", "+32 2 555 01 23")
    page.submit("register")

    summary = page.find("#error-summary")
    links = [a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")]
    assert links == ["national_number"], summary.text
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
    page.submit("register")
    assert page.path().startswith("/app/clients/"), page.path()
    client_id = page.path().split("/")[3].split("?")[0]
    assert page.text("#client-name") == f"{person['given_names']} {person['family_name']}"
    assert number.replace(".", "").replace("-", "") in page.text("#summary")  # stored as its 11 digits
    assert page.text("#intake-title") == t("Intake")
    assert page.find("#no-trajectory").text == t("No trajectory yet: it opens once a coordinator accepts the intake.")
    page.check(f"file-registered-{language}")

    open_trajectory(web, client_id)

    def plan_link():
        page.driver.refresh()
        return page.all("#agree-plan-link")

    wait_until(plan_link, timeout=20, interval=0.5, what="guidance to open the trajectory")
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

    entries = page.all("#timeline > li")
    assert len(entries) == 2
    timeline = page.text("#timeline")
    assert f"budget_support ({language})" in timeline and f"listening_ear ({language})" in timeline
    assert t("%(minutes)s minutes") % {"minutes": 45} in timeline
    page.check(f"file-interventions-{language}")
    if DOCS_SCREENSHOTS and language == "en":
        page.driver.execute_script("window.scrollTo(0, 0)")
        page.driver.save_screenshot(str(DOCS / "client-file.png"))

    page.submit("nav-caseload")
    assert client_id[:8] in page.text("#caseload")
    page.check(f"caseload-with-client-{language}")
    if DOCS_SCREENSHOTS and language == "en":
        page.driver.save_screenshot(str(DOCS / "caseload.png"))
