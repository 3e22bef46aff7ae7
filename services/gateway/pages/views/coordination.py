"""The coordination of help around a client: the actors and agencies of the plan
(added and removed), the case conferences held, and their follow-up actions done."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shared.contracts import referrals, validate_command
from shared.errors import InvalidInput

from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_, TIMEZONE
from services.gateway.pages.views.common import send

ROLE_LABELS = {
    "lawyer": N_("Lawyer of the client"), "justice_assistant": N_("Justice assistant following the client"),
    "ocmw_cpas": N_("Social worker of the OCMW/CPAS"), "partner": N_("Partner service"),
    "psychologist": N_("Psychologist"), "doctor": N_("Treating doctor"), "family": N_("Family member"),
    "employer": N_("Employer"), "other": N_("Someone else"),
}
ACTOR_FIELDS = {"role": "role", "organisation": "organisation", "contact": "contact", "does": "does"}
AGENCY_FIELDS = {"agency": "agency", "does": "agency_does", "consent": "agency"}
ACTION_ROWS = 3  # follow-up actions at once on the form
CONFERENCE_FIELDS = {"on": "on", "participants": "participants", "decisions": "decisions",
                     **{f"actions.{i}.action": f"action_{i + 1}" for i in range(ACTION_ROWS)},
                     **{f"actions.{i}.owner": f"owner_{i + 1}" for i in range(ACTION_ROWS)},
                     **{f"actions.{i}.due": f"due_{i + 1}" for i in range(ACTION_ROWS)},
                     **{f"actions.{i}": f"action_{i + 1}" for i in range(ACTION_ROWS)}}


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


# -- the coordination page, and its two small forms ---------------------------------------------

def coordination(page: Page, client_id, forms: dict | None = None, status: int = 200):
    plan = page.call("referrals", "coordination", {"actor": page.actor, "client_id": str(client_id)}, None)
    names = {a["code"]: a["name"] for a in page.call("intake", "directory", None, None)}
    agencies = [(code, name) for code, name in names.items() if code != page.actor["agency"]]
    forms = forms or {}
    for name in ("actor", "agency"):
        forms.setdefault(name, Form())
    conferences = sorted(plan.get("case_conferences") or [], key=lambda c: c["on"], reverse=True)
    return page.render("coordination.html", status=status, title=page.t(N_("Coordination of help")),
                       client_id=str(client_id), plan=plan, conferences=conferences, forms=forms,
                       summary_form=next((f for f in forms.values() if f.invalid), forms["actor"]),
                       roles=[(code, page.t(text)) for code, text in ROLE_LABELS.items()], agencies=agencies,
                       agency_names=names,
                       role_labels={code: page.t(text) for code, text in ROLE_LABELS.items()})


def add_actor(page: Page, client_id):
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "role": form.get("role"),
               "organisation": form.get("organisation").strip(), "does": form.get("does").strip()}
    if form.get("contact").strip():
        payload["contact"] = form.get("contact").strip()
    return _changed(page, client_id, form, "actor", referrals.AddCoordinationActor, "add_coordination_actor",
                    payload, ACTOR_FIELDS, "role")


def add_agency(page: Page, client_id):
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "agency": form.get("agency"),
               "does": form.get("agency_does").strip()}
    return _changed(page, client_id, form, "agency", referrals.AddCoordinatingAgency, "add_coordinating_agency",
                    payload, AGENCY_FIELDS, "agency")


def _changed(page: Page, client_id, form: Form, which: str, contract, rpc: str, payload: dict, fields: dict,
             default: str):
    try:
        validate_command(contract, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, fields, default)
        return coordination(page, client_id, {which: form}, 422)
    status = send(page, form, "referrals", rpc, payload, None, fields, default)
    if status:
        if status == 403 and which == "agency":  # the client's consent for coordination is missing
            form.messages[:] = []
            form.add("agency", page.t(N_("The client has not consented to sharing with this agency for "
                                         "coordination. Record the consent on the file first.")))
        return coordination(page, client_id, {which: form}, status)
    return page.redirect(f"{PREFIX}clients/{client_id}/coordination?notice=coordination_changed")


def remove_actor(page: Page, client_id, actor_id):
    page.command(page.posted())
    page.call("referrals", "remove_coordination_actor",
              {"actor": page.actor, "client_id": str(client_id), "actor_id": actor_id}, None)
    return page.redirect(f"{PREFIX}clients/{client_id}/coordination?notice=coordination_changed")


def remove_agency(page: Page, client_id, agency):
    page.command(page.posted())
    page.call("referrals", "remove_coordinating_agency",
              {"actor": page.actor, "client_id": str(client_id), "agency": agency}, None)
    return page.redirect(f"{PREFIX}clients/{client_id}/coordination?notice=coordination_changed")


def complete_action(page: Page, client_id, conference_id, index):
    page.command(page.posted())
    page.call("referrals", "complete_conference_action",
              {"actor": page.actor, "conference_id": str(conference_id), "index": index, "on": _today().isoformat()},
              None)
    return page.redirect(f"{PREFIX}clients/{client_id}/coordination?notice=action_done#conferences")


# -- holding a case conference ----------------------------------------------------------------

def hold_conference(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["on"] = _today().isoformat()
        return _conference_form(page, page.resumed(form), client_id)
    form = page.posted()
    rows = [(i, form.get(f"action_{i}").strip(), form.get(f"owner_{i}").strip(), form.get(f"due_{i}").strip())
            for i in range(1, ACTION_ROWS + 1)]
    filled = [row for row in rows if any(row[1:])]
    payload = {"actor": page.actor, "client_id": str(client_id), "on": form.get("on").strip(),
               "participants": _lines(form.get("participants")), "decisions": _lines(form.get("decisions")),
               "actions": [{"action": action, "owner": owner, **({"due": due} if due else {})}
                           for _, action, owner, due in filled]}
    try:
        validate_command(referrals.HoldCaseConference, payload)
    except InvalidInput as error:
        add_errors(form, page.words, _by_row(error.details, filled), CONFERENCE_FIELDS, "on")
    if form.invalid:
        return _conference_form(page, form, client_id, 422)
    status = send(page, form, "referrals", "hold_case_conference", payload, None, CONFERENCE_FIELDS, "on")
    if status:
        return _conference_form(page, form, client_id, status)
    return page.redirect(f"{PREFIX}clients/{client_id}/coordination?notice=conference_held#conferences")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _by_row(details: dict, filled: list) -> dict:
    """``actions.N`` counts only the filled rows: point it at the row the person filled."""
    moved = {}
    for name, reasons in details.items():
        parts = name.split(".")
        if parts[0] == "actions" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(filled):
            parts[1] = str(filled[int(parts[1])][0] - 1)
        moved[".".join(parts)] = reasons
    return moved


def _conference_form(page: Page, form: Form, client_id, status: int = 200):
    return page.render("conference.html", status=status, title=page.t(N_("Record a case conference")), form=form,
                       client_id=str(client_id), rows=range(1, ACTION_ROWS + 1))

