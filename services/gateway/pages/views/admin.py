"""Account administration (admins): opening an account in a role intake's staff
directory holds no one in, and resetting an account whose password or phone was
lost, after a page that says what a reset stops. Each shows the new one-time
enrolment code once, in the answer to the POST: accounts keeps only its digest, and
the code is never in a URL.

Accounts offers no list of accounts, so both forms take a username. Who may do this
is accounts' rule (admins only); the pages ask as the signed-in person."""
from __future__ import annotations

import re
import uuid

from shared import outcomes
from shared.contracts.base import ROLES
from shared.contracts.intake_vocabulary import STAFF_PROFILES
from shared.errors import Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import Page, status_of
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.common import refused

# The roles an admin opens accounts in: staff of an agency come from intake's directory.
OPENED_ROLES = tuple(role for role in ROLES if role not in STAFF_PROFILES)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
FIELDS = {"username": "username", "role": "role", "agency": "agency"}
# Accounts' refusals, by field and reason, as an admin reads them.
REASONS = {
    ("username", "taken"): N_("There is an account with this username already. To give its owner a new code, "
                              "reset it."),
    ("username", "not found"): N_("There is no account with this username."),
    ("username", "inactive"): N_("This account is deactivated in the staff directory: only the directory can "
                                 "open it again."),
    ("role", "held by intake's directory: add the staff member there"):
        N_("Staff of an agency get their account from the staff directory: add them there."),
}
CARRIED_OUT = N_("This form was sent already and carried out; its code was shown then, only once. If the code "
                 "was lost, reset the account to get a new one.")


# -- open an account ------------------------------------------------------------------------

def open_account(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["agency"] = "platform"
        return _open_form(page, form)
    form = page.posted()
    payload = {"actor": page.actor, "username": form.get("username").strip(), "role": form.get("role"),
               "agency": form.get("agency").strip()}
    _check_username(page, form, payload["username"])
    if payload["role"] not in OPENED_ROLES:
        form.add("role", page.t(N_("Choose the role of the account.")))
    if not payload["agency"]:
        form.add("agency", page.t(N_("Enter the agency or organisation the person works for.")))
    elif len(payload["agency"]) > 64:
        form.add("agency", page.t(N_("Enter between %(low)s and %(high)s characters."), low=1, high=64))
    if form.invalid:
        return _open_form(page, form, 422)
    issued, status = _send(page, form, "open_account", payload)
    if issued is None:
        return _open_form(page, form, status)
    return _issued(page, issued, page.t(N_("The account is opened")))


def _open_form(page: Page, form: Form, status: int = 200):
    return page.render("admin_open.html", status=status, form=form, title=page.t(N_("Open an account")),
                       roles=page.words.options("role", OPENED_ROLES))


# -- reset an account -------------------------------------------------------------------------

def reset_account(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _reset_form(page, Form())
    form = page.posted()
    username = form.get("username").strip()
    _check_username(page, form, username)
    if form.invalid:
        return _reset_form(page, form, 422)
    if form.get("confirmed") != "yes":
        # What a reset stops, said before it is done: a fresh form with its own key.
        confirm = Form()
        confirm.values["username"] = username
        return page.render("admin_reset_confirm.html", form=confirm, username=username,
                           title=page.t(N_("Reset the account of %(username)s?"), username=username))
    issued, status = _send(page, form, "reset_account", {"actor": page.actor, "username": username})
    if issued is None:
        return _reset_form(page, form, status)
    return _issued(page, issued, page.t(N_("The account is reset")))


def _reset_form(page: Page, form: Form, status: int = 200):
    return page.render("admin_reset.html", status=status, form=form, title=page.t(N_("Reset an account")))


# -- what both share ----------------------------------------------------------------------------

def _check_username(page: Page, form: Form, username: str) -> None:
    if not username:
        form.add("username", page.t(N_("Enter the username.")))
    elif not USERNAME.match(username):
        form.add("username", page.t(N_("Use lower-case letters, digits, dots, dashes and underscores only, at "
                                       "most 64.")))


def _send(page: Page, form: Form, rpc: str, payload: dict) -> tuple[dict | None, int]:
    """Accounts' answer with the code, or None and the refusal's status, the refusal
    shown on the form."""
    page.command(form)
    try:
        return page.call("accounts", rpc, payload, None), 200
    except (Refused, Problem) as error:
        _refused(page, form, error)
        return None, status_of(error)


def _refused(page: Page, form: Form, error: Exception) -> None:
    details = (error.errors if isinstance(error, Problem) else error.details if isinstance(error, Refused)
               else None) or {}
    status = status_of(error)
    known = [(name, REASONS[(name, reason)]) for name, reasons in details.items()
             for reason in (reasons if isinstance(reasons, list) else [reasons]) if (name, reason) in REASONS]
    if outcomes.HEADER in details and status == 409:
        form.messages.append(page.t(CARRIED_OUT))
    elif known and status not in (401, 403, 503):
        for name, message in known:
            form.add(name, page.t(message))
    else:
        refused(page, form, error, FIELDS, "username")
        return
    form.idempotency_key = uuid.uuid4().hex  # refused: the next send is a new command


def _issued(page: Page, issued: dict, heading: str):
    return page.render("admin_code.html", title=heading, issued=issued)
