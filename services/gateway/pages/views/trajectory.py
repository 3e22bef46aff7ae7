"""The trajectory as a whole: the plan reviewed, a psychologist recommended, the
trajectory closed (by its worker) and reopened (by the coordinator). Reviewing,
closing and reopening change what the trajectory is: they are sent only if it is still
at the version the person read (``if_match``), and closing and reopening ask to
confirm first."""
from __future__ import annotations

from dataclasses import replace

from shared.contracts import guidance
from shared.contracts.guidance_vocabulary import DOMAINS, INTENSITIES

from services.gateway.pages.app import Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views import goal_outcomes, plan
from services.gateway.pages.views.casework import (
    Task, carry_out, given, ids, precondition, show, trajectory, version_read,
)

REVIEW = Task("plan_review.html", N_("Review the plan"), "guidance", "review_plan", guidance.ReviewPlan,
              {**plan.FIELDS, "reason": "reason"}, "goal_domain_1", "plan_reviewed", "plan")
PSYCHOLOGIST = Task("psychologist.html", N_("Recommend a psychologist"), "guidance", "recommend_psychologist",
                    guidance.RecommendPsychologist, {"reason": "reason"}, "reason", "psychologist", "trajectory")
CLOSE = Task("closing.html", N_("Close the trajectory"), "guidance", "close_trajectory", guidance.CloseTrajectory,
             {"reason": "reason", "summary": "summary"}, "reason", "closed", "trajectory",
             confirm="casework_confirm.html")
REOPEN = Task("reopening.html", N_("Reopen the trajectory"), "guidance", "reopen_trajectory",
              guidance.ReopenTrajectory, {"reason": "reason"}, "reason", "reopened", "trajectory",
              confirm="casework_confirm.html")


def guarded(page: Page, client_id) -> Form:
    """A form that carries the trajectory's version as the person reads it."""
    return Form(if_match=version_read(trajectory(page, client_id), "trajectory_id"))


# -- the plan reviewed -------------------------------------------------------------------------

def review(page: Page, client_id):
    w = page.words

    def values(found: dict | None = None):
        # The goals of the plan in force, each with its outcome to choose (goal_outcomes.py).
        assessed = goal_outcomes.goals_of(found or trajectory(page, client_id))
        return {"rows": range(1, plan.ROWS + 1), "domains": w.options("domain", DOMAINS),
                "intensities": w.options("intensity", INTENSITIES), "assessed": assessed,
                "goal_outcomes": goal_outcomes.options(page)}

    if page.request.method != "POST":  # GET, or HEAD
        found = trajectory(page, client_id)
        form = Form(if_match=version_read(found, "trajectory_id"))
        plan.fill(form, found.get("plan") or {})
        return show(page, REVIEW, page.resumed(form), client_id, **values(found))
    form = page.posted()
    rows, goals = plan.read(page, form)
    outcomes, outcome_fields = goal_outcomes.read(form)
    payload = {**ids(page, client_id), **given(form, "intensity", "reason"), **goals, **outcomes}
    # ``goals.N`` counts the filled rows only: the error goes to the row the person filled.
    task = _rows_named(REVIEW, rows)
    return carry_out(page, replace(task, fields={**task.fields, **outcome_fields}), client_id, form, payload, values,
                     precondition(form))


def _rows_named(task: Task, rows: list) -> Task:
    filled = [i for i, domain, text in rows if domain or text]
    moved = {f"goals.{n}": f"goal_domain_{i}" for n, i in enumerate(filled)}
    moved.update({f"goals.{n}.domain": f"goal_domain_{i}" for n, i in enumerate(filled)})
    moved.update({f"goals.{n}.goal": f"goal_text_{i}" for n, i in enumerate(filled)})
    return replace(task, fields={**task.fields, **moved})


# -- a psychologist recommended ------------------------------------------------------------------

def psychologist(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, PSYCHOLOGIST, page.resumed(Form()), client_id)
    form = page.posted()
    return carry_out(page, PSYCHOLOGIST, client_id, form, {**ids(page, client_id), **given(form, "reason")}, dict)


# -- closed, and reopened ----------------------------------------------------------------------

def close(page: Page, client_id):
    def assessed(found: dict | None = None) -> dict:
        """The plan's goals, each with its outcome to choose (goal_outcomes.py)."""
        return {"assessed": goal_outcomes.goals_of(found or trajectory(page, client_id)),
                "goal_outcomes": goal_outcomes.options(page)}

    if page.request.method != "POST":  # GET, or HEAD
        found = trajectory(page, client_id)
        form = page.resumed(Form(if_match=version_read(found, "trajectory_id")))
        return show(page, CLOSE, form, client_id, **assessed(found))
    form = page.posted()
    outcomes, outcome_fields = goal_outcomes.read(form)

    def values():
        labels = dict(goal_outcomes.options(page))
        chosen = [(page.t(N_("Goal %(number)s"), number=o["goal_number"]), labels[o["outcome"]], None)
                  for o in outcomes.get("goal_outcomes", []) if o["outcome"] in labels]
        return {"question": page.t(N_("Close the trajectory? Recording stops until a coordinator reopens it.")),
                "facts": [(page.t(N_("Why the trajectory ends")), form.get("reason"), "closing_reasons"),
                          (page.t(N_("Summary of the guidance")), form.get("summary"), None), *chosen],
                "button": page.t(N_("Yes, close the trajectory")), **assessed()}

    payload = {**ids(page, client_id), **given(form, "reason", "summary"), **outcomes}
    return carry_out(page, replace(CLOSE, fields={**CLOSE.fields, **outcome_fields}), client_id, form, payload,
                     values, precondition(form))


def reopen(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, REOPEN, page.resumed(guarded(page, client_id)), client_id)
    form = page.posted()

    def values():
        return {"question": page.t(N_("Reopen the trajectory? Its worker can record in it again.")),
                "facts": [(page.t(N_("Why the trajectory reopens")), form.get("reason"), None)],
                "button": page.t(N_("Yes, reopen the trajectory"))}

    payload = {**ids(page, client_id), **given(form, "reason")}
    return carry_out(page, REOPEN, client_id, form, payload, values, precondition(form))
