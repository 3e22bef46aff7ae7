"""An auditor's pages: a client found by reference, the client's timeline (filtered
and paged), the file at an instant, what changed between two instants, and the
signed export to download.

Every one of them is a read of the client's file that audit records with its
purpose, which an auditor must state. So each is a form sent by POST: the purpose,
and the reference the auditor adds to it (which may name the case), travel from page
to page in the forms' fields, never in a URL; only the client's opaque id is in the
path. Instants are typed in Brussels time (``datetime-local``) and sent in UTC.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Response

from shared.contracts import audit, validate_command
from shared.contracts.audit_answers import FILE_ITEMS, FILE_RECORDS
from shared.contracts.base import READ_PURPOSES
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_, TIMEZONE
from services.gateway.pages.views.common import refused

BRUSSELS = ZoneInfo(TIMEZONE)
PAGE_SIZE = 25
# Why an auditor reads the file: the contract's codes, as a person reads them.
PURPOSES = {
    "inspection": N_("Inspection or quality review"),
    "complaint": N_("A complaint about how the file was handled"),
    "court_request": N_("A request from a court or prosecutor"),
    "incident": N_("A suspected breach or misuse"),
    "data_protection": N_("A data-protection check"),
    "subject_access": N_("The client asked to see their data"),
    "supervision": N_("Supervision of a colleague's case"),
    "casework": N_("Casework"),
}
SERVICE_NAMES = {
    "intake": N_("Intake"), "guidance": N_("Guidance"), "referrals": N_("Referrals"),
    "notifications": N_("Messages"), "audit": N_("Audit"), "sharing": N_("Sharing with partners"),
    "accounts": N_("Accounts"), "statistics": N_("Statistics"),
}
# The parts of the file a replay shows and a change names.
FILE_PARTS = {
    "intake": N_("Intake"), "trajectory": N_("Trajectory"),
    "intake.help_requests": N_("Help requests"), "intake.decisions": N_("Decisions on the intake"),
    "intake.consents": N_("Consents"), "trajectory.plan_history": N_("Plan, as agreed and reviewed"),
    "trajectory.goal_outcomes": N_("Goal outcomes"),
    "trajectory.interventions": N_("Interventions"),
    "trajectory.psychologist_recommendations": N_("Psychologist recommendations"),
    "trajectory.conditions": N_("Conditions"), "trajectory.appointments": N_("Appointments"),
    "trajectory.network": N_("Network"), "trajectory.procedures": N_("Procedures"),
    "trajectory.continuity_gaps": N_("Continuity gaps"),
    "trajectory.attendance_certificates": N_("Attendance certificates"), "trajectory.closings": N_("Closings"),
    "referrals": N_("Referrals"), "case_conferences": N_("Case conferences"),
    "coordination_actors": N_("Coordination actors"), "coordinating_agencies": N_("Coordinating agencies"),
    "notifications": N_("Messages sent"), "erasure.requests": N_("Erasure requests"),
    "erasure.legal_holds": N_("Legal holds"), "erasure.carried_out": N_("Erasures carried out"),
    "facts_erased": N_("Facts erased before audit received them"),
}
TRAJECTORY_STATUSES = {"open": N_("Open"), "closed": N_("Closed")}
CHANGES = {"added": N_("Added"), "changed": N_("Changed"), "removed": N_("Removed")}
SHOWS = {"facts": N_("What was done (facts)"), "reads": N_("Who read the file, or tried to")}
FIELDS = {"purpose": "purpose", "purpose_detail": "purpose_detail", "since": "since", "until": "until",
          "at": "at", "client_id": "purpose", "_schema": "purpose"}
assert set(FILE_PARTS) == set(FILE_RECORDS + FILE_ITEMS)
assert set(PURPOSES) == set(READ_PURPOSES)


# -- what every audit page shares -------------------------------------------------------

def instant(text: str) -> dt.datetime | None:
    """A ``datetime-local`` value (Brussels time, seconds optional) as an aware instant."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=BRUSSELS) if moment.tzinfo is None else moment


def local_value(moment: dt.datetime) -> str:
    """An instant as a ``datetime-local`` field shows it, in Brussels time, to the second."""
    return moment.astimezone(BRUSSELS).replace(microsecond=0, tzinfo=None).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def reading(page: Page, form: Form, client_id: str) -> dict:
    """The payload every audit read starts with: whose file, and why."""
    payload = {"actor": page.actor, "client_id": client_id, "purpose": form.get("purpose")}
    detail = form.get("purpose_detail").strip()
    if detail:
        payload["purpose_detail"] = detail
    return payload


def moment_field(page: Page, form: Form, payload: dict, name: str, required: bool) -> dt.datetime | None:
    """The instant typed in ``name`` into the payload, or an error next to the field.
    A later instant than now is refused here, in the person's words, before audit's
    clock refuses it."""
    typed = form.get(name).strip()
    if not typed:
        if required:
            form.add(name, page.t(N_("Enter a date and time.")))
        return None
    moment = instant(typed)
    if moment is None:
        form.add(name, page.t(N_("Enter a real date and time.")))
        return None
    if moment > now():
        form.add(name, page.t(N_("Enter a date and time up to now: the file is known up to now.")))
        return None
    payload[name] = moment.astimezone(dt.timezone.utc).isoformat()
    return moment


