"""The client's situation over time (intake, issue 20): a change of legal position,
situation or mandating actor, and new contact details, each from the day it took
effect, learnt late or not; and a declined client's intake reopened by the
coordinator. Each is sent only if the file is still at the version the person read."""
from __future__ import annotations

import datetime as dt

from shared.contracts import intake
from shared.contracts.intake_vocabulary import LEGAL_POSITIONS, SITUATIONS

from services.gateway.problems import Problem
from services.gateway.pages.app import Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.casework import Task, carry_out, given, ids, precondition, show, today, version_read

LEGAL_SITUATION = Task(
    "legal_situation.html", N_("Change the legal situation"), "intake", "change_legal_situation",
    intake.ChangeLegalSituation,
    {"effective_from": "effective_from", "legal_position": "legal_position", "situation": "situation",
     "mandating_actor": "mandating_kind", "mandating_actor.kind": "mandating_kind",
     "mandating_actor.name": "mandating_name", "mandating_actor.organisation": "mandating_organisation",
     "reason": "reason", "client_id": "reason", "If-Match": "reason"}, "reason", "legal_situation", "intake")
CONTACT = Task(
    "contact_details.html", N_("Change the contact details"), "intake", "change_contact_details",
    intake.ChangeContactDetails,
    {"effective_from": "effective_from", "contact": "phone", "contact.phone": "phone", "contact.email": "email",
     "contact.address": "address", "reason": "reason", "client_id": "reason", "If-Match": "reason"},
    "phone", "contact_details", "intake")
REOPEN = Task("intake_reopening.html", N_("Re-open the intake"), "intake", "reopen_intake", intake.ReopenIntake,
              {"reason": "reason", "status": "reason", "client_id": "reason", "If-Match": "reason"}, "reason",
              "intake_reopened", "intake", confirm="casework_confirm.html")
# Who reopens an intake: the coordinator decides on intakes (services/intake/roles.py).
REOPENS = frozenset({"coordinator"})
_CONTACT = ("phone", "email", "address")


def _file(page: Page, client_id) -> dict:
    return page.call("intake", "client_file", {"actor": page.actor, "client_id": str(client_id)}, None)


def _effective(page: Page, form: Form, payload: dict) -> None:
    """The day the change took effect: today or earlier, said on the form if not."""
    typed = form.get("effective_from").strip()
    if not typed:
        return  # the contract names it
    try:
        day = dt.date.fromisoformat(typed)
    except ValueError:
        form.add("effective_from", page.t(N_("Enter a real date.")))
        return
    if day.isoformat() > today():
        form.add("effective_from", page.t(N_("Enter the day it took effect: today or earlier, not a day to come.")))
    payload["effective_from"] = typed


# -- the legal situation -----------------------------------------------------------------------

def legal_situation(page: Page, client_id):
    w = page.words

    def values():
        return {"legal_positions": w.options("legal_position", LEGAL_POSITIONS),
                "situations": w.options("situation", SITUATIONS)}

    client = _file(page, client_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form(if_match=version_read(client, "client_id"))
        mandating = client.get("mandating_actor") or {}
        form.values.update({"legal_position": client.get("legal_position") or "",
                            "situation": client.get("situation") or "", "effective_from": today(),
                            "mandating_kind": mandating.get("kind") or "",
                            "mandating_name": mandating.get("name") or "",
                            "mandating_organisation": mandating.get("organisation") or ""})
        return show(page, LEGAL_SITUATION, page.resumed(form), client_id, client=client, **values())
    form = page.posted()
    payload = {**ids(page, client_id), **given(form, "legal_position", "situation", "reason")}
    kind = form.get("mandating_kind").strip()
    if kind:
        payload["mandating_actor"] = {"kind": kind, **{key: form.get(f"mandating_{key}").strip()
                                                       for key in ("name", "organisation")
                                                       if form.get(f"mandating_{key}").strip()}}
    _effective(page, form, payload)
    on_file = {"legal_position": client.get("legal_position"), "situation": client.get("situation"),
               "mandating_actor": client.get("mandating_actor")}
    if not form.invalid and all(payload.get(name) in (None, on_file[name]) for name in on_file):
        form.messages.append(page.t(N_("Nothing changes: the file says this already. Change the legal position, "
                                       "the situation or the mandating actor.")))
    return carry_out(page, LEGAL_SITUATION, client_id, form, payload, lambda: {"client": client, **values()},
                     precondition(form))


# -- the contact details -------------------------------------------------------------------------

def contact(page: Page, client_id):
    client = _file(page, client_id)
    now = ((client.get("personal") or {}).get("contact")) or {}
    if page.request.method != "POST":  # GET, or HEAD
        form = Form(if_match=version_read(client, "client_id"))
        form.values.update({name: now.get(name) or "" for name in _CONTACT})
        form.values["effective_from"] = today()
        return show(page, CONTACT, page.resumed(form), client_id, client=client)
    form = page.posted()
    payload = {**ids(page, client_id), "contact": given(form, *_CONTACT), **given(form, "reason")}
    _effective(page, form, payload)
    if not form.invalid and payload["contact"] == {k: v for k, v in now.items() if v}:
        form.messages.append(page.t(N_("Nothing changes: the file has these contact details already.")))
    return carry_out(page, CONTACT, client_id, form, payload, lambda: {"client": client}, precondition(form))


# -- a declined intake reopened (the coordinator) ----------------------------------------------------

def reopen(page: Page, client_id):
    if page.actor["role"] not in REOPENS:
        raise Problem(403, "only a coordinator reopens an intake", "forbidden")
    client = _file(page, client_id)
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, REOPEN, page.resumed(Form(if_match=version_read(client, "client_id"))), client_id,
                    client=client)
    form = page.posted()

    def values():
        return {"client": client,
                "question": page.t(N_("Re-open the intake? The client waits for your decision on the intake "
                                      "again.")),
                "facts": [(page.t(N_("Why the intake is re-opened")), form.get("reason"), None)],
                "button": page.t(N_("Yes, re-open the intake"))}

    return carry_out(page, REOPEN, client_id, form, {**ids(page, client_id), **given(form, "reason")}, values,
                     precondition(form))
