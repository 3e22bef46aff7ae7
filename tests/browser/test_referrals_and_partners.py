"""Referrals and the partners' pages in the browser, in Dutch and in French: a
caseworker proposes a referral to Transit (refused sending until the client's consent
is recorded, then sent), adds a note; Transit's user reads the referral and answers;
the caseworker sees the answer; a coordinator keeps the partner directory (in Dutch).
axe-core on every page. The attendance certificate and its printable page are in the
caseworker's whole flow (tests/browser/test_caseworker_flow.py)."""
import pytest

from services.gateway.pages.app import NOTICES
from services.gateway.pages.i18n import translations
from tests.support.broker import wait_until

PEOPLE = {
    "nl": {"given_names": "Pieter", "family_name": "Doorverwijstest", "birth_date": "1979-04-21"},
    "fr": {"given_names": "Nadia", "family_name": "Essaiorientation", "birth_date": "1987-09-02"},
}


def client_with_a_trajectory(web, language: str) -> str:
    """A client accepted into a trajectory, known to referrals: through the HTTP API,
    as the other pages would (tests/browser/test_caseworker_flow.py)."""
    person = PEOPLE[language]
    status, _, answer = web.api("POST", "/clients", {
        **person, "national_number": None, "legal_position": "convicted", "situation": "probation",
        "languages": [language, "ar"], "preferred_language": language})
    assert status == 201, answer
    client_id = answer["client_id"]
    web.open_trajectory(client_id)
    wait_until(lambda: web.api("GET", f"/clients/{client_id}/coordination")[0] == 200, timeout=20, interval=0.3,
               what="referrals to know the client")
    return client_id


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_referral_is_sent_answered_by_the_partner_and_a_certificate_printed(page, web, language):
    t = translations(language).gettext
    client_id = client_with_a_trajectory(web, language)
    file = f"/app/clients/{client_id}"

    # -- the caseworker proposes and sends: refused until the consent is recorded ------------
    page.sign_in("apo-sa-1")
    page.language(language)
    page.open(file)
    page.submit("propose-referral-link")
    assert page.text("h1") == t("Propose a referral")
    page.choose("partner", "transit")
    page.tick("domains-addiction")
    page.type("reason", "Ondersteuning bij gebruik" if language == "nl" else "Soutien pour la consommation")
    page.submit("propose-referral")
    referral = page.path().split("?")[0]
    assert referral.startswith(f"{file}/referrals/"), page.path()
    assert page.text("#notice") == t(NOTICES["referral_no_consent"])
    assert page.text("#referral-state") == t("Proposed")
    page.check(f"referral-not-sent-{language}")

    status, _, answer = web.api("POST", f"/clients/{client_id}/consents", {
        "recipient": "transit", "purpose": "referral", "scope": ["identity", "languages", "referrals"]})
    assert status == 201, answer
    page.submit("record-step-link")
    assert page.find("#step").get_attribute("value") == "sent"
    page.check(f"referral-step-{language}")

    # Refused (and kept) until referrals learns of the consent.
    page.submit_until("record-step", lambda: page.path().startswith(referral + "?notice=referral_step"),
                      "referrals to learn of the consent")
    assert page.text("#referral-state") == t("Sent")

    page.submit("add-note-link")
    page.check(f"referral-note-{language}")
    page.type("note", "Telefonisch aangekondigd" if language == "nl" else "Annoncée par téléphone")
    page.submit("add-note")
    assert page.text("#notice") == t(NOTICES["referral_note"])
    assert ("Telefonisch aangekondigd" if language == "nl" else "Annoncée par téléphone") in page.text("#note-list")

    # -- Transit's user reads the referral and answers ----------------------------------------
    page.submit("sign-out")
    page.sign_in("transit-1")
    page.language(language)
    page.open("/app/partner/referrals")
    assert page.text("h1") == t("Referrals for my organisation")
    referral_id = referral.rsplit("/", 1)[1]
    page.check(f"partner-referrals-{language}")
    page.find(f"#partner-referral-{referral_id} a").click()
    wait_until(lambda: page.path() == f"/app/partner/referrals/{referral_id}", timeout=20, interval=0.1,
               what="the partner's referral page")
    assert ("Ondersteuning bij gebruik" if language == "nl" else "Soutien pour la consommation") in \
        page.text("#referral-reason")  # the consent is in force
    page.check(f"partner-referral-{language}")
    page.submit("record-step-link")
    assert page.find("#step").get_attribute("value") == "acknowledged"
    page.check(f"partner-step-{language}")
    page.submit("record-step")
    assert page.text("#referral-state").startswith(t("Received"))
    page.submit("add-note-link")
    page.check(f"partner-note-{language}")
    page.type("note", "Eerste gesprek maandag" if language == "nl" else "Premier entretien lundi")
    page.submit("add-note")
    assert page.text("#notice") == t(NOTICES["referral_note"])

    # -- the caseworker sees the partner's answer ---------------------------------------------
    page.submit("sign-out")
    page.sign_in("apo-sa-1")
    page.open(referral)
    assert page.text("#referral-state") == t("Received")
    assert t("Received") in page.text("#steps") and "transit-1" in page.text("#steps")
    assert ("Eerste gesprek maandag" if language == "nl" else "Premier entretien lundi") in page.text("#note-list")
    page.check(f"referral-answered-{language}")
    page.submit("nav-partners")
    assert page.find("#partner-transit")
    page.check(f"partners-{language}")


@pytest.mark.parametrize("language", ["nl"])
def test_a_coordinator_adds_describes_and_deactivates_a_partner(page, language):
    t = translations(language).gettext
    code = f"browser-partner-{language}"
    page.sign_in("apo-coord")
    page.language(language)
    page.submit("nav-partners")
    page.submit("register-partner-link")
    assert page.text("h1") == t("Add a partner to the directory")
    page.type("code", code)
    page.type("name", "Browser partner")
    page.type("kind", "housing")
    page.tick("domains-housing")
    page.type("languages", "fr, nl")
    page.choose("channel", "phone")
    page.type("typical_wait_days", "twelve")
    page.submit("save-partner")
    assert [a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")] == ["typical_wait_days"]
    assert page.find("#code").get_attribute("value") == code  # kept
    page.check(f"partner-form-invalid-{language}")
    page.type("typical_wait_days", "12")
    page.submit("save-partner")
    assert page.text("#notice") == t(NOTICES["partner_registered"])
    assert "Browser partner" in page.text(f"#partner-{code}")

    page.submit(f"edit-{code}")
    assert page.find("#name").get_attribute("value") == "Browser partner"
    page.check(f"partner-form-{language}")
    page.type("name", "Browser partner asbl")
    page.submit("save-partner")
    assert "Browser partner asbl" in page.text(f"#partner-{code}")

    page.submit(f"deactivate-{code}")
    page.check(f"partner-deactivate-{language}")
    page.submit("deactivate-partner")
    assert page.text("#notice") == t(NOTICES["partner_deactivated"])
    assert not page.all(f"#partner-{code}")  # no longer takes new referrals
