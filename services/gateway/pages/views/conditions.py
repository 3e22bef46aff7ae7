"""A condition or prohibition the client must keep, recorded from the decision that
imposed it, and the support given with one (the agency supports; the justice
assistants supervise)."""
from __future__ import annotations

from shared.contracts import guidance

from services.gateway.pages.app import Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.casework import Task, carry_out, given, ids, part, show, today, trajectory

RECORD = Task("condition.html", N_("Record a condition"), "guidance", "record_condition", guidance.RecordCondition,
              {name: name for name in ("kind", "description", "starts", "ends", "authority")}, "description",
              "condition", "conditions")
SUPPORT = Task("condition_support.html", N_("Record support with a condition"), "guidance", "support_condition",
               guidance.SupportCondition, {"support": "support", "on": "on"}, "support", "condition_support",
               "conditions")


def record(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, RECORD, page.resumed(Form()), client_id)
    form = page.posted()
    payload = {**ids(page, client_id), **given(form, "kind", "description", "starts", "ends", "authority")}
    return carry_out(page, RECORD, client_id, form, payload, dict)


def support(page: Page, client_id, condition_id):
    def values():
        return {"condition": part(trajectory(page, client_id), "conditions", "condition_id", condition_id)}

    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["on"] = today()
        return show(page, SUPPORT, page.resumed(form), client_id, **values())
    form = page.posted()
    payload = {**ids(page, client_id, condition_id=condition_id), **given(form, "support", "on")}
    return carry_out(page, SUPPORT, client_id, form, payload, values)