def checked(page: Page, form: Form, schema, payload: dict) -> None:
    """The contract's errors next to the fields, for those the page has not named already."""
    try:
        validate_command(schema, payload)
    except InvalidInput as error:
        add_errors(form, page.words, {k: v for k, v in error.details.items() if k not in form.errors},
                   FIELDS, "purpose")


def ask(page: Page, form: Form, rpc: str, payload: dict, missing_field: str | None = None):
    """Audit's answer, or None with the refusal on the form (and its status). A 404
    naming ``missing_field`` says the instant is before the file existed."""
    try:
        return page.call("audit", rpc, payload, None), 200
    except (Refused, Problem) as error:
        status = status_of(error)
        details = error.errors if isinstance(error, Problem) else error.details
        if status == 404 and missing_field and missing_field in (details or {}):
            form.add(missing_field, page.t(N_("The client's file did not exist yet at this instant.")))
        elif status == 404:
            form.messages.append(page.t(N_("No fact about this client is on record. Check the reference.")))
        else:
            refused(page, form, error, FIELDS, "purpose")
        return None, status


def purposes(page: Page) -> list[tuple[str, str]]:
    return [(code, page.t(label)) for code, label in PURPOSES.items()]


def opened(form: Form) -> bool:
    """Sent from another audit page's task buttons: show this page's form, read nothing yet."""
    return form.get("open") == "1"


def _render(page: Page, template: str, form: Form, client_id: str, title: str, status: int = 200, **values):
    return page.render(template, status=status, form=form, client_id=client_id, title=title,
                       purposes=purposes(page), service_names=SERVICE_NAMES, file_parts=FILE_PARTS,
                       change_names=CHANGES, purpose_labels=PURPOSES, shown=lambda value: _shown(page, value), **values)


def _shown(page: Page, value) -> str:
    """A value of the file as a person reads it: instants in Brussels time, yes and no."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return page.t(N_("Yes")) if value else page.t(N_("No"))
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T":
        try:
            return page.words.when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(_shown(page, v) for v in value) or "–"
    return str(value)


# -- the start page: a client by reference ----------------------------------------------

def start(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["purpose"] = "inspection"
        return _start_form(page, form)
    form = page.posted()
    reference = form.get("client_reference").strip().lower()
    try:
        client_id = str(uuid.UUID(reference))
    except ValueError:
        form.add("client_reference", page.t(N_("Enter the client's reference: 36 letters, digits and dashes, "
                                                "like 6a80ac1b-7313-4598-8ea2-13f1bf4aee5e.")))
        client_id = None
    if client_id is None or not form.get("purpose"):
        if not form.get("purpose"):
            form.add("purpose", page.t(N_("Choose why you read this file.")))
        return _start_form(page, form, 422)
    answer, status = _timeline(page, form, client_id)
    if answer is None:
        if status == 404 and not form.errors:  # no fact: the reference is the likely mistake
            form.messages.clear()
            form.add("client_reference", page.t(N_("No fact about this client is on record. Check the reference.")))
        return _start_form(page, form, status)
    return _timeline_page(page, form, client_id, answer)


def _start_form(page: Page, form: Form, status: int = 200):
    return page.render("audit_start.html", status=status, form=form, purposes=purposes(page),
                       title=page.t(N_("A client's history")))


# -- the timeline -------------------------------------------------------------------------

def timeline(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD: the purpose first
        form = Form()
        form.values["purpose"] = page.request.args.get("purpose") if page.request.args.get("purpose") in PURPOSES \
            else "inspection"
        return _timeline_page(page, form, client_id, None)
    form = page.posted()
    answer, status = _timeline(page, form, client_id)
    return _timeline_page(page, form, client_id, answer, status)


def _timeline(page: Page, form: Form, client_id: str):
    payload = reading(page, form, client_id)
    since = moment_field(page, form, payload, "since", required=False)
    until = moment_field(page, form, payload, "until", required=False)
    if since and until and since >= until:
        form.add("until", page.t(N_("Enter an end after the start.")))
    checked(page, form, audit.Timeline, payload)
    if form.invalid:
        return None, 422
    return ask(page, form, "timeline", payload)


def _timeline_page(page: Page, form: Form, client_id: str, answer: dict | None, status: int = 200):
    show = form.get("show") if form.get("show") in SHOWS else "facts"
    service = form.get("service") if form.get("service") in SERVICE_NAMES else ""
    known = answer or {"entries": [], "access_log": []}
    entries = known["entries"] if show == "facts" else known["access_log"]
    kinds = sorted({e["type"] for e in known["entries"] if not service or e["source"] == service})
    kind = form.get("type") if show == "facts" and form.get("type") in kinds else ""
    chosen = [e for e in entries if (not service or (e.get("source") or e.get("service")) == service)
              and (not kind or e.get("type") == kind)]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    number = form.get("page")
    number = min(int(number), pages) if number.isdigit() and int(number) >= 1 else 1
    form.values["show"], form.values["service"], form.values["type"] = show, service, kind
    return _render(page, "audit_timeline.html", form, client_id, page.t(N_("Timeline")), status, answer=answer,
                   rows=chosen[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], total=len(chosen), number=number,
                   pages=pages, kinds=[(k, short_type(k)) for k in kinds],
                   services=[(code, page.t(label)) for code, label in SERVICE_NAMES.items()],
                   shows=[(code, page.t(label)) for code, label in SHOWS.items()])


def short_type(event_type: str) -> str:
    """``be.jww.guidance.intervention-recorded.v1`` as ``intervention-recorded (v1)``: the
    fact's own name, which the catalogue of events documents."""
    parts = event_type.split(".")
    return f"{parts[-2]} ({parts[-1]})" if len(parts) >= 3 else event_type


