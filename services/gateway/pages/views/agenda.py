"""My agenda: what falls due in a week across the worker's clients (for a
coordinator, the agency's, or one worker's), overdue things first, then day by day,
each leading to the client's file.

The items are the gateway's own agenda (``services/gateway/calendar.py``: guidance's
appointments, contacts, plan reviews, conditions and documents with referrals'
case-conference actions), the same as ``GET /agenda`` answers. A GET with the week
and the worker in the query string: neither is personal data, and the page can be
bookmarked. Days are Brussels days."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from services.gateway import calendar
from services.gateway.pages.app import Page
from services.gateway.pages.i18n import N_, TIMEZONE

BRUSSELS = ZoneInfo(TIMEZONE)
CASEWORK_PROFILES = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})
KIND_LABELS = {
    "appointment": N_("Appointment"),
    "accompaniment": N_("Accompaniment"),
    "contact_due": N_("Contact due"),
    "contact_overdue": N_("Contact overdue"),
    "plan_review_due": N_("Plan review due"),
    "condition_ending": N_("Condition period ends"),
    "document_expires": N_("Document expires"),
    "conference_action_due": N_("Case-conference action due"),
}
TIMED = frozenset({"appointment", "accompaniment"})  # the others fall due on a day, whatever the hour


def agenda(page: Page):
    today = dt.datetime.now(BRUSSELS).date()
    monday, sunday = calendar.this_week(_day(page.request.args.get("week")) or today)
    coordinator = page.actor["role"] == "coordinator"
    workers = _workers(page) if coordinator else []
    worker = page.request.args.get("worker") or None
    if worker not in {w["user_id"] for w in workers}:
        worker = None  # a worker not of the agency (or a caseworker's choice): the default view
    found = calendar.agenda(page.call, page.actor, monday, sunday, worker)
    names = {w["user_id"]: w["name"] for w in workers}  # whose each item is, in the agency's view
    rows = [{**_row(page, item), "id": f"item-{n}", "worker_name": names.get(item.get("worker"), item.get("worker"))}
            for n, item in enumerate(found["items"], 1)]
    overdue = [row for row in rows if row["day"] < monday]
    days = [(monday + dt.timedelta(days=n)) for n in range(7)]
    by_day = [{"day": day, "heading": format_date(day, format="full", locale=page.language),
               "today": day == today, "rows": [row for row in rows if row["day"] == day]} for day in days]

    def week_link(start: dt.date) -> str:
        return f"/app/agenda?week={start.isoformat()}" + (f"&worker={worker}" if worker else "")

    return page.render("agenda.html", title=page.t(N_("My agenda")), overdue=overdue, by_day=by_day,
                       start=monday, end=sunday, coordinator=coordinator, workers=workers, worker=worker,
                       agency_wide=coordinator and worker is None, empty=not rows,
                       previous=week_link(monday - dt.timedelta(days=7)),
                       following=week_link(monday + dt.timedelta(days=7)),
                       this_week=week_link(today) if not monday <= today <= sunday else None)


def _day(value: str | None) -> dt.date | None:
    """The week asked for, by any of its days; an unreadable one is this week."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _workers(page: Page) -> list[dict]:
    """The agency's active caseworkers, as the coordinator chooses among them."""
    agency = next((a for a in page.call("intake", "directory", None, None) if a["code"] == page.actor["agency"]), {})
    return sorted(({"user_id": m["user_id"], "name": m["display_name"]} for m in agency.get("staff") or []
                   if m.get("active") and m.get("profile") in CASEWORK_PROFILES), key=lambda m: m["name"])


def _row(page: Page, item: dict) -> dict:
    """An item as the page shows it: its Brussels day, its time when it has one, what
    it is and the client's file it belongs to."""
    kind, what = item["kind"], item.get("what") or {}
    if item["all_day"]:
        day, time = dt.date.fromisoformat(item["when"][:10]), None
    else:
        local = dt.datetime.fromisoformat(item["when"]).astimezone(BRUSSELS)
        day = local.date()
        time = format_time(local, format="short", locale=page.language) if kind in TIMED else None
    overdue = kind == "contact_overdue" or bool(what.get("overdue"))
    return {"kind": kind, "label": page.t(KIND_LABELS[kind]) if kind in KIND_LABELS else kind, "day": day,
            "date": page.words.day(day), "time": time, "overdue": overdue, "client_id": item["client_id"],
            "worker": item.get("worker"), "what": what}
