"""The pages render what the services really answer: the answers of a realistic case
run through all the services in memory (``answer_case``), in each language, with the
reference data's own labels and dates in Brussels time."""
import pytest

from tests.unit.gateway.answer_case import run_case
from tests.unit.gateway.pages.support import Browser, Services


@pytest.fixture(scope="module")
def answers() -> dict:
    case = run_case()
    return {name: found for name, found in case.answers.items()}


@pytest.fixture
def browser(answers):
    services = Services()
    client_file = answers["intake.client_file"][0]  # the worker's own, before any erasure
    trajectory = next(t for t in answers["guidance.trajectory"] if t["client_id"] == client_file["client_id"]
                      and t.get("interventions"))
    services.answers.update({
        "intake.client_file": client_file, "guidance.trajectory": trajectory,
        "referrals.referral_history": answers["referrals.referral_history"][-1],
        "guidance.caseload": answers["guidance.caseload"][-1], "notifications.inbox": answers["notifications.inbox"][-1],
    })
    browser = Browser(services)
    browser.sign_in()
    browser.client_id = client_file["client_id"]
    return browser


@pytest.mark.parametrize("language, words", [
    ("nl", ("Huisvesting", "Een luisterend oor", "Probatie", "Veroordeelde", "Afgerond")),
    ("fr", ("Logement", "Une écoute", "Probation", "Condamné", "Terminée")),
    ("en", ("Housing", "A listening ear", "Probation", "Convicted person", "Completed")),
])
def test_a_clients_file_in_each_language(browser, language, words):
    browser.post("/app/language", {"csrf_token": browser.csrf("/app/caseload"), "language": language})
    page = browser.get(f"/app/clients/{browser.client_id}")
    assert page.status_code == 200, page.text
    for word in words:
        assert word in page.text, word
    assert "Samira Testperson" in page.text and 'id="timeline"' in page.text and 'id="consents"' in page.text


def test_the_caseload_and_the_inbox_from_real_answers(browser):
    caseload = browser.get("/app/caseload")
    assert caseload.status_code == 200 and "Contact overdue" in caseload.text
    inbox = browser.get("/app/inbox")
    assert inbox.status_code == 200 and "unread message" in inbox.text
