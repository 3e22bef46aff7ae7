"""Figures for a period, from the statistics service: for a funder across agencies
(or one agency), for a coordinator their own agency, with small cells withheld so
that no figure identifies anyone; for a coordinator also, per partner of the
directory, the referrals sent and how they went (referrals). Both as CSV and JSON
for the same period.

A GET with the dates in the query string: dates and an agency's code are not
personal data, and the page can be bookmarked. The statistics service decides which
periods it gives figures for (whole months, quarters, years); a period it refuses is
shown next to ``from`` or ``until``, in the person's words."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent
from werkzeug.wrappers import Response

from shared.contracts import statistics, validate_command
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import Page, status_of
from services.gateway.pages.forms import Form, add_errors, reason
from services.gateway.pages.i18n import N_, TIMEZONE
from services.gateway.pages.views.common import refused
from services.gateway.pages.views.intake_decisions import DECLINE_REASON_LABELS, INTERPRETER_KIND_LABELS

FIELDS = {"from": "from", "until": "until", "agency": "agency"}
FUNDER, COORDINATOR = "funder", "coordinator"
OUTCOME_LABELS = {"effective": N_("Effective"), "partly_effective": N_("Partly effective"),
                  "not_effective": N_("Not effective")}
# What the statistics service says of a period it gives no figures for, as a person reads it.
PERIOD_REASONS = {
    "must be the first day of a month": N_("Start on the first day of a month."),
    "must be the last day of a month": N_("End on the last day of a month."),
    "must not be before from": N_("The end of the period must be on or after its start."),
    "at most 5 years after from": N_("Choose a period of at most 5 years."),
    "a period is a whole calendar month, quarter or year, or whole calendar years":
        N_("Choose a whole calendar month, quarter or year, or whole calendar years."),
    "not yours": N_("You read the figures of your own agency only."),
}
TABLE_TITLES = {
    "clients": N_("Clients by legal position and situation"),
    "intakes": N_("Help requests and intake decisions"),
    "interventions": N_("Interventions by method and domain"),
    "interpreters": N_("Interpreters by language and kind"),
    "referrals": N_("Referrals by kind of partner and where they stand"),
    "waiting": N_("Waiting from the help request to the acceptance, by urgency"),
    "continuity_gaps": N_("Continuity gaps"),
}
CODE_KINDS = {
    "legal_position": N_("Legal position"), "situation": N_("Situation"), "step": N_("Step"), "detail": N_("Detail"),
    "method": N_("Method"), "domain": N_("Domain"), "language": N_("Language"), "kind": N_("Kind"),
    "partner_kind": N_("Kind of partner"), "state": N_("Where it stands"), "urgency": N_("Urgency"),
}
MEASURE_LABELS = {
    "persons": N_("Persons"), "intakes": N_("Intakes"), "interventions": N_("Interventions"),
    "minutes": N_("Minutes"), "referrals": N_("Referrals"), "acceptances": N_("Acceptances"),
    "median_days": N_("Median days waited"), "gaps": N_("Continuity gaps"),
}
STEPS = {"received": N_("Help request received"), "accepted": N_("Accepted"), "waitlisted": N_("On the waitlist"),
         "declined": N_("Declined"), "reopened": N_("Intake reopened")}
REQUEST_SOURCES = {"self": N_("The client themselves"), "lawyer": N_("A lawyer"),
                   "justice_assistant": N_("A justice assistant"),
                   "prison_psychosocial_service": N_("The prison's psychosocial service"),
                   "ocmw_cpas": N_("The OCMW/CPAS"), "family": N_("The family"), "other": N_("Other")}
# Where a referral stands besides its steps (``i18n.REFERRAL_STATES``): reopened after the client dropped out.
MORE_STATES = {"reopened": N_("Reopened after a drop-out")}
TOTAL, NONE = "total", "-"  # a margin's code; the column of a row that has no second code


def figures(page: Page):
    form, payload = _period(page)
    if form.invalid:
        return _page(page, form, None, None, 422)
    try:
        answer = page.call("statistics", "figures", payload, None)
        partners = page.call("referrals", "partner_figures", _partner_payload(payload), None) \
            if page.actor["role"] == COORDINATOR else None
    except (Refused, Problem) as error:
        _refused(page, form, error)
        return _page(page, form, None, None, status_of(error))
    return _page(page, form, answer, partners)


def export(page: Page, kind: str):
    """The same figures as a file: CSV (one line per cell, as ``GET /figures`` with
    Accept: text/csv) or JSON (the API's answer)."""
    form, payload = _period(page)
    if form.invalid:
        return _page(page, form, None, None, 422)
    try:
        answer = page.call("statistics", "figures", payload, None)
    except (Refused, Problem) as error:
        _refused(page, form, error)
        return _page(page, form, None, None, status_of(error))
    agency = re.sub(r"[^A-Za-z0-9_-]", "", answer.get("agency") or "") or "all"  # only a code in a header
    name = f"figures-{agency}-{answer['from']}-{answer['until']}.{kind}"
    body, mimetype = (statistics.as_csv(answer), "text/csv") if kind == "csv" else \
        (json.dumps(answer, ensure_ascii=False, indent=2) + "\n", "application/json")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def download_csv(page: Page):
    return export(page, "csv")


def download_json(page: Page):
    return export(page, "json")


def _period(page: Page) -> tuple[Form, dict]:
    """The period (and, for a funder, the agency) asked for, checked as far as the
    page can: the dates' form here, which periods are given by the statistics service."""
    form = Form(page.request.args.copy())
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    if not form.get("from") and not form.get("until"):  # this month, to begin with
        first, last = _month(today)
        form.values["from"], form.values["until"] = first.isoformat(), last.isoformat()
    payload = {"actor": page.actor, "from": form.get("from").strip(), "until": form.get("until").strip()}
    if page.actor["role"] == FUNDER and form.get("agency"):
        payload["agency"] = form.get("agency")
    try:
        validate_command(statistics.Figures, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, FIELDS, "from")
    if not form.invalid and payload["from"] > payload["until"]:
        form.add("until", page.t(PERIOD_REASONS["must not be before from"]))
    return form, payload


def _partner_payload(payload: dict) -> dict:
    return {key: payload[key] for key in ("actor", "from", "until")}


def _refused(page: Page, form: Form, error: Exception) -> None:
    """A period the statistics service gives no figures for, next to its field in the
    person's words; any other refusal as every form shows it."""
    details = (error.errors if isinstance(error, Problem) else error.details if isinstance(error, Refused)
               else None) or {}
    if status_of(error) not in (403, 422) or not details or not set(details) <= set(FIELDS):
        refused(page, form, error, FIELDS, "from")
        return
    for name, reasons in details.items():
        for text in reasons if isinstance(reasons, list) else [reasons]:
            known = PERIOD_REASONS.get(str(text))
            form.add(FIELDS[name], page.t(known) if known else reason(page.words, str(text)))
    form.idempotency_key = uuid.uuid4().hex


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _periods(page: Page, agency: str | None) -> list[tuple[str, str, str]]:
    """Links to the periods most asked for: (id, label, query)."""
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    this_month = _month(today)
    last_month = _month(this_month[0] - dt.timedelta(days=1))
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    this_quarter = (quarter_start, _month(quarter_start.replace(month=quarter_start.month + 2))[1])
    last_start = (quarter_start - dt.timedelta(days=1)).replace(day=1)
    last_start = last_start.replace(month=(last_start.month - 1) // 3 * 3 + 1)
    last_quarter = (last_start, quarter_start - dt.timedelta(days=1))
    this_year = (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    last_year = (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    extra = [("agency", agency)] if agency else []
    return [(key, page.t(label), urlencode([("from", start.isoformat()), ("until", end.isoformat()), *extra]))
            for key, label, (start, end) in (
                ("this-month", N_("This month"), this_month), ("last-month", N_("Last month"), last_month),
                ("this-quarter", N_("This quarter"), this_quarter), ("last-quarter", N_("Last quarter"), last_quarter),
                ("this-year", N_("This year"), this_year), ("last-year", N_("Last year"), last_year))]


def _agencies(page: Page) -> list[tuple[str, str]]:
    """The agencies a funder may choose (the directory's), by name."""
    return sorted(((a["code"], a["name"]) for a in page.call("intake", "directory", None, None)),
                  key=lambda a: a[1].lower())


def _page(page: Page, form: Form, answer: dict | None, partners: list | None, status: int = 200):
    funder = page.actor["role"] == FUNDER
    agencies = _agencies(page)  # a funder's choice; each agency's name, for whoever reads
    agency = form.get("agency") if funder else None
    asked = [("from", form.get("from")), ("until", form.get("until"))] + ([("agency", agency)] if agency else [])
    query = urlencode(asked)
    names = dict(agencies)
    covered = (names.get(answer["agency"], answer["agency"]) if answer and answer.get("agency") else None)
    return page.render("figures.html", status=status, title=page.t(N_("Figures")), form=form, funder=funder,
                       agency_options=[("", page.t(N_("All agencies"))), *agencies] if funder else [],
                       answer=answer, covered=covered, query=query,
                       periods=_periods(page, agency), tables=_tables(page, answer) if answer else [],
                       partners=_partner_rows(page, partners))


def _tables(page: Page, answer: dict) -> list[dict]:
    """Each table as the page shows it: its title, what its rows and columns are, and
    a line per cell with its measures, withheld ones as the service wrote them."""
    shown = []
    for name in statistics.TABLES:
        table = answer["tables"].get(name)
        if table is None:
            continue
        measures = ["persons", *(m for m in statistics.MEASURES[name] if m)]
        lines = []
        for cell in table["cells"]:
            lines.append({
                "id": f"cell-{name}-{cell['row']}-{cell['column']}".replace("_", "-"),
                "row": _code(page, name, table["rows"], cell["row"], None),
                "column": _code(page, name, table["columns"], cell["column"], cell["row"]),
                "total": TOTAL in (cell["row"], cell["column"]),
                "values": [_number(page, cell.get(m)) for m in measures]})
        shown.append({"name": name, "title": page.t(TABLE_TITLES[name]),
                      "rows": page.t(CODE_KINDS.get(table["rows"], table["rows"])),
                      "columns": page.t(CODE_KINDS.get(table["columns"], table["columns"])),
                      "measures": [page.t(MEASURE_LABELS[m]) for m in measures], "lines": lines,
                      "empty": all(not c.get("persons") for c in table["cells"])})
    return shown


def _number(page: Page, value) -> dict:
    """A measure: a number in this language's way, or a withheld one as it is ("< 5", "x")."""
    if value is None:
        return {"text": "–", "withheld": False}
    if isinstance(value, str):
        return {"text": value, "withheld": True}
    shown = round(value, 1) if isinstance(value, float) else value
    return {"text": format_decimal(shown, locale=page.language), "withheld": False}


def _code(page: Page, table: str, kind: str, code: str, row: str | None) -> str:
    """A row's or a column's code as a person reads it; a code the page has no label
    for (a kind of partner, which the directory names freely) as it is."""
    w = page.words
    if code == TOTAL:
        return page.t(N_("All"))
    if code == NONE:
        return "–"
    if kind in ("legal_position", "situation", "method", "domain", "language", "urgency"):
        return w.label(kind, code)
    if kind == "step":
        return page.t(STEPS[code]) if code in STEPS else code
    if table == "intakes" and kind == "detail":
        known = DECLINE_REASON_LABELS.get(code) if row == "declined" else REQUEST_SOURCES.get(code)
        return page.t(known) if known else code
    if table == "interpreters" and kind == "kind":
        return page.t(INTERPRETER_KIND_LABELS[code]) if code in INTERPRETER_KIND_LABELS else code
    if kind == "state":
        return _state(page, code)
    if table == "continuity_gaps" and code == "continuity_gap":
        return page.t(N_("Continuity gap"))
    return code


def _state(page: Page, code: str) -> str:
    if code.startswith("completed_") and code[len("completed_"):] in OUTCOME_LABELS:
        return page.t(N_("Completed: %(outcome)s"), outcome=page.t(OUTCOME_LABELS[code[len("completed_"):]]))
    if code in MORE_STATES:
        return page.t(MORE_STATES[code])
    return page.words.label("referral_state", code)


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

