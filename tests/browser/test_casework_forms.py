"""The caseworker's forms on one client's file, in the browser, in French (the flows that
matter most run in two languages; each of these pages is checked once):
the languages, a consent given (and later withdrawn after a confirmation), then on the
trajectory the coordinator opened: the plan reviewed, a condition and support with it,
an appointment during a leave permit and how it went, someone of the network with a
contact and a return home, a procedure with a step and its end, a psychologist
recommended, and the trajectory closed; the coordinator reopens it. Each form's result
is read on the file; axe-core on every page. The help request page (and the blank
consent page) are in the caseworker's whole flow (tests/browser/test_caseworker_flow.py)."""
import datetime as dt

import pytest

from services.gateway.pages.i18n import translations

# An appointment is "held" only once its time has come: one of three days ago.
PAST = (dt.date.today() - dt.timedelta(days=3)).isoformat()
PEOPLE = {"nl": ("Pieter", "Formulierentest", "1981-04-14"), "fr": ("Yasmina", "Essaiformulaires", "1987-09-23")}


def register(web, language: str) -> str:
    given_names, family_name, birth_date = PEOPLE[language]
    status, _, answer = web.api("POST", "/clients", {
        "given_names": given_names, "family_name": family_name, "birth_date": birth_date,
        "legal_position": "convicted", "situation": "leave_permit", "languages": [language, "ar"],
        "preferred_language": language})
    assert status == 201, answer
    return answer["client_id"]


def link(page, css: str) -> str:
    """The id of the one link or button ``css`` finds: the parts of the file have ids of their own."""
    return page.find(css).get_attribute("id")


