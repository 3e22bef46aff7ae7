"""A person's own account: enrolling with the one-time code an admin handed over
(before they can sign in), the account page, changing the password, and the
language, which accounts keeps so that every later sign-in, on any browser, starts
in it."""
from __future__ import annotations

import logging
import re
import uuid

from shared.contracts import accounts
from shared.errors import Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, SignInFirst, client_address, status_of
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from services.gateway.pages.views.common import refused

log = logging.getLogger(__name__)

# The contracts' own limits, checked here first to say them in the person's words.
MIN_PASSWORD, MAX_PASSWORD = 12, 200
ENROLMENT_CODE = re.compile(r"^[A-Za-z0-9 -]{20,40}$")
ENROL_FIELDS = {"username": "username", "enrolment_code": "enrolment_code", "password": "password",
                "second_factor_wanted": "second_factor"}
PASSWORD_FIELDS = {"current_password": "current_password", "new_password": "new_password"}
# What accounts says about a password it refuses, as a person reads it.
PASSWORD_REASONS = {
    "not right": N_("The current password is not right."),
    "may not contain the username": N_("Choose a password that does not contain your username."),
}


# -- enrolment: choosing a password with the one-time code --------------------------------

def enrol(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _enrol_form(page, Form())
    form = page.posted()
    username, code = form.get("username").strip(), form.get("enrolment_code").strip()
    if not username:
        form.add("username", page.t(N_("Enter your username.")))
    if not code:
        form.add("enrolment_code", page.t(N_("Enter the enrolment code your administrator gave you.")))
    elif not ENROLMENT_CODE.match(code):
        form.add("enrolment_code", page.t(N_("Enter the code as your administrator gave it: 20 letters and "
                                             "digits, with or without the dashes.")))
    _check_new_password(page, form, username, "password", "password_again")
    if form.invalid:
        return _enrol_form(page, form, 422)
    payload = {"username": username[:64], "enrolment_code": code, "password": form.get("password"),
               "second_factor_wanted": form.get("second_factor") == "yes", "client": client_address(page.request)}
    try:
        answer = page.call("accounts", "enrol", payload, None)
    except (Refused, Problem) as error:
        _password_refused(page, form, error, ENROL_FIELDS, "enrolment_code")
        return _enrol_form(page, form, status_of(error))
    outcome = answer["outcome"]
    if outcome in ("throttled", "busy"):
        form.messages.append(page.t(N_("Too many attempts. Wait %(seconds)s seconds, then try again."),
                                    seconds=answer.get("retry_after") or 1))
        return _enrol_form(page, form, 429)
    if outcome != "enrolled":
        # A wrong name and a wrong code look alike, as for a sign-in.
        form.add("enrolment_code", page.t(N_("This code is not valid for this username, or it has run out. Ask "
                                             "your administrator for a new one.")))
        return _enrol_form(page, form, 401)
    if not answer.get("totp_seed"):
        return page.redirect(PREFIX + "sign-in?notice=enrolled")
    # Shown this once, in the answer to the POST: never in a URL, never kept.
    return page.render("enrol_seed.html", title=page.t(N_("Set up your authenticator app")),
                       username=answer["username"], seed=_grouped(answer["totp_seed"]), uri=answer["totp_uri"])


def _enrol_form(page: Page, form: Form, status: int = 200):
    return page.render("enrol.html", status=status, form=form, title=page.t(N_("Enrol with your code")),
                       second_factor=[("yes", page.t(N_("Also protect my account with an authenticator app")))])


def _grouped(seed: str) -> str:
    """A seed as a person types it from the screen: groups of four."""
    return " ".join(seed[i:i + 4] for i in range(0, len(seed), 4))


def _check_new_password(page: Page, form: Form, username: str, field: str, again: str) -> None:
    password = form.get(field)
    if not password:
        form.add(field, page.t(N_("Choose a password.")))
    elif not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        form.add(field, page.t(N_("Choose a password of %(low)s to %(high)s characters: a few words you will "
                                  "remember are fine."), low=MIN_PASSWORD, high=MAX_PASSWORD))
    elif username and username.lower() in password.lower():
        form.add(field, page.t(PASSWORD_REASONS["may not contain the username"]))
    elif form.get(again) != password:
        form.add(again, page.t(N_("Type the same password twice.")))


def _password_refused(page: Page, form: Form, error: Exception, fields: dict[str, str], default: str) -> None:
    """Accounts' reasons about a password in the person's words; any other refusal as
    every form shows it."""
    details = (error.errors if isinstance(error, Problem) else error.details if isinstance(error, Refused)
               else None) or {}
    known = [(fields[name], PASSWORD_REASONS[reason]) for name, reasons in details.items() if name in fields
             for reason in (reasons if isinstance(reasons, list) else [reasons]) if reason in PASSWORD_REASONS]
    if status_of(error) != 422 or not known:
        refused(page, form, error, fields, default)
        return
    for target, message in known:
        form.add(target, page.t(message))
    form.idempotency_key = uuid.uuid4().hex  # refused: the next send is a new command


# -- my account -----------------------------------------------------------------------------

def mine(page: Page):
    return page.render("account.html", title=page.t(N_("My account")), actor=page.actor,
                       language_name=LANGUAGE_NAMES[page.language])


def change_password(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _password_form(page, Form())
    form = page.posted()
    if not form.get("current_password"):
        form.add("current_password", page.t(N_("Enter your current password.")))
    _check_new_password(page, form, page.actor["user_id"], "new_password", "new_password_again")
    if form.invalid:
        return _password_form(page, form, 422)
    page.command(form)
    try:
        page.call("accounts", "change_password", {"actor": page.actor, "current_password": form.get("current_password"),
                                                  "new_password": form.get("new_password")}, None)
    except (Refused, Problem) as error:
        _password_refused(page, form, error, PASSWORD_FIELDS, "current_password")
        return _password_form(page, form, status_of(error))
    return page.redirect(PREFIX + "account?notice=password_changed")


def _password_form(page: Page, form: Form, status: int = 200):
    return page.render("account_password.html", status=status, form=form, title=page.t(N_("Change your password")))


# -- the language, kept with the account ----------------------------------------------------

def remember_language(page: Page, language: str) -> None:
    """Signed in: accounts keeps the choice for the next sign-in, on any browser. Not
    signed in (the sign-in page), or accounts not answering: this browser's session
    keeps it all the same."""
    if language not in accounts.INTERFACE_LANGUAGES or not page.session.signed_in:
        return
    try:
        page.sign_in()
        page.call("accounts", "choose_language", {"actor": page.actor, "language": language}, None)
    except SignInFirst:
        return
    except (Refused, Problem) as error:
        log.warning("language not kept with the account", extra={"error": type(error).__name__})


def start_in_language(page: Page, answer: dict) -> None:
    """A sign-in starts in the language the person chose last, on whatever browser; a
    person who never chose keeps this browser's."""
    if answer.get("language") in LANGUAGES:
        page.session.language, page.dirty = answer["language"], True
