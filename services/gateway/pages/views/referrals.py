"""A client's referrals, from the caseworker's side: propose one to a partner of the
directory and send it, follow its steps, record the next step and add a note.

Sending shares the client's data with the partner: the referrals service refuses it
without the client's consent for that partner, and the page says so in the person's
language, so that the caseworker records the consent first."""
from __future__ import annotations

from shared.contracts import referrals, validate_command
from shared.contracts.referrals import DOMAINS, OUTCOMES
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.common import refused, send

PROPOSAL_FIELDS = {"partner": "partner", "domains": "domains", "reason": "reason", "client_id": "partner"}
STEP_FIELDS = {"step": "step", "reason": "step_reason", "outcome": "outcome", "referral_id": "step",
               "consent": "step"}
NOTE_FIELDS = {"note": "note", "referral_id": "note"}
# The steps the pages offer after each state (the referrals service's lifecycle); the
# service decides, and refuses any other with the reason shown on the form.
NEXT_STEPS = {
    "proposed": ("sent",), "sent": ("acknowledged",), "acknowledged": ("accepted", "declined", "waitlisted"),
    "waitlisted": ("accepted", "declined"), "accepted": ("started",), "started": ("completed", "dropped_out"),
}
# The corrections the referral's page offers in each state (issue 20; views/corrections.py).
CORRECTIONS = {"cancellation": referrals.CANCELLABLE, "withdrawal": referrals.WITHDRAWABLE,
               "reopening": ("dropped_out",)}
OUTCOME_LABELS = {"effective": N_("It helped"), "partly_effective": N_("It helped in part"),
                  "not_effective": N_("It did not help")}
CHANNEL_LABELS = {"platform": N_("Answers on this platform"), "internal": N_("Inside an agency"),
                  "phone": N_("By phone"), "email": N_("By e-mail"), "portal": N_("Through its own portal"),
                  "visit": N_("At a visit")}
NO_CONSENT = N_("The client has not consented to share their data with this partner for a referral, or withdrew "
                "that consent. Record the client's consent first, then send the referral.")
PARTNER_ANSWERS_ITSELF = N_("This partner answers on the platform: its own staff record its answers.")


# -- helpers the referral pages share ----------------------------------------------------

def details_of(error: Exception) -> dict:
    if isinstance(error, Problem):
        return error.errors or {}
    return error.details if isinstance(error, Refused) else {}


def explain_refusal(page: Page, form: Form, error: Exception, fields: dict, default: str, field: str) -> int:
    """A refused step: the missing consent and a partner that answers itself are said in
    the person's words next to ``field``; anything else as any refusal is."""
    details, status = details_of(error), status_of(error)
    if status == 403 and "consent" in details:
        form.add(field, page.t(NO_CONSENT))
    elif status == 403 and "step" in details:
        form.add(field, page.t(PARTNER_ANSWERS_ITSELF))
    elif status == 409 and "step" in details:
        form.add(field, page.t(N_("The referral's state does not allow this step now. Reload the page to see where "
                                  "it stands.")))
    else:
        refused(page, form, error, fields, default)
        return status
    form.idempotency_key = Form().idempotency_key  # a new try is a new command
    return status


def directory(page: Page) -> dict[str, dict]:
    """The partner directory's active partners, by code."""
    return {p["code"]: p for p in page.call("referrals", "partners", None, None)}


def history(page: Page, client_id) -> list[dict]:
    return page.call("referrals", "referral_history", {"actor": page.actor, "client_id": str(client_id)}, None)


def referral_of(page: Page, client_id, referral_id) -> dict:
    """One referral of the client, as the referrals service shows it to this actor."""
    for referral in history(page, client_id):
        if referral["referral_id"] == str(referral_id):
            return referral
    raise Problem(404, "no such referral of this client", "not-found")


def next_steps(state: str | None, partner: dict | None, staff: bool) -> tuple[str, ...]:
    """What may follow now: staff send, and record a partner's answers only for one
    that does not answer on the platform; a partner's users record its answers."""
    steps = NEXT_STEPS.get(state or "", ())
    if not staff:
        return tuple(s for s in steps if s != "sent")
    if partner is not None and partner.get("channel") == "platform":
        return tuple(s for s in steps if s == "sent")
    return steps


def step_payload(page: Page, form: Form, referral_id, allowed: tuple[str, ...]) -> dict:
    """The step command from the form; a reason only for a decline or a drop-out, an
    outcome only at completion, as the contract asks."""
    payload = {"actor": page.actor, "referral_id": str(referral_id), "step": form.get("step")}
    reason = form.get("step_reason").strip()
    if reason:
        payload["reason"] = reason
    if form.get("outcome"):
        payload["outcome"] = form.get("outcome")
    if payload["step"] and payload["step"] not in allowed:
        form.add("step", page.t(N_("Choose one of the steps offered.")))
    return payload


# -- propose a referral --------------------------------------------------------------------

