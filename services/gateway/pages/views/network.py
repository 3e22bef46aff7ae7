"""The people around the client: a member of their network, a contact with one, and a
return home prepared for a leave permit. Contacts need the client's consent to involve
their family: the service refuses without it, and the page says so."""
from __future__ import annotations

from shared.contracts import guidance

from services.gateway.pages.app import Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.casework import (
    Task, carry_out, given, ids, moment, part, show, today, trajectory,
)

ADD = Task("network_member.html", N_("Add someone to the network"), "guidance", "add_network_member",
           guidance.AddNetworkMember, {"relation": "relation", "known_as": "known_as"}, "known_as", "network_member",
           "network")
CONTACT = Task("network_contact.html", N_("Record a contact with the network"), "guidance", "record_network_contact",
               guidance.RecordNetworkContact, {"on": "on", "kind": "kind", "note": "note"}, "note", "network_contact",
               "network")
RETURN_HOME = Task("return_home.html", N_("Prepare a return home"), "guidance", "prepare_return_home",
                   guidance.PrepareReturnHome, {"leave_permit": "permit_from_date", "leave_permit.from":
                                                "permit_from_date", "leave_permit.until": "permit_until_date",
                                                "note": "note"}, "note", "return_home", "network")


def add(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, ADD, page.resumed(Form()), client_id)
    form = page.posted()
    return carry_out(page, ADD, client_id, form, {**ids(page, client_id), **given(form, "relation", "known_as")}, dict)


def _member(page: Page, client_id, member_id):
    def values():
        return {"member": part(trajectory(page, client_id), "network", "member_id", member_id)}

    return values


def contact(page: Page, client_id, member_id):
    values = _member(page, client_id, member_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["on"] = today()
        return show(page, CONTACT, page.resumed(form), client_id, **values())
    form = page.posted()
    payload = {**ids(page, client_id, member_id=member_id), **given(form, "on", "kind"), "note": form.get("note")}
    return carry_out(page, CONTACT, client_id, form, payload, values)


def return_home(page: Page, client_id, member_id):
    values = _member(page, client_id, member_id)
    if page.request.method != "POST":  # GET, or HEAD
        return show(page, RETURN_HOME, page.resumed(Form()), client_id, **values())
    form = page.posted()
    payload = {**ids(page, client_id, member_id=member_id), "note": form.get("note")}
    starts, ends = moment(page, form, "permit_from"), moment(page, form, "permit_until")
    payload["leave_permit"] = {key: value for key, value in (("from", starts), ("until", ends)) if value}
    return carry_out(page, RETURN_HOME, client_id, form, payload, values)
