"""How far each goal of the plan in force was reached, recorded at a review of the
plan and at closing (issue 20): one choice per goal, none for a goal not assessed."""
from __future__ import annotations

from shared.contracts.guidance import GOAL_OUTCOMES

from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_

LABELS = {"reached": N_("Reached"), "partly": N_("Partly reached"), "not_reached": N_("Not reached")}


def goals_of(found: dict) -> list[dict]:
    """The plan in force's goals, numbered as the service numbers them (1: the first)."""
    return [{"number": n, **goal} for n, goal in enumerate(((found.get("plan") or {}).get("goals") or []), 1)]


def read(form: Form) -> tuple[dict, dict[str, str]]:
    """The command's ``goal_outcomes`` (left out when none is chosen), and where each
    of its errors goes on the form."""
    chosen = sorted((int(name.rsplit("_", 1)[1]), value) for name, value in form.values.items()
                    if name.startswith("goal_outcome_") and name.rsplit("_", 1)[1].isdigit() and value)
    if not chosen:
        return {}, {}
    fields = {"goal_outcomes": f"goal_outcome_{chosen[0][0]}"}
    for n, (number, _) in enumerate(chosen):
        fields.update({f"goal_outcomes.{n}": f"goal_outcome_{number}",
                       f"goal_outcomes.{n}.outcome": f"goal_outcome_{number}",
                       f"goal_outcomes.{n}.goal_number": f"goal_outcome_{number}"})
    return {"goal_outcomes": [{"goal_number": number, "outcome": value} for number, value in chosen]}, fields


def options(page) -> list[tuple[str, str]]:
    return [(code, page.t(LABELS[code])) for code in GOAL_OUTCOMES]
