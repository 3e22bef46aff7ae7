"""The corrections (issue 20) in the browser, in Dutch: a caseworker records an
intervention and corrects its minutes, retracts another recorded in error, moves an
appointment and cancels it, and cancels a referral the partner has not answered; the
coordinator changes the client's legal situation and re-opens a declined client's
intake, and that of a client whose trajectory closed (whose file takes no correction
until then). Each correction is read back on the file (or the referral's page), the
original kept; axe-core on every page."""
import datetime as dt

from services.gateway.pages.i18n import translations
from tests.support.broker import wait_until

LANGUAGE = "nl"
NEXT_WEEK = (dt.date.today() + dt.timedelta(days=7)).isoformat()
LATER = (dt.date.today() + dt.timedelta(days=9)).isoformat()


def ok(answer: tuple, status: int = 201) -> dict:
    assert answer[0] == status, answer[2]
    return answer[2]


def register(web, family_name: str) -> str:
    return ok(web.api("POST", "/clients", {
        "given_names": "Karim", "family_name": family_name, "birth_date": "1984-02-29", "legal_position": "convicted",
        "situation": "probation", "languages": ["nl", "ar"], "preferred_language": "nl"}))["client_id"]


def test_a_caseworker_and_a_coordinator_correct_a_file(page, web):
    t = translations(LANGUAGE).gettext
    client_id = register(web, "Correctietest")
    web.open_trajectory(client_id)
    wait_until(lambda: web.api("GET", f"/trajectories/{client_id}")[0] == 200, timeout=20, interval=0.3,
               what="guidance to open the trajectory")
    # One intervention recorded in error (set up through the API), an appointment next week.
    earlier = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    wrong = ok(web.api("POST", f"/trajectories/{client_id}/interventions", {
        "at": earlier.isoformat(), "minutes": 20, "place": "phone", "method": "listening_support",
        "sub_kind": "listening_ear", "domains": ["housing"], "note": "Verkeerde cliënt."}))["intervention_id"]
    appointment = ok(web.api("POST", f"/trajectories/{client_id}/appointments", {
        "at": f"{NEXT_WEEK}T10:00:00+01:00", "with_actor": "lawyer", "purpose": "Zitting voorbereiden"}),
        )["appointment_id"]

    page.sign_in("apo-sa-1")
    page.language(LANGUAGE)
    file = f"/app/clients/{client_id}"
    page.open(file)

    # -- an intervention recorded on the page, then its minutes corrected --------------------
    page.submit("record-intervention-link")
    page.type("minutes", "30")
    page.choose("method", "listening_support")
    page.choose("sub_kind", "psychosocial_support")
    page.tick("domains-housing")
    page.submit("record")
    assert page.text("#notice") == t("The intervention is recorded.")
    _, _, trajectory = web.api("GET", f"/trajectories/{client_id}")
    (recorded,) = [i["intervention_id"] for i in trajectory["interventions"] if i["intervention_id"] != wrong]

    page.submit(f"correct-{recorded}")
    assert page.text("h1") == t("Correct an intervention")
    assert page.find("#minutes").get_attribute("value") == "30"
    page.type("minutes", "75")
    page.submit("correct-intervention")  # no reason: named, nothing changed
    assert page.error_links() == ["reason"]
    assert page.find("#minutes").get_attribute("value") == "75"
    page.check("intervention-correction-invalid")
    page.type("reason", "Het gesprek duurde langer")
    page.submit("correct-intervention")
    assert page.text("#notice") == t("The correction of the intervention is recorded.")
    item = page.text(f"#intervention-{recorded}")
    assert t("%(minutes)s minutes") % {"minutes": 75} in item
    assert t("Corrected by %(worker)s") % {"worker": "apo-sa-1"} in item

    # -- the other one retracted as recorded in error, after a confirmation ------------------
    page.submit(f"retract-{wrong}")
    page.check("intervention-retraction")
    page.type("reason", "Geregistreerd bij de verkeerde cliënt")
    page.submit("retract-intervention")
    assert page.text("#question") == t("Retract this intervention? It stays in the history, marked as recorded in "
                                       "error, and counts nowhere.")
    page.check("intervention-retraction-confirm")
    page.submit("confirm")
    assert page.text("#notice") == t("The intervention is retracted as recorded in error.")
    assert t("Recorded in error") in page.text(f"#intervention-{wrong}")
    assert "Geregistreerd bij de verkeerde cliënt" in page.text(f"#intervention-{wrong}")  # why, for the worker
    assert not page.all(f"#correct-{wrong}") and not page.all(f"#retract-{wrong}")
    page.check("file-with-corrections")

    # -- the appointment moved, then cancelled ---------------------------------------------------
    page.submit(f"move-{appointment}")
    page.check("appointment-move")
    page.set_value("at_date", LATER)
    page.set_value("at_time", "14:00")
    page.type("reason", "De advocaat is ziek")
    page.submit("move-appointment")
    assert page.text("#notice") == t("The appointment is moved.")
    assert t("moved from %(moment)s").split("%")[0] in page.text(f"#appointment-{appointment}")

    page.submit(f"cancel-{appointment}")
    page.check("appointment-cancellation")
    page.type("reason", "De zitting is uitgesteld")
    page.submit("cancel-appointment")
    page.submit("confirm")
    assert page.text("#notice") == t("The appointment is cancelled.")
    assert t("Cancelled") in page.text(f"#appointment-{appointment}")
    assert not page.all(f"#move-{appointment}") and not page.all(f"#cancel-{appointment}")

    # -- a referral proposed, then cancelled before the partner answered ----------------------------
    wait_until(lambda: web.api("GET", f"/clients/{client_id}/coordination")[0] == 200, timeout=20, interval=0.3,
               what="referrals to know the client")
    referral = ok(web.api("POST", f"/clients/{client_id}/referrals", {
        "partner": "transit", "domains": ["addiction"], "reason": "Ondersteuning bij gebruik"}))["referral_id"]
    page.open(f"{file}/referrals/{referral}")
    page.submit("cancel-referral-link")
    page.check("referral-cancellation")
    page.type("reason", "De cliënt vond elders hulp")
    page.submit("correct-referral")
    page.check("referral-cancellation-confirm")
    page.submit("confirm")
    assert page.text("#notice") == t("The referral is cancelled. The partner is told.")
    assert page.text("#referral-state") == t("Cancelled by the agency")
    assert "De cliënt vond elders hulp" in page.text("#steps")
    assert not page.all("#cancel-referral-link") and not page.all("#record-step-link")

    # -- the coordinator: the legal situation changed ---------------------------------------------------
    page.submit("sign-out")
    page.sign_in("apo-coord")
    page.open(file)
    page.submit("legal-situation-link")
    page.check("legal-situation")
    page.choose("situation", "conditional_release")
    page.set_value("effective_from", (dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.type("reason", "Voorwaardelijke invrijheidstelling toegekend")
    page.submit("change-legal-situation")
    assert page.error_links() == ["effective_from"]  # not a day to come
    page.check("legal-situation-invalid")
    page.set_value("effective_from", dt.date.today().isoformat())
    page.submit("change-legal-situation")
    assert page.text("#notice") == t("The change of the legal situation is recorded.")
    history = page.text("#legal-situation-history")
    assert t("Probation") in history and t("Conditional release") in history
    assert "Voorwaardelijke invrijheidstelling toegekend" in history

    # -- and a declined client's intake re-opened ----------------------------------------------------
    declined = register(web, "Heropeningstest")
    ok(web.api("POST", f"/clients/{declined}/decline", {"reason": "not_reachable", "note": "Geen antwoord."},
               as_user="apo-coord"), 200)
    page.open(f"/app/clients/{declined}")
    page.submit("reopen-intake-link")
    page.check("intake-reopening")
    page.type("reason", "De cliënt meldt zich opnieuw")
    page.submit("reopen-intake")
    page.check("intake-reopening-confirm")
    page.submit("confirm")
    assert page.text("#notice") == t("The intake is re-opened: the client waits for a decision on it again.")
    assert t("Registered") in page.text("#summary")
    assert "De cliënt meldt zich opnieuw" in page.text("#intake-reopenings")
    assert page.all("#decide-link") and not page.all("#reopen-intake-link")

    # -- a client whose trajectory closed: no correction, the intake re-opened -------------------------
    closed = register(web, "Afsluitingstest")
    web.open_trajectory(closed)
    wait_until(lambda: web.api("GET", f"/trajectories/{closed}")[0] == 200, timeout=20, interval=0.3,
               what="guidance to open the trajectory")
    ok(web.api("POST", f"/trajectories/{closed}/closing", {"reason": "goals_reached", "summary": "Woning gevonden."},
               as_user="apo-coord"), 200)
    wait_until(lambda: web.api("GET", f"/clients/{closed}")[2].get("trajectory_closed"), timeout=20, interval=0.3,
               what="intake to hear that the trajectory closed")
    page.open(f"/app/clients/{closed}")
    assert page.text("#trajectory-closed") == t(
        "The client's trajectory is closed: the file takes no change until a coordinator reopens the trajectory "
        "or the intake.")
    assert not page.all("#legal-situation-link") and not page.all("#contact-link")
    page.submit("reopen-intake-link")
    page.type("reason", "Een jaar later vraagt de cliënt opnieuw hulp")
    page.submit("reopen-intake")
    page.submit("confirm")
    assert page.text("#notice") == t("The intake is re-opened: the client waits for a decision on it again.")
    assert page.all("#decide-link") and page.all("#legal-situation-link") and not page.all("#trajectory-closed")