def propose(page: Page, client_id):
    partners = directory(page)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["send_now"] = "yes"
        return _proposal_form(page, page.resumed(form), client_id, partners)
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "partner": form.get("partner"),
               "domains": form.getlist("domains"), "reason": form.get("reason").strip()}
    try:
        validate_command(referrals.ProposeReferral, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, PROPOSAL_FIELDS, "partner")
        return _proposal_form(page, form, client_id, partners, 422)
    page.command(form)
    try:
        answer = page.call("referrals", "propose_referral", payload, None)
    except (Refused, Problem) as error:
        refused(page, form, error, PROPOSAL_FIELDS, "partner")
        return _proposal_form(page, form, client_id, partners, status_of(error))
    referral = f"{PREFIX}clients/{client_id}/referrals/{answer['referral_id']}"
    if form.get("send_now") != "yes":
        return page.redirect(f"{referral}?notice=referral_proposed")
    return page.redirect(f"{referral}?notice={_sent(page, form, answer['referral_id'])}")


def _sent(page: Page, form: Form, referral_id: str) -> str:
    """Send the referral just proposed, under a key of its own derived from the form's
    (sending the form again sends it once); the notice code to show."""
    sending = Form(idempotency_key=f"{form.idempotency_key}.sent")
    page.command(sending)
    try:
        page.call("referrals", "record_referral_step", {"actor": page.actor, "referral_id": referral_id,
                                                        "step": "sent"}, None)
    except (Refused, Problem) as error:
        if status_of(error) == 401:
            raise
        return "referral_no_consent" if "consent" in details_of(error) else "referral_not_sent"
    return "referral_sent"


def _proposal_form(page: Page, form: Form, client_id, partners: dict, status: int = 200):
    w = page.words
    options = [(code, _partner_label(page, p)) for code, p in sorted(partners.items(), key=lambda i: i[1]["name"])]
    return page.render("referral_new.html", status=status, form=form, client_id=str(client_id),
                       title=page.t(N_("Propose a referral")), partners=options,
                       domains=w.options("domain", DOMAINS))


def _partner_label(page: Page, partner: dict) -> str:
    languages = ", ".join(page.words.label("language", code) for code in partner["languages"])
    return page.t(N_("%(name)s (speaks %(languages)s; about %(days)s days' wait)"), name=partner["name"],
                  languages=languages, days=partner["typical_wait_days"])


# -- one referral -----------------------------------------------------------------------------

def show(page: Page, client_id, referral_id):
    referral = referral_of(page, client_id, referral_id)
    partners = directory(page)
    partner = partners.get(referral.get("partner") or "")
    return page.render("referral.html", title=page.t(N_("Referral")), client_id=str(client_id), referral=referral,
                       partner=partner, steps=next_steps(referral.get("state"), partner, staff=True),
                       outcome_labels=OUTCOME_LABELS, channel_labels=CHANNEL_LABELS,
                       corrections=[name for name, states in CORRECTIONS.items() if referral.get("state") in states])


def record_step(page: Page, client_id, referral_id):
    referral = referral_of(page, client_id, referral_id)
    partner = directory(page).get(referral.get("partner") or "")
    allowed = next_steps(referral.get("state"), partner, staff=True)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        if len(allowed) == 1:
            form.values["step"] = allowed[0]
        return _step_form(page, page.resumed(form), client_id, referral, allowed)
    form = page.posted()
    payload = step_payload(page, form, referral_id, allowed)
    try:
        validate_command(referrals.RecordReferralStep, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, STEP_FIELDS, "step")
    if form.invalid:
        return _step_form(page, form, client_id, referral, allowed, 422)
    page.command(form)
    try:
        page.call("referrals", "record_referral_step", payload, None)
    except (Refused, Problem) as error:
        status = explain_refusal(page, form, error, STEP_FIELDS, "step", "step")
        return _step_form(page, form, client_id, referral, allowed, status)
    return page.redirect(f"{PREFIX}clients/{client_id}/referrals/{referral_id}?notice=referral_step")


def _step_form(page: Page, form: Form, client_id, referral: dict, allowed, status: int = 200):
    w = page.words
    return page.render("referral_step.html", status=status, form=form, client_id=str(client_id),
                       referral=referral, title=page.t(N_("Record the referral's next step")),
                       action=f"{PREFIX}clients/{client_id}/referrals/{referral['referral_id']}/steps",
                       back=f"{PREFIX}clients/{client_id}/referrals/{referral['referral_id']}",
                       steps=w.options("referral_state", allowed),
                       outcomes=[(code, page.t(OUTCOME_LABELS[code])) for code in OUTCOMES])


def add_note(page: Page, client_id, referral_id):
    referral = referral_of(page, client_id, referral_id)
    back = f"{PREFIX}clients/{client_id}/referrals/{referral_id}"
    if page.request.method != "POST":  # GET, or HEAD
        return note_form(page, page.resumed(Form()), referral, back)
    form = page.posted()
    payload = {"actor": page.actor, "referral_id": str(referral_id), "note": form.get("note").strip()}
    return sent_note(page, form, payload, "add_referral_note", referral, back)


def sent_note(page: Page, form: Form, payload: dict, rpc: str, referral: dict, back: str):
    """A note checked, sent, and the referral's page again (or the form, refused)."""
    try:
        validate_command(referrals.AddReferralNote, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, NOTE_FIELDS, "note")
        return note_form(page, form, referral, back, 422)
    status = send(page, form, "referrals", rpc, payload, None, NOTE_FIELDS, "note")
    if status:
        return note_form(page, form, referral, back, status)
    return page.redirect(f"{back}?notice=referral_note#notes")


def note_form(page: Page, form: Form, referral: dict, back: str, status: int = 200):
    return page.render("referral_note.html", status=status, form=form, referral=referral, back=back,
                       action=f"{back}/notes", title=page.t(N_("Add a note to the referral")))
