"""An auditor's work in the browser, in Dutch and in English: a caseworker's client
with a few facts (made through the HTTP API), then auditor-1 (with the second factor)
finds the client by reference, reads and filters the timeline, replays the file
before and after the last intervention, sees the changes between, downloads the
signed export and verifies guidance's store; then the coordinator asks for the
client's erasure and downloads the subject-access document, and the admin places a
legal hold, lifts it and approves the erasure. axe-core on every page."""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from services.audit import exports
from services.gateway import subject_access
from services.gateway.pages.i18n import translations
from shared import keys
from tests.support.broker import wait_until
from tests.support.platform import http

BRUSSELS = ZoneInfo("Europe/Brussels")
# One client per language, with a birth date and national number no other browser test uses.
PEOPLE = {
    "nl": {"given_names": "Pieter", "family_name": "Audittest", "birth_date": "1969-04-17", "number": "690417089"},
    "en": {"given_names": "Grace", "family_name": "Auditexample", "birth_date": "1971-09-23", "number": "710923091"},
}
INTERVENTION = "be.jww.guidance.intervention-recorded.v1"


def national_number(first_nine: str) -> str:
    check = 97 - int(first_nine) % 97
    n = f"{first_nine}{check:02d}"
    return f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:11]}"


def local(moment: dt.datetime) -> str:
    """What a datetime-local field holds: Brussels time, to the second."""
    return moment.astimezone(BRUSSELS).replace(microsecond=0, tzinfo=None).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def ok(answer: tuple, status: int = 201):
    assert answer[0] == status, answer[2]
    return answer[2]


def intervention(web, client_id: str, sub_kind: str) -> None:
    ok(web.api("POST", f"/trajectories/{client_id}/interventions", {
        "at": now().isoformat(), "minutes": 30, "place": "office", "method": "listening_support",
        "sub_kind": sub_kind, "domains": ["housing"], "note": "Audit browser test."}))


def interventions_on_the_timeline(web, client_id: str) -> list[dict]:
    _, _, answer = web.api("GET", f"/audit/clients/{client_id}/timeline?purpose=inspection", as_user="auditor-1")
    return [e for e in (answer or {}).get("entries", []) if e["type"] == INTERVENTION]


def client_with_two_interventions(web, person: dict) -> tuple[str, dt.datetime]:
    """A client of apo-sa-1 accepted by apo-coord, with one intervention, then a
    second one recorded a whole second after the instant returned: the file at that
    instant holds the first intervention only."""
    client_id = ok(web.api("POST", "/clients", {
        "given_names": person["given_names"], "family_name": person["family_name"],
        "birth_date": person["birth_date"], "national_number": national_number(person["number"]),
        "legal_position": "convicted", "situation": "probation", "languages": ["nl", "fr"],
        "preferred_language": "nl"}))["client_id"]
    ok(web.api("POST", f"/clients/{client_id}/help-requests", {
        "source": "justice_assistant", "domains": ["housing"], "question": "Een woning.", "urgency": "normal"}))
    ok(web.api("POST", f"/clients/{client_id}/acceptance", {"worker": "apo-sa-1"}, as_user="apo-coord"), 200)
    wait_until(lambda: web.api("GET", f"/trajectories/{client_id}")[0] == 200, timeout=20, interval=0.2,
               what="guidance to open the trajectory")
    intervention(web, client_id, "listening_ear")
    wait_until(lambda: interventions_on_the_timeline(web, client_id), timeout=20, interval=0.2,
               what="audit to receive the first intervention")
    between = now().replace(microsecond=0) + dt.timedelta(seconds=1)
    wait_until(lambda: now() > between, timeout=3, interval=0.05, what="the next second")
    intervention(web, client_id, "psychosocial_support")
    wait_until(lambda: len(interventions_on_the_timeline(web, client_id)) == 2, timeout=20, interval=0.2,
               what="audit to receive the second intervention")
    return client_id, between


