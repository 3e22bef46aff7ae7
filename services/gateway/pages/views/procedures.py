"""A procedure the client starts (rehabilitation, residence status), its dated steps,
and how it ended."""
from __future__ import annotations

from shared.contracts import guidance

from services.gateway.pages.app import Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.casework import Task, carry_out, given, ids, part, show, today, trajectory

START = Task("procedure.html", N_("Start a procedure"), "guidance", "start_procedure", guidance.StartProcedure,
             {"kind": "kind", "on": "on"}, "kind", "procedure", "procedures")
STEP = Task("procedure_step.html", N_("Record a step of the procedure"), "guidance", "record_procedure_step",
            guidance.RecordProcedureStep, {"step": "step", "on": "on"}, "step", "procedure_step", "procedures")
END = Task("procedure_end.html", N_("Record how the procedure ended"), "guidance", "end_procedure",
           guidance.EndProcedure, {"outcome": "outcome", "on": "on"}, "outcome", "procedure_end", "procedures")


def _dated() -> Form:
    form = Form()
    form.values["on"] = today()
    return form


def start(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, START, page.resumed(_dated()), client_id)
    form = page.posted()
    return carry_out(page, START, client_id, form, {**ids(page, client_id), **given(form, "kind", "on")}, dict)


def _of(task: Task, names: tuple[str, ...]):
    """A form about one procedure of the trajectory: a step, or its end."""

    def view(page: Page, client_id, procedure_id):
        def values():
            return {"procedure": part(trajectory(page, client_id), "procedures", "procedure_id", procedure_id)}

        if page.request.method != "POST":  # GET, or HEAD
            return show(page, task, page.resumed(_dated()), client_id, **values())
        form = page.posted()
        payload = {**ids(page, client_id, procedure_id=procedure_id), **given(form, *names)}
        return carry_out(page, task, client_id, form, payload, values)

    return view


step = _of(STEP, ("step", "on"))
end = _of(END, ("outcome", "on"))