@pytest.mark.parametrize("language", ["fr"])
def test_a_caseworker_fills_each_form_on_one_file_and_sees_it_there(page, web, language):
    t = translations(language).gettext
    client_id = register(web, language)
    page.sign_in("apo-sa-1")
    page.language(language)
    page.open(f"/app/clients/{client_id}")

    # -- intake: the languages, a consent --------------------------------------------------
    page.submit("languages-link")
    page.check(f"languages-{language}")
    assert page.find(f"#languages-{language}").is_selected()
    page.tick("languages-tr")
    page.tick("interpreter_needed")
    page.submit("record-languages")
    assert page.text("#notice") == t("The languages are recorded.")
    assert page.find("html").get_attribute("lang") == language
    intake = page.text("#intake")
    assert t("Needed") in intake

    page.submit("consent-link")
    page.submit("record-consent")  # nothing filled: each field is named
    assert {a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")} >= {"recipient", "purpose",
                                                                                             "scope"}
    page.check(f"consent-invalid-{language}")
    page.type("recipient", "family")
    page.choose("purpose", "family_involvement")
    page.tick("scope-interventions")
    page.tick("scope-appointments")
    page.submit("record-consent")
    assert page.text("#notice") == t("The consent is recorded.")
    assert "family" in page.text("#consent-list") and t("Appointments") in page.text("#consent-list")

    # -- a help request, the coordinator accepts: the trajectory opens; a plan to review --
    web.open_trajectory(client_id)

    page.refreshed_until("#condition-link", "guidance to open the trajectory")
    status, _, answer = web.api("PUT", f"/trajectories/{client_id}/plan", {
        "goals": [{"domain": "housing", "goal": "Een woning / un logement"}], "intensity": "monthly",
        "expected_weeks": 20})
    assert status == 200, answer
    page.driver.refresh()

    page.submit("review-plan-link")
    page.check(f"plan-review-{language}")
    page.choose("goal_domain_2", "relations_network")
    page.type("goal_text_2", f"Contact met de familie / contact avec la famille ({language})")
    page.choose("intensity", "weekly")
    page.type("reason", "Uitgaansvergunning / permission de sortie")
    page.submit("review-plan")
    assert page.text("#notice") == t("The plan is reviewed.")
    assert f"({language})" in page.text("#goals")

    # -- a condition, and support with it --------------------------------------------------
    page.submit("condition-link")
    page.check(f"condition-{language}")
    page.choose("kind", "prohibition")
    page.type("description", f"Geen contact met het slachtoffer / pas de contact avec la victime ({language})")
    page.set_value("starts", "2026-01-05")
    page.set_value("ends", "2026-01-04")
    page.choose("authority", "sentence_enforcement_court")
    page.submit("record-condition")
    assert [a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")] == ["ends"]
    assert page.find("#ends").get_attribute("value") == "2026-01-04"  # kept as typed
    page.check(f"condition-invalid-{language}")
    page.set_value("ends", "2027-01-05")
    page.submit("record-condition")
    assert page.text("#notice") == t("The condition is recorded.")
    assert f"({language})" in page.text("#condition-list")

    page.submit(link(page, "#condition-list a[id^='support-']"))
    page.check(f"condition-support-{language}")
    page.type("support", f"Besproken / discuté ({language})")
    page.submit("record-support")
    assert page.text("#notice") == t("The support with the condition is recorded.")
    assert f"Besproken / discuté ({language})" in page.text("#condition-list")

    # -- an appointment during a leave permit, and how it went ------------------------------
    page.submit("appointment-link")
    page.check(f"appointment-{language}")
    page.set_value("at_date", PAST)
    page.set_value("at_time", "10:30")
    page.choose("with_actor", "ocmw_cpas")
    page.type("purpose", f"Leefloon / revenu d'intégration ({language})")
    page.type("accompanied_by", "apo-sa-1")
    page.set_value("permit_from_date", PAST)
    page.set_value("permit_from_time", "08:00")
    page.set_value("permit_until_date", PAST)
    page.set_value("permit_until_time", "17:00")
    page.submit("plan-appointment")
    assert page.text("#notice") == t("The appointment is planned.")
    appointments = page.text("#appointment-list")
    assert f"({language})" in appointments and t("Leave permit") in appointments

    page.submit(link(page, "#appointment-list a[id^='outcome-']"))
    page.check(f"appointment-outcome-{language}")
    page.choose("outcome", "held")
    page.submit("record-outcome")
    assert page.text("#notice") == t("How the appointment went is recorded.")
    assert t("Held") in page.text("#appointment-list") and not page.all("#appointment-list a[id^='outcome-']")

    # -- the network: someone, a contact, a return home (the family consent is in force) ---
    page.submit("network-link")
    page.check(f"network-member-{language}")
    page.choose("relation", "parent")
    page.type("known_as", f"Mama ({language})")
    page.submit("add-member")
    assert page.text("#notice") == t("The person is added to the network.")
    assert f"Mama ({language})" in page.text("#network-list")

    page.submit(link(page, "#network-list a[id^='contact-']"))
    page.check(f"network-contact-{language}")
    page.choose("kind", "visit")
    page.type("note", "Kamer klaar / chambre prête")
    page.submit("record-contact")
    assert page.text("#notice") == t("The contact is recorded.")
    assert "Kamer klaar / chambre prête" in page.text("#network-list")

    page.submit(link(page, "#network-list a[id^='return-home-']"))
    page.check(f"return-home-{language}")
    page.set_value("permit_from_date", "2026-12-24")
    page.set_value("permit_from_time", "09:00")
    page.set_value("permit_until_date", "2026-12-26")
    page.set_value("permit_until_time", "18:00")
    page.submit("prepare-return-home")
    assert page.text("#notice") == t("The return home is prepared.")
    assert t("Preparing a return home") in page.text("#network-list")

    # -- a procedure, a step, its end ----------------------------------------------------------
    page.submit("procedure-link")
    page.check(f"procedure-{language}")
    page.choose("kind", "rehabilitation")
    page.set_value("on", "2026-02-01")
    page.submit("start-procedure")
    assert page.text("#notice") == t("The procedure is started.")
    page.submit(link(page, "#procedure-list a[id^='step-']"))
    page.check(f"procedure-step-{language}")
    page.type("step", f"Aanvraag bij het parket / demande au parquet ({language})")
    page.set_value("on", "2026-02-03")
    page.submit("record-step")
    assert f"({language})" in page.text("#procedure-list")
    page.submit(link(page, "#procedure-list a[id^='end-']"))
    page.check(f"procedure-end-{language}")
    page.choose("outcome", "granted")
    page.submit("end-procedure")
    assert page.text("#notice") == t("How the procedure ended is recorded.")
    assert t("Granted") in page.text("#procedure-list") and not page.all("#procedure-list a[id^='step-']")

    # -- a psychologist; the consent withdrawn; the trajectory closed -----------------------------
    page.submit("psychologist-link")
    page.check(f"psychologist-{language}")
    page.type("reason", f"Slaapt slecht / dort mal ({language})")
    page.submit("recommend-psychologist")
    assert f"({language})" in page.text("#psychologist-list")
    page.check(f"file-with-every-section-{language}")

    page.submit("withdraw-family-family_involvement")
    assert page.text("h1") == t("Withdraw a consent")
    page.check(f"consent-withdrawal-{language}")
    page.submit("confirm")
    assert page.text("#notice") == t("The consent is withdrawn.")
    assert t("Withdrawn") in page.text("#consent-list")

    page.submit("close-link")
    page.check(f"closing-{language}")
    page.choose("reason", "goals_reached")
    page.type("summary", f"Woning en werk gevonden / logement et emploi trouvés ({language})")
    page.submit("close-trajectory")
    assert page.text("h1") == t("Close the trajectory")
    assert t("The goals are reached") in page.text("#confirm-facts")
    page.check(f"closing-confirm-{language}")
    page.submit("confirm")
    assert page.text("#trajectory-status") == t("The trajectory is closed.")
    assert f"({language})" in page.text("#closing-list")
    assert not page.all("#condition-link") and not page.all("#close-link")

    # -- the coordinator reopens it ---------------------------------------------------------------
    page.submit("sign-out")
    page.sign_in("apo-coord")
    if page.find("html").get_attribute("lang") != language:
        page.language(language)
    page.open(f"/app/clients/{client_id}")
    page.submit("reopen-link")
    page.check(f"reopening-{language}")
    page.type("reason", "Opnieuw hulp gevraagd / nouvelle demande")
    page.submit("reopen-trajectory")
    page.submit("confirm")
    assert page.text("#notice") == t("The trajectory is reopened.")
    assert page.text("#trajectory-status") == t("The trajectory is open.")
    assert "Opnieuw hulp gevraagd / nouvelle demande" in page.text("#closing-list")
