"""Recording an intervention: method, then sub-kind, then domains, in the person's
language. Without JavaScript the sub-kinds of every method are in one list, grouped
by method; the service refuses a sub-kind of another method, naming the field."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shared.contracts import guidance, validate_command
from shared.contracts.guidance_vocabulary import DOMAINS, METHODS, PLACES, SUB_KINDS
from shared.errors import InvalidInput

from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_, TIMEZONE
from services.gateway.pages.views.common import send

FIELDS = {"at": "at_date", "minutes": "minutes", "place": "place", "method": "method", "sub_kind": "sub_kind",
          "domains": "domains", "note": "note", "next_steps": "next_steps", "client_id": "at_date"}


def record(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        now = dt.datetime.now(ZoneInfo(TIMEZONE))
        form = Form()
        form.values.update({"at_date": now.date().isoformat(), "at_time": now.strftime("%H:%M"), "place": "office"})
        return _form(page, page.resumed(form), client_id)
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "place": form.get("place"),
               "method": form.get("method"), "sub_kind": form.get("sub_kind"), "domains": form.getlist("domains"),
               "note": form.get("note"), "next_steps": form.get("next_steps")}
    at = _moment(form.get("at_date"), form.get("at_time"))
    if at is None:
        form.add("at_date", page.t(N_("Enter the date and time, like 29/11/2026 and 10:00.")))
    else:
        payload["at"] = at.isoformat()
    minutes = form.get("minutes").strip()
    if not minutes.isdigit():
        form.add("minutes", page.t(N_("Enter how many minutes it took, as a whole number.")))
    else:
        payload["minutes"] = int(minutes)
    try:
        validate_command(guidance.RecordIntervention, payload)
    except InvalidInput as error:
        add_errors(form, page.words, {k: v for k, v in error.details.items() if k not in ("at", "minutes")},
                   FIELDS, "method")
    if form.invalid:
        return _form(page, form, client_id, 422)
    status = send(page, form, "guidance", "record_intervention", payload, None, FIELDS, "method")
    if status:
        return _form(page, form, client_id, status)
    return page.redirect(f"{PREFIX}clients/{client_id}?notice=intervention#interventions")


def _moment(day: str, time: str) -> dt.datetime | None:
    """The date and time typed, in Brussels time."""
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day.strip()), dt.time.fromisoformat(time.strip()),
                                   ZoneInfo(TIMEZONE))
    except ValueError:
        return None


def _form(page: Page, form: Form, client_id, status: int = 200):
    w = page.words
    groups = [(method, w.label("method", method), w.options("sub_kind", SUB_KINDS[method])) for method in METHODS]
    return page.render("intervention.html", status=status, form=form, client_id=str(client_id),
                       title=page.t(N_("Record an intervention")), methods=w.options("method", METHODS),
                       sub_kind_groups=groups, places=w.options("place", PLACES), domains=w.options("domain", DOMAINS))
