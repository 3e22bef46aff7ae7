"""An appointment with a judicial or social actor (perhaps accompanied, perhaps during
a leave permit), and how it went."""
from __future__ import annotations

from shared.contracts import guidance
from shared.contracts.guidance_vocabulary import OUTCOMES

from services.gateway.pages.app import Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.casework import Task, carry_out, given, ids, moment, part, show, trajectory

PLAN = Task("appointment.html", N_("Plan an appointment"), "guidance", "plan_appointment", guidance.PlanAppointment,
            {"at": "at_date", "with_actor": "with_actor", "purpose": "purpose", "accompanied_by": "accompanied_by",
             "leave_permit": "permit_from_date", "leave_permit.from": "permit_from_date",
             "leave_permit.until": "permit_until_date"}, "purpose", "appointment", "appointments")
OUTCOME = Task("appointment_outcome.html", N_("Record how the appointment went"), "guidance",
               "record_appointment_outcome", guidance.RecordAppointmentOutcome, {"outcome": "outcome"}, "outcome",
               "appointment_outcome", "appointments")


def plan(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, PLAN, page.resumed(Form()), client_id)
    form = page.posted()
    payload = {**ids(page, client_id), **given(form, "with_actor", "purpose", "accompanied_by")}
    at = moment(page, form, "at")
    if at:
        payload["at"] = at
    starts, ends = moment(page, form, "permit_from"), moment(page, form, "permit_until")
    if starts or ends:  # a permit is optional, but one begun needs both ends
        payload["leave_permit"] = {key: value for key, value in (("from", starts), ("until", ends)) if value}
    return carry_out(page, PLAN, client_id, form, payload, dict)


def outcome(page: Page, client_id, appointment_id):
    w = page.words

    def values():
        found = part(trajectory(page, client_id), "appointments", "appointment_id", appointment_id)
        return {"appointment": found, "outcomes": w.options("outcome", OUTCOMES)}

    if page.request.method != "POST":  # GET, or HEAD
        return show(page, OUTCOME, page.resumed(Form()), client_id, **values())
    form = page.posted()
    payload = {**ids(page, client_id, appointment_id=appointment_id), **given(form, "outcome")}
    return carry_out(page, OUTCOME, client_id, form, payload, values)
