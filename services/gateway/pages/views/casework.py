"""The caseworker's forms on a client's file, and what they share: each is a page of its
own, sends one command under the form's idempotency key, shows what the contract or
the service refuses next to the field and in the summary, and goes back to the file's
section with a notice. The forms that change the state of the whole trajectory (or of
the client's file) send the version read as ``if_match``; those that end something ask
to confirm first. Here too: the help request and the client's languages (intake)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

from werkzeug.exceptions import NotFound

from shared import concurrency
from shared.contracts import intake, validate_command
from shared.contracts.intake_vocabulary import DOMAINS, URGENCIES
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import COMMON_CLIENT_LANGUAGES, N_, TIMEZONE
from services.gateway.pages.views.clients import _CODES
from services.gateway.pages.views.common import refused

# What a confirmation page carries on as hidden fields besides the form's own.
_OWN_FIELDS = ("csrf_token", "idempotency_key", "if_match", "confirmed", "change")


@dataclass(frozen=True)
class Task:
    """One form: its page, the command it sends, where its fields' errors go, and
    where on the file it leads back (with which notice)."""

    template: str
    title: str
    service: str
    rpc: str
    schema: type
    fields: dict[str, str]  # the contract's field -> the form's
    default: str  # the form's field for an error naming none of them
    notice: str
    section: str
    confirm: str | None = None  # the confirmation page's template, if it asks first


# -- what the forms share ------------------------------------------------------------------

def show(page: Page, task: Task, form: Form, client_id, status: int = 200, template: str | None = None, **values):
    """The task's page (or its confirmation page) with the form as typed; ``carried``:
    what a confirmation page sends on, hidden."""
    carried = [(name, value) for name, value in form.values.items(multi=True) if name not in _OWN_FIELDS]
    return page.render(template or task.template, status=status, form=form, client_id=str(client_id),
                       title=page.t(task.title), carried=carried, **values)


def carry_out(page: Page, task: Task, client_id, form: Form, payload: dict, values: Callable[[], dict],
              if_match: str | None = None):
    """Checked against the contract, confirmed if the task asks it, sent, and back to
    the file; else the form again with what was typed (``values``: what it shows
    besides the form, read only when it is shown)."""
    try:
        validate_command(task.schema, payload)
    except InvalidInput as error:
        # A field named already (a date that is none) keeps its own, clearer message.
        add_errors(form, page.words, {name: reasons for name, reasons in error.details.items()
                                      if _target(task, name) not in form.errors}, task.fields, task.default)
    if form.invalid or form.get("change"):
        return show(page, task, form, client_id, 422 if form.invalid else 200, **values())
    if task.confirm and form.get("confirmed") != "yes":
        return show(page, task, form, client_id, template=task.confirm, form_page=task.template != task.confirm,
                    **values())
    status = _sent(page, task, form, payload, if_match)
    if status:
        return show(page, task, form, client_id, status, **values())
    return page.redirect(f"{PREFIX}clients/{client_id}?notice={task.notice}#{task.section}")


def _sent(page: Page, task: Task, form: Form, payload: dict, if_match: str | None) -> int | None:
    """``common.send``, except that a refusal for want of the client's consent says
    so: the person can do something about that (record the consent)."""
    page.command(form)
    try:
        page.call(task.service, task.rpc, payload, if_match)
    except (Refused, Problem) as error:
        details = error.errors if isinstance(error, Problem) else error.details
        if status_of(error) == 403 and "consent" in (details or {}):
            form.messages.append(page.t(N_("The client has not agreed to this: record their consent first, in the "
                                           "file's consents.")))
            form.idempotency_key = uuid.uuid4().hex
        else:
            refused(page, form, error, task.fields, task.default)
        return status_of(error)
    return None


def _target(task: Task, name: str) -> str:
    return task.fields.get(name) or task.fields.get(name.split(".")[0]) or task.default


def given(form: Form, *names: str) -> dict:
    """The fields typed, blanks left out: the contract then names what is missing."""
    return {name: form.get(name).strip() for name in names if form.get(name).strip()}


def moment(page: Page, form: Form, prefix: str) -> str | None:
    """``<prefix>_date`` and ``<prefix>_time`` as one moment in Brussels time (ISO);
    None when left blank, or when not a date and time (then said on the form)."""
    day, time = form.get(f"{prefix}_date").strip(), form.get(f"{prefix}_time").strip()
    if not day and not time:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time),
                                   ZoneInfo(TIMEZONE)).isoformat()
    except ValueError:
        form.add(f"{prefix}_date", page.t(N_("Enter the date and time, like 29/11/2026 and 10:00.")))
        return None


def today() -> str:
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()


def trajectory(page: Page, client_id) -> dict:
    return page.call("guidance", "trajectory", {"actor": page.actor, "client_id": str(client_id)}, None)


def version_read(item: dict, key: str) -> str:
    return concurrency.tag(item[key], item["version"])


def precondition(form: Form) -> str | None:
    """The version the person read, if the form carried one of ours."""
    return form.if_match if form.if_match and concurrency.parse(form.if_match) else None


def part(found: dict, collection: str, key: str, wanted: str) -> dict:
    """One condition, appointment, member or procedure of the trajectory; a 404 page
    when there is none by that id."""
    for item in found.get(collection) or []:
        if item[key] == wanted:
            return item
    raise NotFound()


def ids(page: Page, client_id, **more) -> dict:
    """Who asks, about which client (and which part of their file)."""
    return {"actor": page.actor, "client_id": str(client_id), **more}


# -- a help request (intake) ----------------------------------------------------------------

HELP_REQUEST = Task("help_request.html", N_("Record a help request"), "intake", "receive_help_request",
                    intake.ReceiveHelpRequest, {"source": "source", "domains": "domains", "question": "question",
                                                "urgency": "urgency"}, "question", "help_request", "intake")


def help_request(page: Page, client_id):
    w = page.words

    def values():
        return {"domains": w.options("domain", DOMAINS), "urgencies": w.options("urgency", URGENCIES)}

    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["urgency"] = "normal"
        return show(page, HELP_REQUEST, page.resumed(form), client_id, **values())
    form = page.posted()
    payload = {**ids(page, client_id), **given(form, "source", "question", "urgency"),
               "domains": form.getlist("domains")}
    return carry_out(page, HELP_REQUEST, client_id, form, payload, values)


# -- the languages the client speaks (intake), as the file read them -------------------------

LANGUAGES = Task("languages.html", N_("Change the languages"), "intake", "record_languages", intake.RecordLanguages,
                 {"languages": "languages", "preferred_language": "preferred_language",
                  "interpreter_needed": "interpreter_needed"}, "languages", "languages", "intake")


def languages(page: Page, client_id):
    w = page.words

    def values():
        return {"languages": w.options("language", COMMON_CLIENT_LANGUAGES)}

    if page.request.method != "POST":  # GET, or HEAD
        client = page.call("intake", "client_file", {"actor": page.actor, "client_id": str(client_id)}, None)
        form = Form(if_match=version_read(client, "client_id"))
        spoken = client.get("languages") or []
        form.values.setlist("languages", [code for code in spoken if code in COMMON_CLIENT_LANGUAGES])
        form.values["other_languages"] = ", ".join(c for c in spoken if c not in COMMON_CLIENT_LANGUAGES)
        form.values["preferred_language"] = client.get("preferred_language") or ""
        form.values["interpreter_needed"] = "yes" if client.get("interpreter_needed") else ""
        return show(page, LANGUAGES, page.resumed(form), client_id, **values())
    form = page.posted()
    typed = [code.lower() for code in _CODES.split(form.get("other_languages")) if code]
    payload = {**ids(page, client_id), "languages": list(dict.fromkeys(form.getlist("languages") + typed)),
               "interpreter_needed": form.get("interpreter_needed") == "yes", **given(form, "preferred_language")}
    if payload.get("preferred_language") and payload["preferred_language"] not in payload["languages"]:
        # What registration's contract checks; the command's leaves it to the client's record.
        form.add("preferred_language", page.t(N_("Choose one of the languages the client speaks.")))
    read = concurrency.parse(form.if_match or "")
    if read:  # intake checks the version too, in the command itself
        payload["expected_version"] = read[1]
    return carry_out(page, LANGUAGES, client_id, form, payload, values, precondition(form))
