"""A partner organisation's own users (role "partner"): the referrals sent to their
organisation, one referral with its steps and notes, and the partner's answers.

What a partner reads of a referral is the referrals service's to decide (the
client's consent to share with this partner): the page shows what it answers, and
says when the rest is not shown."""
from __future__ import annotations

from shared.contracts import referrals, validate_command
from shared.contracts.referrals import OUTCOMES
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.referrals import (
    OUTCOME_LABELS, STEP_FIELDS, explain_refusal, next_steps, note_form, sent_note, step_payload,
)


def _path(referral_id) -> str:
    return f"{PREFIX}partner/referrals/{referral_id}"


def _referral(page: Page, referral_id) -> dict:
    return page.call("referrals", "partner_referral", {"actor": page.actor, "referral_id": str(referral_id)}, None)


def referrals_list(page: Page):
    found = page.call("referrals", "partner_referrals", {"actor": page.actor}, None)
    return page.render("partner_referrals.html", title=page.t(N_("Referrals for my organisation")), referrals=found)


def referral(page: Page, referral_id):
    shown = _referral(page, referral_id)
    return page.render("partner_referral.html", title=page.t(N_("Referral")), referral=shown,
                       steps=next_steps(shown["state"], None, staff=False), outcome_labels=OUTCOME_LABELS)


def record_step(page: Page, referral_id):
    shown = _referral(page, referral_id)
    allowed = next_steps(shown["state"], None, staff=False)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        if len(allowed) == 1:
            form.values["step"] = allowed[0]
        return _step_form(page, page.resumed(form), shown, allowed)
    form = page.posted()
    payload = step_payload(page, form, referral_id, allowed)
    try:
        validate_command(referrals.RecordPartnerStep, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, STEP_FIELDS, "step")
    if form.invalid:
        return _step_form(page, form, shown, allowed, 422)
    page.command(form)
    try:
        page.call("referrals", "record_partner_step", payload, None)
    except (Refused, Problem) as error:
        status = explain_refusal(page, form, error, STEP_FIELDS, "step", "step")
        return _step_form(page, form, shown, allowed, status)
    return page.redirect(f"{_path(referral_id)}?notice=referral_step")


def _step_form(page: Page, form: Form, shown: dict, allowed, status: int = 200):
    return page.render("referral_step.html", status=status, form=form, referral=shown,
                       title=page.t(N_("Record the referral's next step")),
                       action=f"{_path(shown['referral_id'])}/steps", back=_path(shown["referral_id"]),
                       steps=page.words.options("referral_state", allowed),
                       outcomes=[(code, page.t(OUTCOME_LABELS[code])) for code in OUTCOMES])


def add_note(page: Page, referral_id):
    shown = _referral(page, referral_id)
    if page.request.method != "POST":  # GET, or HEAD
        return note_form(page, page.resumed(Form()), shown, _path(referral_id))
    form = page.posted()
    payload = {"actor": page.actor, "referral_id": str(referral_id), "note": form.get("note").strip()}
    return sent_note(page, form, payload, "add_partner_note", shown, _path(referral_id))
