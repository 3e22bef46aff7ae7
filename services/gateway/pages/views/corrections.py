"""Corrections on a client's trajectory and referrals (issue 20): an intervention
corrected or retracted as recorded in error (perhaps recorded again on the right
client's file), an appointment moved or cancelled, a referral cancelled, withdrawn or
reopened. Each says why; the original stays in the history.

An intervention is a record of its own: its corrections are sent only if it is still
at the version the person read (``if_match``), as a move or a cancellation of an
appointment is with the trajectory's. What ends something (a retraction, a
cancellation, a withdrawal) asks to confirm first."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from shared.contracts import guidance, referrals, validate_command
from shared.contracts.guidance_vocabulary import DOMAINS, METHODS, PLACES, SUB_KINDS
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_, TIMEZONE
from services.gateway.pages.views.casework import (
    Task, carry_out, given, ids, moment, part, precondition, show, trajectory, version_read,
)
from services.gateway.pages.views.referrals import explain_refusal, referral_of

_BRUSSELS = ZoneInfo(TIMEZONE)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# -- an intervention corrected --------------------------------------------------------------

AMEND_FIELDS = {"at": "at_date", "minutes": "minutes", "place": "place", "method": "method", "sub_kind": "sub_kind",
                "domains": "domains", "note": "note", "next_steps": "next_steps", "reason": "reason",
                "intervention_id": "reason", "If-Match": "reason"}
AMEND = Task("intervention_correction.html", N_("Correct an intervention"), "guidance", "amend_intervention",
             guidance.AmendIntervention, AMEND_FIELDS, "reason", "intervention_amended", "interventions")
RETRACT = Task("intervention_retraction.html", N_("Retract an intervention recorded in error"), "guidance",
               "retract_intervention", guidance.RetractIntervention,
               {"reason": "reason", "client_id": "right_client", "intervention_id": "reason", "If-Match": "reason",
                "status": "reason"}, "reason", "intervention_retracted", "interventions",
               confirm="casework_confirm.html")
# The fields a worker types on the form, as the amendment names them.
_TYPED = ("minutes", "place", "method", "sub_kind", "note", "next_steps")


def _intervention(page: Page, client_id, intervention_id) -> dict:
    return part(trajectory(page, client_id), "interventions", "intervention_id", str(intervention_id))


def amend(page: Page, client_id, intervention_id):
    w = page.words

    def values():
        groups = [(m, w.label("method", m), w.options("sub_kind", SUB_KINDS[m])) for m in METHODS]
        return {"methods": w.options("method", METHODS), "sub_kind_groups": groups,
                "places": w.options("place", PLACES), "domains": w.options("domain", DOMAINS),
                "reads_note": read.get("note") is not None}

    read = _intervention(page, client_id, intervention_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form(if_match=version_read(read, "intervention_id"))
        at = dt.datetime.fromisoformat(read["at"]).astimezone(_BRUSSELS)
        form.values.update({"at_date": at.date().isoformat(), "at_time": at.strftime("%H:%M"),
                            "minutes": str(read["minutes"])})
        form.values.update({name: read.get(name) or "" for name in _TYPED if name != "minutes"})
        form.values.setlist("domains", list(read.get("domains") or []))
        return show(page, AMEND, page.resumed(form), client_id, intervention=read, **values())
    form = page.posted()
    payload = {"actor": page.actor, "intervention_id": str(intervention_id), **given(form, "reason"),
               **_changes(page, form, read)}
    if not form.invalid and not set(payload) & set(guidance.AMENDABLE):
        form.messages.append(page.t(N_("Nothing is changed: change at least one answer, or go back to the file.")))
        return show(page, AMEND, form, client_id, 422, intervention=read, **values())
    return carry_out(page, AMEND, client_id, form, payload, lambda: {"intervention": read, **values()},
                     precondition(form))


def _changes(page: Page, form: Form, read: dict) -> dict:
    """What differs from the intervention as read: only that is sent, so an answer the
    person left as it was is never 'changed' (a note they may not read, above all)."""
    changes: dict = {}
    at = moment(page, form, "at")
    if at is None and "at_date" not in form.errors:
        form.add("at_date", page.t(N_("Enter the date and time, like 29/11/2026 and 10:00.")))
    elif at and dt.datetime.fromisoformat(at) != dt.datetime.fromisoformat(read["at"]):
        changes["at"] = at
    minutes = form.get("minutes").strip()
    if not minutes.isdigit():
        form.add("minutes", page.t(N_("Enter how many minutes it took, as a whole number.")))
    elif int(minutes) != read["minutes"]:
        changes["minutes"] = int(minutes)
    for name in ("place", "method", "sub_kind"):
        if form.get(name) != (read.get(name) or ""):
            changes[name] = form.get(name)
    if set(form.getlist("domains")) != set(read.get("domains") or []):
        changes["domains"] = form.getlist("domains")
    for name in ("note", "next_steps"):
        if name == "note" and read.get("note") is None:
            continue  # not shown to this reader: never sent
        if form.get(name).strip() != (read.get(name) or "").strip():
            changes[name] = form.get(name).strip()
    return changes


def retract(page: Page, client_id, intervention_id):
    read = _intervention(page, client_id, intervention_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form(if_match=version_read(read, "intervention_id"))
        return show(page, RETRACT, page.resumed(form), client_id, intervention=read)
    form = page.posted()
    payload = {"actor": page.actor, "intervention_id": str(intervention_id), **given(form, "reason")}
    typed = form.get("right_client").strip()
    if typed:
        found = _UUID.search(typed)
        if found:
            payload["client_id"] = found.group(0).lower()
        else:
            form.add("right_client", page.t(N_("Enter the reference of the right client's file: the address of "
                                               "their file, or the code in it, like 6a80ac1b-7313-...")))

    def values():
        facts = [(page.t(N_("Why it is retracted")), form.get("reason"), None)]
        if payload.get("client_id"):
            facts.append((page.t(N_("Recorded again on the file")), payload["client_id"], None))
        return {"intervention": read, "facts": facts,
                "question": page.t(N_("Retract this intervention? It stays in the history, marked as recorded in "
                                      "error, and counts nowhere.")),
                "button": page.t(N_("Yes, retract the intervention"))}

    return carry_out(page, RETRACT, client_id, form, payload, values, precondition(form))


# -- an appointment moved or cancelled -----------------------------------------------------

MOVE = Task("appointment_move.html", N_("Move an appointment"), "guidance", "reschedule_appointment",
            guidance.RescheduleAppointment, {"at": "at_date", "reason": "reason", "appointment_id": "at_date",
                                             "status": "reason", "outcome": "reason", "If-Match": "reason"},
            "reason", "appointment_moved", "appointments")
CANCEL = Task("appointment_cancellation.html", N_("Cancel an appointment"), "guidance", "cancel_appointment",
              guidance.CancelAppointment, {"reason": "reason", "appointment_id": "reason", "status": "reason",
                                           "outcome": "reason", "If-Match": "reason"},
              "reason", "appointment_cancelled", "appointments", confirm="casework_confirm.html")


def move(page: Page, client_id, appointment_id):
    found = trajectory(page, client_id)
    appointment = part(found, "appointments", "appointment_id", appointment_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form(if_match=version_read(found, "trajectory_id"))
        if appointment.get("at"):
            at = dt.datetime.fromisoformat(appointment["at"]).astimezone(_BRUSSELS)
            form.values.update({"at_date": at.date().isoformat(), "at_time": at.strftime("%H:%M")})
        return show(page, MOVE, page.resumed(form), client_id, appointment=appointment)
    form = page.posted()
    payload = {**ids(page, client_id, appointment_id=appointment_id), **given(form, "reason")}
    at = moment(page, form, "at")
    if at:
        payload["at"] = at
    return carry_out(page, MOVE, client_id, form, payload, lambda: {"appointment": appointment},
                     precondition(form))


def cancel(page: Page, client_id, appointment_id):
    found = trajectory(page, client_id)
    appointment = part(found, "appointments", "appointment_id", appointment_id)
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, CANCEL, page.resumed(Form(if_match=version_read(found, "trajectory_id"))), client_id,
                    appointment=appointment)
    form = page.posted()

    def values():
        return {"appointment": appointment,
                "question": page.t(N_("Cancel this appointment? Its reminders are withdrawn.")),
                "facts": [(page.words.when(appointment.get("at")), appointment.get("purpose"), None),
                          (page.t(N_("Why it is cancelled")), form.get("reason"), None)],
                "button": page.t(N_("Yes, cancel the appointment"))}

    payload = {**ids(page, client_id, appointment_id=appointment_id), **given(form, "reason")}
    return carry_out(page, CANCEL, client_id, form, payload, values, precondition(form))


# -- a referral cancelled, withdrawn or reopened --------------------------------------------

@dataclass(frozen=True)
class Correction:
    title: str
    rpc: str
    schema: type
    notice: str
    question: str | None  # asked to confirm: it ends the referral
    button: str


REFERRAL_CORRECTIONS = {
    "cancellation": Correction(N_("Cancel the referral"), "cancel_referral", referrals.CancelReferral,
                               "referral_cancelled",
                               N_("Cancel this referral? The partner has not answered yet; it is told that the "
                                  "referral is cancelled, and the referral takes no further step."),
                               N_("Yes, cancel the referral")),
    "withdrawal": Correction(N_("Withdraw the referral"), "withdraw_referral", referrals.WithdrawReferral,
                             "referral_withdrawn",
                             N_("Withdraw this referral? The partner has answered; it is told that the referral is "
                                "withdrawn, and the referral takes no further step."),
                             N_("Yes, withdraw the referral")),
    "reopening": Correction(N_("Reopen the referral"), "reopen_referral", referrals.ReopenReferral,
                            "referral_reopened", None, N_("Reopen the referral")),
}
REFERRAL_FIELDS = {"reason": "reason", "referral_id": "reason", "step": "reason", "consent": "reason",
                   "partner": "reason"}


def cancel_referral(page: Page, client_id, referral_id):
    return _correct_referral(page, client_id, referral_id, REFERRAL_CORRECTIONS["cancellation"])


def withdraw_referral(page: Page, client_id, referral_id):
    return _correct_referral(page, client_id, referral_id, REFERRAL_CORRECTIONS["withdrawal"])


def reopen_referral(page: Page, client_id, referral_id):
    return _correct_referral(page, client_id, referral_id, REFERRAL_CORRECTIONS["reopening"])


def _correct_referral(page: Page, client_id, referral_id, chosen: Correction):
    referral = referral_of(page, client_id, referral_id)
    back = f"{PREFIX}clients/{client_id}/referrals/{referral_id}"

    def shown(form: Form, status: int = 200, confirming: bool = False):
        carried = [(n, v) for n, v in form.values.items(multi=True)
                   if n not in ("csrf_token", "idempotency_key", "if_match", "confirmed", "change")]
        if confirming:
            return page.render("casework_confirm.html", form=form, client_id=str(client_id), carried=carried,
                               title=page.t(chosen.title), form_page=True, question=page.t(chosen.question),
                               facts=[(page.t(N_("Why")), form.get("reason"), None)],
                               button=page.t(chosen.button))
        return page.render("referral_correction.html", status=status, form=form, client_id=str(client_id),
                           referral=referral, back=back, title=page.t(chosen.title), button=page.t(chosen.button)
                           if chosen.question is None else page.t(N_("Continue to the confirmation")))

    if page.request.method != "POST":  # GET, or HEAD
        return shown(page.resumed(Form()))
    form = page.posted()
    payload = {"actor": page.actor, "referral_id": str(referral_id), **given(form, "reason")}
    try:
        validate_command(chosen.schema, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, REFERRAL_FIELDS, "reason")
    if form.invalid or form.get("change"):
        return shown(form, 422 if form.invalid else 200)
    if chosen.question and form.get("confirmed") != "yes":
        return shown(form, confirming=True)
    page.command(form)
    try:
        page.call("referrals", chosen.rpc, payload, None)
    except (Refused, Problem) as error:
        return shown(form, explain_refusal(page, form, error, REFERRAL_FIELDS, "reason", "reason"))
    return page.redirect(f"{back}?notice={chosen.notice}")
