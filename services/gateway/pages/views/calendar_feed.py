"""My calendar feed: one's own appointments in one's calendar app, at a secret
address (services/accounts/calendar_feed.py). Off until the person turns it on; the
address is shown once, in the answer to the form that made it, never in a URL and
never kept by the pages; renewing it or turning the feed off asks first, since the
address in use stops working at once."""
from __future__ import annotations

import uuid

from shared import outcomes
from shared.errors import Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.common import refused

PATH = PREFIX + "account/calendar-feed"
# Whose appointments a feed can hold: the caseworkers' (guidance answers no one else's agenda).
CASEWORKERS = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})
CARRIED_OUT = N_("This form was sent already and carried out; the address was shown then, only once. If it was lost, "
                 "renew the address.")


def feed(page: Page):
    """Whether the feed is on, with the form to turn it on, or to renew or turn it off."""
    if page.actor["role"] not in CASEWORKERS:
        return page.problem(403)
    return _state_page(page, Form())


def turn_on(page: Page):
    """Turn the feed on, or (confirmed) renew its address: the new address is shown
    in this answer only."""
    if page.request.method != "POST":  # GET, or HEAD: nothing is made by a link
        return page.redirect(PATH)
    if page.actor["role"] not in CASEWORKERS:
        return page.problem(403)
    form = page.posted()
    on = _is_on(page)
    if on and form.get("confirmed") != "yes":
        return _confirm(page, "renew", Form())
    answer, status = _send(page, form, "open_calendar_feed")
    if answer is None:
        return _state_page(page, form, status)  # asked again: a form sent twice turned it on the first time
    return page.render("calendar_feed_address.html", title=page.t(N_("Your calendar feed's address")),
                       address=_address(page, answer["path"]), renewed=on)


def turn_off(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return page.redirect(PATH)
    if page.actor["role"] not in CASEWORKERS:
        return page.problem(403)
    form = page.posted()
    if form.get("confirmed") != "yes":
        return _confirm(page, "off", Form())
    answer, status = _send(page, form, "close_calendar_feed")
    if answer is None:
        return _state_page(page, form, status)
    return page.redirect(PATH + "?notice=calendar_feed_off")


def _is_on(page: Page) -> bool:
    return bool(page.call("accounts", "calendar_feed", {"actor": page.actor}, None).get("calendar_feed"))


def _send(page: Page, form: Form, rpc: str) -> tuple[dict | None, int]:
    page.command(form)
    try:
        return page.call("accounts", rpc, {"actor": page.actor}, None), 200
    except (Refused, Problem) as error:
        details = (error.errors if isinstance(error, Problem) else error.details if isinstance(error, Refused)
                   else None) or {}
        if outcomes.HEADER in details and status_of(error) == 409:
            form.messages.append(page.t(CARRIED_OUT))
            form.idempotency_key = uuid.uuid4().hex
        else:
            refused(page, form, error, {}, "calendar-feed")
        return None, status_of(error)


def _state_page(page: Page, form: Form, status: int = 200):
    return page.render("calendar_feed.html", status=status, title=page.t(N_("My calendar feed")), form=form,
                       on=_is_on(page), off_form=Form())


def _confirm(page: Page, what: str, form: Form):
    renew = what == "renew"
    return page.render(
        "calendar_feed_confirm.html", form=form,
        title=page.t(N_("Renew the address of your calendar feed")) if renew
        else page.t(N_("Turn your calendar feed off")),
        question=page.t(N_("The address your calendar app uses now stops working at once: you will add the new one "
                           "to your calendar app. Renew it when you think someone else may have it."))
        if renew else page.t(N_("Your calendar app stops showing your appointments, and the address stops working "
                                "at once. You can turn the feed on again later, with a new address.")),
        action=PATH if renew else PATH + "/off",
        button=page.t(N_("Renew the address")) if renew else page.t(N_("Turn the feed off")))


def _address(page: Page, path: str) -> str:
    """The feed's full address, on this site's own origin (https behind a proxy that says so)."""
    request = page.request
    https = request.scheme == "https" or request.headers.get("X-Forwarded-Proto", "").lower() == "https" \
        or page.pages.secure_cookies
    return f"{'https' if https else request.scheme}://{request.host}{path}"
