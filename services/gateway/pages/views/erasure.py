"""Erasure of a client's personal data (GDPR art. 17), legal holds (art. 17(3)) and
subject access (art. 15), for the roles intake allows:

- a coordinator asks for an erasure, from the client's file, on a legal ground;
- an administrator or the data-protection officer (a second person: whoever asked
  may not decide) approves it, after a page that says what erasure means, or refuses
  it saying why the data is kept; and places or lifts a legal hold;
- a coordinator (for the clients of their agency) or the data-protection officer
  (for any) downloads everything the platform holds about the client.

Nobody who decides can read the client's file, so the data-protection pages find
the client by their opaque reference, posted in a form.
"""
from __future__ import annotations

import json
import uuid

from shared.contracts import intake, validate_command
from shared.contracts.intake import ERASURE_GROUNDS, HOLD_GROUNDS
from shared.errors import InvalidInput, Refused
from shared.subject_access import WHO_MAY as GIVE_ACCESS

from services.gateway import subject_access as documents
from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import LANGUAGE_NAMES, N_
from services.gateway.pages.views.audit import attachment
from services.gateway.pages.views.common import refused

DATA_PROTECTION = PREFIX + "data-protection"
GROUNDS = {
    "no_longer_necessary": N_("The data is no longer needed for the purpose it was collected for"),
    "consent_withdrawn": N_("The client withdrew the consent the processing rested on"),
    "objection": N_("The client objected to the processing"),
    "unlawful_processing": N_("The data was processed unlawfully"),
    "legal_obligation": N_("A legal obligation requires the erasure"),
    "offered_to_a_child": N_("The data was collected from a child for an online service"),
}
HOLD_REASONS = {
    "freedom_of_expression": N_("Freedom of expression and information"),
    "legal_obligation": N_("A legal obligation to keep the data"),
    "public_health": N_("Public health"),
    "archiving": N_("Archiving, research or statistics in the public interest"),
    "legal_claims": N_("Legal claims: a court case or one to come"),
}
# What intake's refusals name, and what a person reads instead of "changed meanwhile".
REFUSALS = {
    "erasure requested": N_("An erasure of this client is asked for already: it waits for a decision."),
    "approved": N_("This erasure was approved already: the data is erased."),
    "refused": N_("This erasure was refused already. A coordinator may ask again."),
    "requested this erasure": N_("You asked for this erasure yourself: another person decides it."),
    "legal hold in force": N_("A legal hold on this client's data is in force: nothing is erased until it is "
                              "lifted."),
    "no legal hold": N_("No legal hold on this client's data is in force."),
    "no erasure requested": N_("Nobody asked for the erasure of this client's data."),
    "erased": N_("This client's personal data was erased already."),
}
FIELDS = {"legal_basis": "legal_basis", "note": "note", "reason": "reason", "ground": "ground",
          "client_id": "client_reference"}
assert set(GROUNDS) == set(ERASURE_GROUNDS) and set(HOLD_REASONS) == set(HOLD_GROUNDS)


def _send(page: Page, form: Form, rpc: str, payload: dict, default: str, fields: dict | None = None) -> int | None:
    """Intake's command under the form's key: None once done, else the refusal's
    status, shown on the form in the person's words."""
    page.command(form)
    try:
        page.call("intake", rpc, payload, None)
    except (Refused, Problem) as error:
        details = (error.errors if isinstance(error, Problem) else error.details) or {}
        known = [REFUSALS[r] for reasons in details.values() if isinstance(reasons, list)
                 for r in reasons if r in REFUSALS]
        if known and status_of(error) != 401:
            form.messages.append(page.t(known[0]))
            form.idempotency_key = uuid.uuid4().hex
        else:
            refused(page, form, error, fields or FIELDS, default)
        return status_of(error)
    return None


def _options(page: Page, labels: dict) -> list[tuple[str, str]]:
    return [(code, page.t(label)) for code, label in labels.items()]


# -- a coordinator asks for an erasure --------------------------------------------------------

