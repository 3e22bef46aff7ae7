"""Finding a client (a search by POST: names never in a URL), registering one, and a
client's file on one page."""
from __future__ import annotations

import re

from shared import concurrency
from shared.contracts import intake, validate_command
from shared.contracts.intake_vocabulary import LEGAL_POSITIONS, SITUATIONS
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import COMMON_CLIENT_LANGUAGES, N_
from services.gateway.pages.views.common import refused

REGISTRATION_FIELDS = {name: name for name in (
    "given_names", "family_name", "birth_date", "national_number", "legal_position", "situation", "languages",
    "preferred_language", "interpreter_needed")}
REGISTRATION_FIELDS.update({"contact.phone": "phone", "contact.email": "email", "contact": "phone"})
_CODES = re.compile(r"[\s,;]+")


# -- find a client -----------------------------------------------------------------------

def find(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _find_form(page, Form(), None)
    form = page.posted()
    payload = {"actor": page.actor}
    for name in ("name", "national_number"):
        if form.get(name).strip():
            payload[name] = form.get(name).strip()
    try:
        validate_command(intake.SearchClients, payload)
        found = page.call("intake", "search_clients", payload, None)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, {"name": "name", "national_number": "national_number",
                                                     "_schema": "name"}, "name")
        return _find_form(page, form, None, 422)
    except (Refused, Problem) as error:
        refused(page, form, error, {"name": "name", "national_number": "national_number"}, "name")
        return _find_form(page, form, None, status_of(error))
    return _find_form(page, form, found)


def _find_form(page: Page, form: Form, found: list | None, status: int = 200):
    return page.render("find.html", status=status, form=form, found=found, title=page.t(N_("Find a client")))


# -- register a client ----------------------------------------------------------------------

def register(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _register_form(page, page.resumed(Form()))
    form = page.posted()
    payload = registration(page, form)
    try:
        validate_command(intake.RegisterClient, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, REGISTRATION_FIELDS, "given_names")
        return _register_form(page, form, 422)
    page.command(form)
    try:
        answer = page.call("intake", "register_client", payload, None)
    except (Refused, Problem) as error:
        if status_of(error) == 409:  # the national number is on the agency's file already
            form.add("national_number", page.t(N_("A client with this national number is registered already. "
                                                   "Find them instead.")))
            return _register_form(page, form, 409)
        refused(page, form, error, REGISTRATION_FIELDS, "given_names")
        return _register_form(page, form, status_of(error))
    notice = "duplicate" if answer.get("duplicate_check") else "registered"
    return page.redirect(f"{PREFIX}clients/{answer['client_id']}?notice={notice}")


def registration(page: Page, form: Form) -> dict:
    """The command from the form: blanks left out, so the contract names what is missing."""
    payload: dict = {"actor": page.actor}
    for name in ("given_names", "family_name", "birth_date", "national_number", "legal_position", "situation",
                 "preferred_language"):
        value = form.get(name).strip()
        if value:
            payload[name] = value
    typed = [code.lower() for code in _CODES.split(form.get("other_languages")) if code]
    payload["languages"] = list(dict.fromkeys(form.getlist("languages") + typed))
    payload["interpreter_needed"] = form.get("interpreter_needed") == "yes"
    contact = {name: form.get(name).strip() for name in ("phone", "email") if form.get(name).strip()}
    if contact:
        payload["contact"] = contact
    return payload


def _register_form(page: Page, form: Form, status: int = 200):
    w = page.words
    return page.render("register.html", status=status, form=form, title=page.t(N_("Register a client")),
                       legal_positions=w.options("legal_position", LEGAL_POSITIONS),
                       situations=w.options("situation", SITUATIONS),
                       languages=w.options("language", COMMON_CLIENT_LANGUAGES))


# -- a client's file ------------------------------------------------------------------------

def file(page: Page, client_id):
    payload = {"actor": page.actor, "client_id": str(client_id)}
    client = page.call("intake", "client_file", payload, None)  # a refusal is the page's answer
    trajectory, trajectory_status = _part(page, "guidance", "trajectory", payload)
    referrals, referrals_status = _part(page, "referrals", "referral_history", payload)
    interventions = sorted((trajectory or {}).get("interventions") or [], key=lambda i: i["at"], reverse=True)
    return page.render("file.html", title=page.t(N_("Client file")), client=client, client_id=str(client_id),
                       trajectory=trajectory, trajectory_status=trajectory_status, interventions=interventions,
                       referrals=referrals, referrals_status=referrals_status,
                       etag=concurrency.tag(trajectory["trajectory_id"], trajectory["version"]) if trajectory else None)


def _part(page: Page, service: str, rpc: str, payload: dict) -> tuple[object, int]:
    """Another service's part of the file, or why it is not shown (404: none yet)."""
    try:
        return page.call(service, rpc, payload, None), 200
    except (Refused, Problem) as error:
        status = status_of(error)
        if status == 401:
            raise
        return None, status
