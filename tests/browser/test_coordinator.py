"""A coordinator's intake decision in the browser, in Dutch and in French: a caseworker
registers a client who speaks the language (through the API), the coordinator signs in
with the second factor, opens the intake decisions, sees which worker speaks the
client's languages, first forgets the worker (the error summary), then accepts with
the worker who speaks the language; the worker's caseload shows the client. On the
way every coordinator page is checked with axe-core: the waitlist, duplicate checks,
reassignment, transfer, the coordination of help with a case conference recorded,
the figures and the staff (the list of intake decisions and a decision are checked in
the caseworker's whole flow, tests/browser/test_caseworker_flow.py)."""
import pytest

from services.gateway.pages.i18n import translations
from tests.support.broker import wait_until

# Per language: a client who speaks it (and another language nobody at apo speaks),
# and the apo worker who speaks it (deploy/intake/sample-directory.json).
CASES = {
    "nl": {"given_names": "Pieter", "family_name": "Coordinatietest", "languages": ["nl", "tr"], "worker": "apo-crim-1",
           "speaks": "Jonas Fictief"},
    "fr": {"given_names": "Nadia", "family_name": "Essaicoordination", "languages": ["fr", "tr"],
           "worker": "apo-sa-1", "speaks": "Amira Exemple"},
}


def register(web, case: dict) -> str:
    """A caseworker registers the client and records their help request, through the API."""
    status, _, answer = web.api("POST", "/clients", {
        "given_names": case["given_names"], "family_name": case["family_name"], "birth_date": "1984-02-11",
        "legal_position": "convicted", "situation": "probation", "languages": case["languages"],
        "preferred_language": case["languages"][0]}, as_user=case["worker"])
    assert status == 201, answer
    client_id = answer["client_id"]
    status, _, answer = web.api("POST", f"/clients/{client_id}/help-requests", {
        "source": "justice_assistant", "domains": ["housing"], "question": "Een woning / un logement."},
        as_user=case["worker"])
    assert status == 201, answer
    return client_id


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_coordinator_accepts_an_intake_with_a_worker_who_speaks_the_language(page, web, language):
    t = translations(language).gettext
    case = CASES[language]
    client_id = register(web, case)

    page.sign_in("apo-coord")
    page.language(language)
    page.submit("nav-intakes")
    assert page.text("h1") == t("Intake decisions")
    assert page.find(f"#decide-{client_id}")

    page.submit(f"decide-{client_id}")
    assert page.text("#client-name") == f"{case['given_names']} {case['family_name']}"
    match = page.text(f"#match-{case['worker']}")
    assert t("Yes") in match and case["speaks"] in match
    # Nobody at apo speaks Turkish: the other workers share only the language of the test.
    assert t("Your agency can arrange a telephone interpreter, or an interpreter present.") == \
        page.text("#interpreter-available")

    page.submit("accept")  # no worker chosen
    assert [a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")] == ["worker"]
    assert page.find("#worker-error").is_displayed()
    page.check(f"coordinator-decision-invalid-{language}")
    page.choose("worker", case["worker"])
    page.submit("accept")
    assert page.path().startswith("/app/intakes?notice=intake_accepted"), page.path()
    assert page.text("#notice") == t("The intake is accepted and the worker assigned.")
    assert not page.all(f"#decide-{client_id}")

    page.submit("nav-waitlist")
    assert page.text("h1") == t("Waitlist")
    page.check(f"coordinator-waitlist-{language}")
    page.open("/app/duplicates")
    page.check(f"coordinator-duplicates-{language}")

    # From the client's file: reassignment, transfer, and the coordination of help.
    page.open(f"/app/clients/{client_id}")
    page.submit("reassign-link")
    assert page.text("#current-worker") == case["worker"]
    page.check(f"coordinator-reassign-{language}")
    page.open(f"/app/clients/{client_id}")
    page.submit("transfer-link")
    page.check(f"coordinator-transfer-{language}")
    page.open(f"/app/clients/{client_id}/coordination")
    page.refreshed_until("#conferences-title", "referrals to know the client")
    page.check(f"coordinator-coordination-{language}")
    page.submit("hold-conference-link")
    page.check(f"coordinator-conference-{language}")
    page.set_value("on", "2026-11-20")
    page.type("participants", "APO\nOCMW")
    page.type("decisions", "Een woning zoeken / chercher un logement")
    page.type("action_1", "OCMW/CPAS bellen")
    page.type("owner_1", "APO")
    page.set_value("due_1", "2026-12-05")
    page.submit("hold-conference")
    assert t("The case conference is recorded.") == page.text("#notice")
    assert "OCMW/CPAS bellen" in page.text("#conferences")
    page.all("#conferences form button")[0].click()
    wait_until(lambda: page.all("#notice") and page.text("#notice") == t("The action is marked as done."),
               timeout=20, interval=0.2, what="the action done")

    page.submit("nav-figures")
    assert page.text("h1") == t("Figures")
    page.check(f"coordinator-figures-{language}")
    page.submit("nav-staff")
    assert case["speaks"] in page.text("#staff")
    page.check(f"coordinator-staff-{language}")
    page.submit("add-staff-link")
    page.check(f"coordinator-staff-new-{language}")

    page.submit("sign-out")
    page.sign_in(case["worker"])
    page.refreshed_until(f"a[href='/app/clients/{client_id}']", "guidance to open the trajectory")
    assert client_id[:8] in page.text("#caseload")