def sign_in_as_the_auditor(page, language: str) -> None:
    """Straight to the auditor's start page after signing in, with the second factor."""
    from tests.support.accounts import totp

    page.open("/app/sign-in?next=/app/audit")
    page.type("username", "auditor-1")
    page.type("password", "sample-auditor-1")
    page.type("totp", totp("auditor-1"))
    page.submit("sign-in")
    assert page.path() == "/app/audit", page.path()
    page.language(language)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_auditor_reads_replays_compares_verifies_and_exports_a_clients_history(page, web, language, tmp_path):
    t = translations(language).gettext
    client_id, between = client_with_two_interventions(web, PEOPLE[language])

    sign_in_as_the_auditor(page, language)
    assert page.text("h1") == t("A client's history") and page.text("#nav-audit") == t("A client's history")
    page.check(f"audit-start-{language}")
    page.type("client_reference", "not a reference")
    page.submit("open-timeline")
    assert [a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")] == ["client_reference"]
    page.check(f"audit-start-invalid-{language}")

    # The timeline, then only guidance's interventions.
    page.type("client_reference", client_id)
    page.choose("purpose", "court_request")
    page.type("purpose_detail", "2026/123")
    page.submit("open-timeline")
    assert page.text("h1") == t("Timeline")
    services = {cell.text for cell in page.all("#entries .entry-service")}
    assert {t("Intake"), t("Guidance")} <= services
    page.check(f"audit-timeline-{language}")
    page.choose("service", "guidance")
    page.submit("filter")
    page.choose("type", INTERVENTION)
    page.submit("filter")
    assert [c.text for c in page.all("#entries .entry-type")] == ["intervention-recorded"] * 2
    assert {cell.text for cell in page.all("#entries .entry-service")} == {t("Guidance")}
    page.check(f"audit-timeline-filtered-{language}")
    page.choose("show", "reads")
    page.choose("service", "audit")
    page.submit("filter")
    assert "2026/123" in page.text("#reads")  # this very read, with what the auditor added to its purpose
    page.check(f"audit-reads-{language}")

    # The file before the last intervention, then now.
    page.submit("task-replay")
    assert page.text("h1") == t("The file at an instant")
    assert page.find("#purpose_detail").get_attribute("value") == "2026/123"  # carried, not in the URL
    page.check(f"audit-replay-form-{language}")
    page.set_value("at", local(between))
    page.submit("replay")
    assert len(page.all("#part-trajectory-interventions .file-item")) == 1
    page.check(f"audit-replay-before-{language}")
    page.set_value("at", local(now()))
    page.submit("replay")
    assert len(page.all("#part-trajectory-interventions .file-item")) == 2

    # What changed in between: the second intervention.
    page.submit("task-changes")
    page.set_value("since", local(between))
    page.set_value("until", local(now()))
    page.submit("show-changes")
    added = [row.text for row in page.all("#changes .change-added")]
    assert len(added) == 1 and t("Interventions") in added[0], added
    page.check(f"audit-changes-{language}")

    # The signed export, downloaded, holds both interventions and audit's signature.
    page.submit("task-export")
    page.check(f"audit-export-{language}")
    page.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    page.find("#download-export").click()
    exported = wait_until(lambda: [p for p in tmp_path.glob("*.json")], timeout=20, interval=0.2,
                          what="the export to download")
    export = json.loads(exported[0].read_text())
    assert export["client_id"] == client_id and export["purpose_detail"] == "2026/123"
    assert [f["type"] for f in export["facts"]].count(INTERVENTION) == 2
    jwks = http("GET", web.url + "/.well-known/jwks.json")[2]
    assert exports.signature_problem(export, keys.from_jwks(jwks, keys.events_key_name("audit"))) is None

    # Verifying guidance's store: the result holds, signed by guidance.
    page.submit("nav-verification")
    page.check(f"verification-{language}")
    for box in page.all("#services input[type=checkbox]"):
        if box.get_attribute("value") != "guidance" and box.is_selected():
            box.click()
    page.submit("start-verification")

    def finished():
        if page.all("#job-guidance .tag-grey"):  # still running
            page.submit("refresh")
            return False
        return True

    wait_until(finished, timeout=60, interval=0.2, what="guidance's verification to finish")
    assert page.text("#job-guidance .job-result") == t("Holds")
    assert t("Signed by the service: the signature holds.") in page.text("#job-guidance")
    page.check(f"verification-results-{language}")

    # The same client's data, by the roles intake allows: a coordinator asks for the
    # erasure and downloads the subject-access document; the admin (a second person)
    # places a legal hold, sees it stop the erasure, lifts it and approves the erasure.
    page.submit("sign-out")
    page.sign_in("apo-coord")
    page.open(f"/app/clients/{client_id}")
    page.submit("subject-access-link")
    page.check(f"subject-access-{language}")
    page.choose("language", language)
    page.find("#download-subject-access").click()
    document = wait_until(lambda: list(tmp_path.glob("subject-access-*.txt")), timeout=20, interval=0.2,
                          what="the subject-access document to download")
    assert document[0].read_text().startswith(subject_access.TEXT[language]["title"])
    page.open(f"/app/clients/{client_id}")
    page.submit("erasure-link")
    page.check(f"erasure-request-{language}")
    page.choose("legal_basis", "objection")
    page.type("note", "Asked by letter.")
    page.submit("continue")
    assert page.find("#erasure-meaning").is_displayed()
    page.check(f"erasure-confirm-request-{language}")
    page.submit("confirm")
    assert page.path().startswith(f"/app/clients/{client_id}") and page.find("#notice").is_displayed()

    page.submit("sign-out")
    page.sign_in("admin-1")
    page.open("/app/data-protection")
    page.check(f"data-protection-{language}")

    def task(name: str) -> None:
        page.type("client_reference", client_id)
        page.submit(f"task-{name}")

    task("legal-hold")
    page.check(f"legal-hold-{language}")
    page.choose("ground", "legal_claims")
    page.submit("place-hold")
    assert page.text("#notice") == t("The legal hold is placed: nothing of the client's data is erased until it is "
                                      "lifted.")
    task("erasure")
    page.check(f"erasure-decision-{language}")
    page.submit("approve")
    page.check(f"erasure-confirm-approve-{language}")
    page.submit("confirm")
    assert t("A legal hold on this client's data is in force: nothing is erased until it is lifted.") in \
        page.text("#error-summary")
    page.open("/app/data-protection")
    task("legal-hold")
    page.submit("lift-hold")
    assert page.text("#notice") == t("The legal hold is lifted.")
    task("erasure")
    page.submit("approve")
    page.submit("confirm")
    assert page.text("#notice") == t("The erasure is approved: the client's personal data is erased in every service.")
    status, _, file = web.api("GET", f"/clients/{client_id}", as_user="apo-coord")
    assert status == 200 and file["erased"] and file["personal"] is None
