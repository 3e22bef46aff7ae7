"""Signing in (with the second factor), signing out, and the language switch."""
from __future__ import annotations

import datetime as dt
import re

from services.gateway.pages import navigation
from services.gateway.pages.app import PREFIX, Page, client_address, local_path
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import LANGUAGES, N_
from services.gateway.pages.views.account import remember_language, start_in_language

TOTP = re.compile(r"^[0-9]{6}$")


def home(page: Page):
    return page.redirect(navigation.home(page.actor["role"]))


def sign_in(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["next"] = local_path(page.request.args.get("next"))
        return _sign_in_form(page, form)
    form = page.posted()
    username, password = form.get("username").strip(), form.get("password")
    totp = form.get("totp").replace(" ", "")
    if not username:
        form.add("username", page.t(N_("Enter your username.")))
    if not password:
        form.add("password", page.t(N_("Enter your password.")))
    if totp and not TOTP.match(totp):
        form.add("totp", page.t(N_("Enter the 6 digits your authenticator app shows.")))
    if form.invalid:
        return _sign_in_form(page, form, 422)
    given = {"username": username[:64], "password": password[:200], "client": client_address(page.request)}
    if totp:
        given["totp"] = totp
    answer = page.call("accounts", "sign_in", given, None)
    outcome = answer["outcome"]
    if outcome in ("throttled", "busy"):
        form.messages.append(page.t(N_("Too many attempts. Wait %(seconds)s seconds, then try again."),
                                    seconds=answer.get("retry_after") or 1))
        return _sign_in_form(page, form, 429)
    if outcome == "code_required":
        form.add("totp", page.t(N_("Your account needs the 6-digit code from your authenticator app.")))
        return _sign_in_form(page, form, 401)
    if outcome != "signed_in":
        form.add("username", page.t(N_("The username or the password is wrong.")))
        return _sign_in_form(page, form, 401)
    page.start(answer)
    start_in_language(page, answer)  # the language the person chose last, on any browser
    return page.redirect(local_path(form.get("next")))


def _sign_in_form(page: Page, form: Form, status: int = 200):
    return page.render("sign_in.html", status=status, form=form, title=page.t(N_("Sign in")))


def sign_out(page: Page):
    """As ``POST /auth/sign-out``: the token is refused from now on and its session
    can no longer be refreshed; the cookie keeps only the language."""
    session = page.session
    if session.signed_in:
        try:
            claims = page.pages.tokens.claims(f"Bearer {session.access}")
        except Exception:
            claims = None  # expired or not valid: nothing left to refuse but the session
        if claims is not None:
            until = dt.datetime.fromtimestamp(claims["exp"], dt.timezone.utc)
            page.call("accounts", "sign_out", {"user_id": claims["sub"], "jti": claims.get("jti") or "",
                                               "until": until.isoformat(), "session_id": claims.get("sid")}, None)
            page.pages.revocations.deny(claims.get("jti") or "", until)
    page.session, page.dirty = session.signed_out(), True
    return page.redirect(PREFIX + "sign-in?notice=signed_out")


def language(page: Page):
    chosen = page.request.form.get("language")
    if chosen in LANGUAGES:
        page.session.language, page.dirty = chosen, True
        remember_language(page, chosen)  # signed in: kept with the account too
    return page.redirect(local_path(page.request.form.get("next")))
