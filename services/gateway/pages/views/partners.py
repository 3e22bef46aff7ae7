"""The partner directory: the partners that take new referrals, and, for those the
referrals service lets keep it (coordinators, for partners of no agency or of their
own; admins), registering a partner, describing one anew and deactivating one."""
from __future__ import annotations

import re

from shared.contracts import referrals, validate_command
from shared.contracts.referrals import CHANNELS, DOMAINS
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.common import refused, send
from services.gateway.pages.views.referrals import CHANNEL_LABELS, directory

KEEPERS = ("coordinator", "admin")  # who the referrals service lets keep the directory
FIELDS = {name: name for name in ("code", "name", "kind", "agency", "domains", "languages", "channel",
                                  "typical_wait_days")}
_CODES = re.compile(r"[\s,;]+")


def _channels(page: Page) -> list[tuple[str, str]]:
    return [(code, page.t(CHANNEL_LABELS[code])) for code in CHANNELS]


def listing(page: Page):
    partners = sorted(directory(page).values(), key=lambda p: p["name"].lower())
    return page.render("partners.html", title=page.t(N_("Partner directory")), partners=partners,
                       keeper=page.actor["role"] in KEEPERS, channel_labels=CHANNEL_LABELS)


def description(page: Page, form: Form) -> dict:
    """The description from the form; blanks left out, so the contract names what is missing."""
    payload: dict = {"actor": page.actor, "domains": form.getlist("domains"),
                     "languages": [c.lower() for c in _CODES.split(form.get("languages")) if c]}
    for name in ("code", "name", "kind", "channel"):
        if form.get(name).strip():
            payload[name] = form.get(name).strip()
    payload["agency"] = form.get("agency").strip() or None
    wait = form.get("typical_wait_days").strip()
    if wait.isdigit():
        payload["typical_wait_days"] = int(wait)
    else:
        form.add("typical_wait_days", page.t(N_("Enter the usual wait in days, as a whole number.")))
    return payload


def _checked(page: Page, form: Form, schema, payload: dict) -> None:
    try:
        validate_command(schema, payload)
    except InvalidInput as error:
        details = {k: v for k, v in error.details.items() if k != "typical_wait_days" or "typical_wait_days"
                   in payload}
        add_errors(form, page.words, details, FIELDS, "name")


def register(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _form(page, page.resumed(Form()), None)
    form = page.posted()
    payload = description(page, form)
    _checked(page, form, referrals.RegisterPartner, payload)
    if form.invalid:
        return _form(page, form, None, 422)
    page.command(form)
    try:
        page.call("referrals", "register_partner", payload, None)
    except (Refused, Problem) as error:
        if status_of(error) == 409:  # the code is taken
            form.add("code", page.t(N_("A partner with this code is in the directory already: choose another code.")))
            return _form(page, form, None, 409)
        refused(page, form, error, FIELDS, "name")
        return _form(page, form, None, status_of(error))
    return page.redirect(f"{PREFIX}partners?notice=partner_registered")


def change(page: Page, code: str):
    partner = _partner(page, code)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        for name in ("name", "kind", "channel"):
            form.values[name] = partner[name]
        form.values["agency"] = partner["agency"] or ""
        form.values.setlist("domains", partner["domains"])
        form.values["languages"] = ", ".join(partner["languages"])
        form.values["typical_wait_days"] = str(partner["typical_wait_days"])
        return _form(page, page.resumed(form), partner)
    form = page.posted()
    payload = {**description(page, form), "code": code}
    _checked(page, form, referrals.ChangePartner, payload)
    if form.invalid:
        return _form(page, form, partner, 422)
    status = send(page, form, "referrals", "change_partner", payload, None, FIELDS, "name")
    if status:
        return _form(page, form, partner, status)
    return page.redirect(f"{PREFIX}partners?notice=partner_changed")


def deactivate(page: Page, code: str):
    partner = _partner(page, code)
    if page.request.method != "POST":  # GET, or HEAD
        return _deactivation(page, Form(), partner)
    form = page.posted()
    status = send(page, form, "referrals", "deactivate_partner", {"actor": page.actor, "code": code}, None,
                  {}, "confirm")
    if status:
        return _deactivation(page, form, partner, status)
    return page.redirect(f"{PREFIX}partners?notice=partner_deactivated")


def _partner(page: Page, code: str) -> dict:
    partner = directory(page).get(code)
    if partner is None:  # unknown, or deactivated already: no longer described
        raise Problem(404, "no such active partner", "not-found")
    return partner


def _form(page: Page, form: Form, partner: dict | None, status: int = 200):
    title = page.t(N_("Describe a partner anew")) if partner else page.t(N_("Add a partner to the directory"))
    action = f"{PREFIX}partners/{partner['code']}/edit" if partner else f"{PREFIX}partners/new"
    return page.render("partner_form.html", status=status, form=form, partner=partner, title=title, action=action,
                       domains=page.words.options("domain", DOMAINS), channels=_channels(page))


def _deactivation(page: Page, form: Form, partner: dict, status: int = 200):
    return page.render("partner_deactivate.html", status=status, form=form, partner=partner,
                       title=page.t(N_("Deactivate a partner")))