def request(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        return _request_form(page, page.resumed(Form()), client_id)
    form = page.posted()
    payload = {"actor": page.actor, "client_id": client_id, "legal_basis": form.get("legal_basis"),
               "note": form.get("note").strip()}
    try:
        validate_command(intake.RequestErasure, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, FIELDS, "legal_basis")
        return _request_form(page, form, client_id, 422)
    if form.get("confirmed") != "yes":  # first the page that says what it means
        return page.render("erasure_confirm.html", form=form, client_id=client_id, action="request",
                           ground=page.t(GROUNDS[payload["legal_basis"]]),
                           title=page.t(N_("Check before you ask for the erasure")))
    status = _send(page, form, "request_erasure", payload, "legal_basis")
    if status:
        return _request_form(page, form, client_id, status)
    return page.redirect(f"{PREFIX}clients/{client_id}?notice=erasure_requested#intake")


def _request_form(page: Page, form: Form, client_id: str, status: int = 200):
    return page.render("erasure_request.html", status=status, form=form, client_id=client_id,
                       grounds=_options(page, GROUNDS), title=page.t(N_("Ask for the erasure of the client's data")))


# -- the data-protection officer's (or an admin's) start page ----------------------------------

TASKS = {"erasure": "erasure", "legal-hold": "legal-hold", "subject-access": "subject-access"}


def start(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        return _start_form(page, Form())
    form = page.posted()
    try:
        client_id = str(uuid.UUID(form.get("client_reference").strip()))
    except ValueError:
        form.add("client_reference", page.t(N_("Enter the client's reference: 36 letters, digits and dashes, "
                                                "like 6a80ac1b-7313-4598-8ea2-13f1bf4aee5e.")))
        return _start_form(page, form, 422)
    task = TASKS.get(form.get("task"), "erasure")
    if task == "subject-access":
        return page.redirect(f"{PREFIX}clients/{client_id}/subject-access")
    return page.redirect(f"{DATA_PROTECTION}/clients/{client_id}/{task}")


def _start_form(page: Page, form: Form, status: int = 200):
    return page.render("erasure_start.html", status=status, form=form, title=page.t(N_("Data protection")),
                       may_give_access=page.actor["role"] in GIVE_ACCESS)


# -- deciding an erasure -------------------------------------------------------------------------

def decide(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        return _decide_form(page, Form(), client_id)
    form = page.posted()
    if form.get("decision") == "refuse":
        payload = {"actor": page.actor, "client_id": client_id, "reason": form.get("reason").strip()}
        if len(payload["reason"]) < 3:
            form.add("reason", page.t(N_("Say why the data is kept, in a few words.")))
            return _decide_form(page, form, client_id, 422)
        try:
            validate_command(intake.RefuseErasure, payload)
        except InvalidInput as error:
            add_errors(form, page.words, error.details, FIELDS, "reason")
            return _decide_form(page, form, client_id, 422)
        status = _send(page, form, "refuse_erasure", payload, "reason")
        if status:
            return _decide_form(page, form, client_id, status)
        return page.redirect(f"{DATA_PROTECTION}?notice=erasure_refused")
    if form.get("confirmed") != "yes":  # what erasure means, before it is done
        return page.render("erasure_confirm.html", form=form, client_id=client_id, action="approve", ground=None,
                           title=page.t(N_("Check before you approve the erasure")))
    status = _send(page, form, "approve_erasure", {"actor": page.actor, "client_id": client_id}, "reason")
    if status:
        return _decide_form(page, form, client_id, status)
    return page.redirect(f"{DATA_PROTECTION}?notice=erasure_approved")


def _decide_form(page: Page, form: Form, client_id: str, status: int = 200):
    return page.render("erasure_decision.html", status=status, form=form, client_id=client_id,
                       title=page.t(N_("Decide on an erasure")))


# -- a legal hold --------------------------------------------------------------------------------

def legal_hold(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        return _hold_form(page, Form(), client_id)
    form = page.posted()
    lifting = form.get("action") == "lift"
    note = "lift_note" if lifting else "place_note"
    fields = {"note": note, "ground": "ground", "client_id": note}
    payload = {"actor": page.actor, "client_id": client_id, "note": form.get(note).strip()}
    if not lifting:
        payload["ground"] = form.get("ground")
    try:
        validate_command(intake.LiftLegalHold if lifting else intake.PlaceLegalHold, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, fields, note if lifting else "ground")
        return _hold_form(page, form, client_id, 422)
    status = _send(page, form, "lift_legal_hold" if lifting else "place_legal_hold", payload,
                   note if lifting else "ground", fields)
    if status:
        return _hold_form(page, form, client_id, status)
    return page.redirect(f"{DATA_PROTECTION}?notice={'hold_lifted' if lifting else 'hold_placed'}")


def _hold_form(page: Page, form: Form, client_id: str, status: int = 200):
    return page.render("legal_hold.html", status=status, form=form, client_id=client_id,
                       grounds=_options(page, HOLD_REASONS), title=page.t(N_("Legal hold")))


# -- subject access -------------------------------------------------------------------------------

FORMATS = {"text": N_("Text, for the client to read"), "json": N_("JSON, as the platform keeps it")}


def subject_access(page: Page, client_id):
    client_id = str(client_id)
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values["format"] = "text"
        return _access_form(page, form, client_id)
    form = page.posted()
    language = form.get("language")
    if language and language not in documents.LANGUAGES:
        form.add("language", page.t(N_("Choose one of the options.")))
    if form.get("format") not in FORMATS:
        form.add("format", page.t(N_("Choose one of the options.")))
    if form.invalid:
        return _access_form(page, form, client_id, 422)
    try:
        # As GET /clients/{id}/subject-access: each service checks who asks and records the read.
        doc = documents.assemble(page.call, page.actor, client_id, language)
    except (Refused, Problem) as error:
        if status_of(error) == 410:
            form.messages.append(page.t(REFUSALS["erased"]))
        else:
            refused(page, form, error, {}, "language")
        return _access_form(page, form, client_id, status_of(error))
    if doc is None:
        form.messages.append(page.t(N_("There is no client with this reference.")))
        return _access_form(page, form, client_id, 404)
    language = doc["language"]
    name = f"subject-access-{client_id}-{language}"
    if form.get("format") == "text":
        return attachment(documents.render(doc), f"{name}.txt", "text/plain")
    return attachment(json.dumps(doc, ensure_ascii=False, indent=2), f"{name}.json", "application/json")


def _access_form(page: Page, form: Form, client_id: str, status: int = 200):
    languages = [(code, LANGUAGE_NAMES[code]) for code in documents.LANGUAGES]
    return page.render("subject_access.html", status=status, form=form, client_id=client_id, languages=languages,
                       formats=_options(page, FORMATS), title=page.t(N_("Subject access")))
