"""The agency's figures for a period: its interventions per method and domain
(guidance), and per partner the referrals sent and how they went (referrals).
A GET with the dates in the query string: dates are not personal data, and the
page can be bookmarked."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent

from shared.contracts import guidance, referrals, validate_command
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_, TIMEZONE
from services.gateway.pages.views.common import refused

FIELDS = {"from": "from", "until": "until"}
OUTCOME_LABELS = {"effective": N_("Effective"), "partly_effective": N_("Partly effective"),
                  "not_effective": N_("Not effective")}


def figures(page: Page):
    form = Form(page.request.args.copy())
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    if not form.get("from") and not form.get("until"):  # the month so far, to begin with
        form.values["from"], form.values["until"] = today.replace(day=1).isoformat(), today.isoformat()
    payload = {"actor": page.actor, "from": form.get("from").strip(), "until": form.get("until").strip()}
    try:
        validate_command(guidance.ActivityReport, payload)
        validate_command(referrals.PartnerFigures, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, FIELDS, "from")
    if not form.invalid and payload["from"] > payload["until"]:
        form.add("until", page.t(N_("The end of the period must be on or after its start.")))
    if form.invalid:
        return _page(page, form, None, None, 422)
    try:
        activity = page.call("guidance", "activity", payload, None)
        partners = page.call("referrals", "partner_figures", payload, None)
    except (Refused, Problem) as error:
        refused(page, form, error, FIELDS, "from")
        return _page(page, form, None, None, status_of(error))
    return _page(page, form, activity, partners)


def _page(page: Page, form: Form, activity: dict | None, partners: list | None, status: int = 200):
    w = page.words
    by_method = sorted(((w.label("method", code), n) for code, n in (activity or {}).get("by_method", {}).items()),
                       key=lambda row: -row[1])
    by_domain = sorted(((w.label("domain", code), n) for code, n in (activity or {}).get("by_domain", {}).items()),
                       key=lambda row: -row[1])
    return page.render("figures.html", status=status, title=page.t(N_("Figures")), form=form, activity=activity,
                       by_method=by_method, by_domain=by_domain, partners=_partner_rows(page, partners))


def _partner_rows(page: Page, partners: list | None) -> list[dict] | None:
    """Each partner by its directory name, its rate and outcomes as this language writes them."""
    if not partners:
        return partners
    names = {p["code"]: p["name"] for p in page.call("referrals", "partners", None, None)}
    rows = []
    for entry in partners:
        rate = entry.get("acceptance_rate")
        days = entry.get("median_days_to_start")
        rows.append({**entry, "name": names.get(entry["partner"], entry["partner"]),
                     "rate": format_percent(rate, locale=page.language) if rate is not None else None,
                     "days": format_decimal(round(days, 1), locale=page.language) if days is not None else None,
                     "outcome_list": [(page.t(OUTCOME_LABELS[code]), n) for code, n in entry.get("outcomes", {}).items()
                                      if code in OUTCOME_LABELS]})
    return rows
