"""My agency's staff as the directory holds them: who works here, in which languages
(what the intake decisions match clients on); a coordinator adds a staff member and
deactivates or reactivates one."""
from __future__ import annotations

import re

from shared.contracts import intake_directory, validate_command
from shared.contracts.intake_vocabulary import STAFF_PROFILES
from shared.errors import InvalidInput

from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import COMMON_CLIENT_LANGUAGES, N_
from services.gateway.pages.views.common import send

FIELDS = {"user_id": "user_id", "display_name": "display_name", "profile": "profile", "languages": "languages",
          "agency": "user_id"}
_CODES = re.compile(r"[\s,;]+")


def staff(page: Page):
    code = page.actor["agency"]
    agency = next((a for a in page.call("intake", "directory", None, None) if a["code"] == code), None)
    members = sorted((agency or {}).get("staff") or [], key=lambda m: (not m["active"], m["display_name"]))
    return page.render("staff.html", title=page.t(N_("Staff")), agency=agency, members=members)


def add(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _form(page, page.resumed(Form()))
    form = page.posted()
    typed = [c.lower() for c in _CODES.split(form.get("other_languages")) if c]
    payload = {"actor": page.actor, "agency": page.actor["agency"], "user_id": form.get("user_id").strip(),
               "display_name": form.get("display_name").strip(), "profile": form.get("profile"),
               "languages": list(dict.fromkeys(form.getlist("languages") + typed))}
    try:
        validate_command(intake_directory.AddStaffMember, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, FIELDS, "user_id")
    if form.invalid:
        return _form(page, form, 422)
    status = send(page, form, "intake", "add_staff_member", payload, None, FIELDS, "user_id")
    if status == 409:  # the user id is on the agency's staff already
        form.messages[:] = []
        form.add("user_id", page.t(N_("This user id is on your agency's staff already.")))
    if status:
        return _form(page, form, status)
    return page.redirect(PREFIX + "staff?notice=staff_added")


def _form(page: Page, form: Form, status: int = 200):
    w = page.words
    return page.render("staff_new.html", status=status, title=page.t(N_("Add a staff member")), form=form,
                       profiles=w.options("role", STAFF_PROFILES), languages=w.options("language", COMMON_CLIENT_LANGUAGES))


def deactivate(page: Page, user_id):
    return _active(page, user_id, "deactivate_staff_member", "staff_deactivated")


def reactivate(page: Page, user_id):
    return _active(page, user_id, "reactivate_staff_member", "staff_reactivated")


def _active(page: Page, user_id: str, rpc: str, notice: str):
    page.command(page.posted())
    page.call("intake", rpc, {"actor": page.actor, "agency": page.actor["agency"], "user_id": user_id}, None)
    return page.redirect(f"{PREFIX}staff?notice={notice}")
