"""The client's consents: one given (to whom, why, which categories of data, and whether
what was recorded before may be shared too), and one withdrawn after a confirmation.
What identifies a consent (recipient and purpose) travels in the posted form, never in
the URL."""
from __future__ import annotations

from shared.contracts import intake
from shared.contracts.declare import CATEGORIES
from shared.contracts.intake_vocabulary import CONSENT_PURPOSES

from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.casework import Task, carry_out, given, ids, show

GIVE = Task("consent.html", N_("Record a consent"), "intake", "give_consent", intake.GiveConsent,
            {"recipient": "recipient", "purpose": "purpose", "scope": "scope", "share_history": "share_history"},
            "recipient", "consent", "consents")
# The confirmation page is the whole task: a refusal is said in its summary.
WITHDRAW = Task("casework_confirm.html", N_("Withdraw a consent"), "intake", "withdraw_consent", intake.WithdrawConsent,
                {}, "confirm", "consent_withdrawn", "consents", confirm="casework_confirm.html")


def give(page: Page, client_id):
    w = page.words

    def values():
        return {"purposes": w.options("purpose", CONSENT_PURPOSES), "categories": w.options("category", CATEGORIES)}

    if page.request.method != "POST":  # GET, or HEAD
        return show(page, GIVE, page.resumed(Form()), client_id, **values())
    form = page.posted()
    payload = {**ids(page, client_id), **given(form, "purpose"), "recipient": form.get("recipient").strip().lower(),
               "scope": form.getlist("scope"), "share_history": form.get("share_history") == "yes"}
    if not payload["recipient"]:
        del payload["recipient"]
    return carry_out(page, GIVE, client_id, form, payload, values)


def withdraw(page: Page, client_id):
    """Reached by the file's button for one consent; a GET (a reload, a link) goes back
    to the file, which holds the buttons."""
    if page.request.method != "POST":
        return page.redirect(f"{PREFIX}clients/{client_id}#consents")
    form = page.posted()
    payload = {**ids(page, client_id), **given(form, "recipient", "purpose")}
    facts = [(page.t(N_("Recipient")), form.get("recipient"), None),
             (page.t(N_("Purpose")), page.words.label("purpose", form.get("purpose")), None)]
    return carry_out(page, WITHDRAW, client_id, form, payload, lambda: {
        "question": page.t(N_("Withdraw this consent? Nothing more is shared with the recipient for this purpose.")),
        "facts": facts, "button": page.t(N_("Yes, withdraw the consent"))})
