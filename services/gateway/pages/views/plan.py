"""Agreeing the support plan, only if the trajectory is still as the person read it
(``if_match``: two colleagues editing at once get "changed meanwhile")."""
from __future__ import annotations

from shared import concurrency
from shared.contracts import guidance, validate_command
from shared.contracts.guidance_vocabulary import DOMAINS, INTENSITIES
from shared.errors import InvalidInput

from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.common import send

ROWS = 3  # goals shown at once; more come with a review
FIELDS = {"goals": "goal_domain_1", "intensity": "intensity", "expected_weeks": "expected_weeks",
          **{f"goals.{i}.domain": f"goal_domain_{i + 1}" for i in range(ROWS)},
          **{f"goals.{i}.goal": f"goal_text_{i + 1}" for i in range(ROWS)}, **{f"goals.{i}": f"goal_domain_{i + 1}"
                                                                              for i in range(ROWS)}}


def agree(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        trajectory = page.call("guidance", "trajectory", {"actor": page.actor, "client_id": str(client_id)}, None)
        form = Form(if_match=concurrency.tag(trajectory["trajectory_id"], trajectory["version"]))
        fill(form, trajectory.get("plan") or {})
        return _form(page, page.resumed(form), client_id)
    form = page.posted()
    rows, goals = read(page, form)
    payload = {"actor": page.actor, "client_id": str(client_id), "intensity": form.get("intensity"), **goals}
    try:
        validate_command(guidance.AgreePlan, payload)
    except InvalidInput as error:
        # Weeks that are not a number are named on the form already, in the person's words.
        details = {k: v for k, v in error.details.items() if k != "expected_weeks" or "expected_weeks" in payload}
        add_errors(form, page.words, _by_row(details, rows), FIELDS, "goal_domain_1")
    if form.invalid:
        return _form(page, form, client_id, 422)
    precondition = form.if_match if form.if_match and concurrency.parse(form.if_match) else None
    status = send(page, form, "guidance", "agree_plan", payload, precondition, FIELDS, "goal_domain_1")
    if status:
        return _form(page, form, client_id, status)
    return page.redirect(f"{PREFIX}clients/{client_id}?notice=plan#plan")


def fill(form: Form, plan: dict) -> None:
    """The form's goal rows, intensity and weeks as the plan holds them (agreed or reviewed)."""
    for i, goal in enumerate((plan.get("goals") or [])[:ROWS], start=1):
        form.values[f"goal_domain_{i}"], form.values[f"goal_text_{i}"] = goal["domain"], goal["goal"]
    form.values["intensity"] = plan.get("intensity", "")
    form.values["expected_weeks"] = str(plan.get("expected_weeks", ""))


def read(page: Page, form: Form) -> tuple[list, dict]:
    """The goal rows as typed, and the plan's goals and weeks for a command; weeks that
    are not a whole number are named on the form and left out."""
    rows = [(i, form.get(f"goal_domain_{i}"), form.get(f"goal_text_{i}").strip()) for i in range(1, ROWS + 1)]
    part: dict = {"goals": [{"domain": domain, "goal": text} for _, domain, text in rows if domain or text]}
    weeks = form.get("expected_weeks").strip()
    if weeks.isdigit():
        part["expected_weeks"] = int(weeks)
    else:
        form.add("expected_weeks", page.t(N_("Enter the number of weeks, as a whole number.")))
    return rows, part


def _by_row(details: dict, rows: list) -> dict:
    """``goals.N`` counts only the filled rows: point it at the row the person filled."""
    filled = [i for i, domain, text in rows if domain or text]
    moved = {}
    for name, reasons in details.items():
        parts = name.split(".")
        if parts[0] == "goals" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(filled):
            parts[1] = str(filled[int(parts[1])] - 1)
        moved[".".join(parts)] = reasons
    return moved


def _form(page: Page, form: Form, client_id, status: int = 200):
    w = page.words
    return page.render("plan.html", status=status, form=form, client_id=str(client_id), rows=range(1, ROWS + 1),
                       title=page.t(N_("Agree the plan")), domains=w.options("domain", DOMAINS),
                       intensities=w.options("intensity", INTENSITIES))