# -- the file at an instant ---------------------------------------------------------------

def replay(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values.update({"purpose": "inspection", "at": local_value(now())})
        return _replay_page(page, form, client_id, None)
    form = page.posted()
    if opened(form):
        form.values["at"] = form.get("at") or local_value(now())
        return _replay_page(page, form, client_id, None)
    payload = reading(page, form, client_id)
    moment_field(page, form, payload, "at", required=True)
    checked(page, form, audit.Replay, payload)
    if form.invalid:
        return _replay_page(page, form, client_id, None, 422)
    answer, status = ask(page, form, "replay", payload, missing_field="at")
    return _replay_page(page, form, client_id, answer, status)


def _replay_page(page: Page, form: Form, client_id: str, answer: dict | None, status: int = 200):
    parts, trajectory_status = [], None
    if answer is not None:
        parts = [(name, _part(answer["file"], name)) for name in FILE_ITEMS]
        code = answer["file"]["trajectory"].get("status")
        trajectory_status = page.t(TRAJECTORY_STATUSES[code]) if code in TRAJECTORY_STATUSES else code
    return _render(page, "audit_replay.html", form, client_id, page.t(N_("The file at an instant")), status,
                   answer=answer, parts=parts, trajectory_status=trajectory_status)


def _part(file: dict, dotted: str):
    value = file
    for name in dotted.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    return value or []


# -- changes between two instants -----------------------------------------------------------

def changes(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        return _window_page(page, "audit_changes.html", _window_form(Form()), client_id, None)
    form = page.posted()
    if opened(form):
        return _window_page(page, "audit_changes.html", _window_form(form), client_id, None)
    payload = _window(page, form, client_id)
    if form.invalid:
        return _window_page(page, "audit_changes.html", form, client_id, None, 422)
    answer, status = ask(page, form, "changes", payload)
    return _window_page(page, "audit_changes.html", form, client_id, answer, status)


def _window_form(form: Form) -> Form:
    """Since a day ago until now, unless typed already."""
    until = now()
    form.values["purpose"] = form.get("purpose") or "inspection"
    form.values["since"] = form.get("since") or local_value(until - dt.timedelta(days=1))
    form.values["until"] = form.get("until") or local_value(until)
    return form


def _window(page: Page, form: Form, client_id: str) -> dict:
    payload = reading(page, form, client_id)
    since = moment_field(page, form, payload, "since", required=True)
    until = moment_field(page, form, payload, "until", required=True)
    if since and until and since >= until:
        form.add("until", page.t(N_("Enter an end after the start.")))
    checked(page, form, audit.Changes, payload)
    return payload


def _window_page(page: Page, template: str, form: Form, client_id: str, answer: dict | None, status: int = 200):
    title = page.t(N_("Changes between two instants")) if template == "audit_changes.html" \
        else page.t(N_("Signed export"))
    return _render(page, template, form, client_id, title, status, answer=answer)


# -- the signed export, to download ----------------------------------------------------------

def export(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        return _window_page(page, "audit_export.html", _window_form(Form()), client_id, None)
    form = page.posted()
    if opened(form):
        return _window_page(page, "audit_export.html", _window_form(form), client_id, None)
    payload = _window(page, form, client_id)
    if form.invalid:
        return _window_page(page, "audit_export.html", form, client_id, None, 422)
    text = form.get("format") == "text"
    answer, status = ask(page, form, "export_report" if text else "export", payload)
    if answer is None:
        return _window_page(page, "audit_export.html", form, client_id, None, status)
    stamp = dt.datetime.fromisoformat(payload["until"]).astimezone(BRUSSELS).strftime("%Y%m%d-%H%M%S")
    name = f"audit-{client_id}-{stamp}"
    if text:
        return attachment(answer["report"], f"{name}.txt", "text/plain")
    # Any JSON spelling of it verifies: the signature is over its RFC 8785 form.
    return attachment(json.dumps(answer, ensure_ascii=False, indent=2), f"{name}.json", "application/json")


def attachment(body: str, filename: str, mimetype: str) -> Response:
    """A file to keep, downloaded rather than shown; its name holds only ids and dates."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
