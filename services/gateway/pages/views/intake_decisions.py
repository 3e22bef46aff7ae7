"""The coordinator's intake decisions: the registrations waiting for one, a decision
page per client with the language match (who of the agency speaks the client's
languages, whether an interpreter is needed and can be arranged), the waitlist,
reassignment and transfer, and the duplicate checks.

Every decision is taken on the file as the coordinator read it (``if_match``): two
coordinators deciding at once get "changed meanwhile", not two decisions."""
from __future__ import annotations

import uuid

from shared import concurrency
from shared.contracts import intake, validate_command
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.common import refused

# Who may be assigned a client: the casework profiles of the directory (intake's own rule).
ASSIGNABLE = frozenset({"social_assistant", "criminologist", "jurist", "coordinator"})
DECLINE_REASON_LABELS = {
    "outside_target_group": N_("Outside the target group"),
    "better_served_elsewhere": N_("Better served by another service"),
    "client_withdrew": N_("The client withdrew"),
    "not_reachable": N_("The client could not be reached"),
    "other": N_("Another reason"),
}
INTERPRETER_KIND_LABELS = {"present": N_("An interpreter present"), "telephone": N_("A telephone interpreter")}
FINDING_LABELS = {"same_person": N_("The same person"), "different_person": N_("A different person")}
DUPLICATE_STATUS_LABELS = {"pending": N_("To settle"), "linked": N_("Linked: the same person"),
                           "released": N_("Released: a different person")}
ASSIGN_FIELDS = {"worker": "worker", "interpreter": "interpreter_language", "interpreter.language": "interpreter_language",
                 "interpreter.kind": "interpreter_kind", "to_agency": "to_agency", "consent": "to_agency"}
DECLINE_FIELDS = {"reason": "reason", "note": "note"}
# What a service's refusal of a decision names, and what the coordinator reads next to the field.
DECISION_REFUSALS = {
    "worker": N_("This worker speaks none of the client's languages: choose another worker, or arrange an "
                 "interpreter in a language the client speaks."),
    "interpreter.kind": N_("Your agency cannot arrange telephone interpreters: choose an interpreter present."),
    "consent": N_("The client has not consented to a transfer to this agency. Record the consent on the file "
                  "first."),
}
STATE_REFUSALS = {
    "status": N_("This decision is not possible any more: the intake was decided meanwhile. Reload the page."),
    "duplicate_check": N_("A possible duplicate must be settled by the coordinators first."),
    "to_agency": N_("The client is with this agency already."),
}


# -- the lists --------------------------------------------------------------------------------

def pending(page: Page):
    """The registrations of my agency waiting for a decision, oldest first."""
    waiting = page.call("intake", "pending_intakes", {"actor": page.actor, "agency": page.actor["agency"]}, None)
    return page.render("decisions.html", title=page.t(N_("Intake decisions")), waiting=waiting)


def waitlist(page: Page):
    waiting = page.call("intake", "waitlist", {"actor": page.actor, "agency": page.actor["agency"]}, None)
    return page.render("waitlist.html", title=page.t(N_("Waitlist")), waiting=waiting)


# -- the decision page ----------------------------------------------------------------------------

def decide(page: Page, client_id):
    """The page, or one of its three decisions: the button pressed names which, so a
    session that expired meanwhile comes back here with what was typed in that form."""
    if page.request.method != "POST":  # GET, or HEAD
        return _decision_page(page, client_id)
    form = page.posted()
    which = form.get("decision")
    if which == "decline":
        payload = {"actor": page.actor, "client_id": str(client_id), "reason": form.get("reason"),
                   "note": form.get("note").strip()}
        return _decided(page, client_id, form, "decline", "decline_intake", intake.DeclineIntake, payload,
                        DECLINE_FIELDS, "reason", "intakes?notice=intake_declined")
    if which == "waitlist":
        payload = {"actor": page.actor, "client_id": str(client_id)}
        return _decided(page, client_id, form, "waitlist", "waitlist_intake", intake.WaitlistIntake, payload,
                        {}, "decision-waitlist", "waitlist?notice=waitlisted")
    payload = {"actor": page.actor, "client_id": str(client_id), "worker": form.get("worker")}
    _interpreter(page, form, payload)
    return _decided(page, client_id, form, "accept", "accept_intake", intake.AcceptIntake, payload,
                    ASSIGN_FIELDS, "worker", "intakes?notice=intake_accepted")


def _decided(page: Page, client_id, form: Form, which: str, rpc: str, contract, payload: dict, fields: dict,
             default: str, success: str):
    """One decision's form checked, sent on the file as read, and the page again with
    the errors on that form (the others as new), or on to the list."""
    try:
        validate_command(contract, payload)
    except InvalidInput as error:
        add_errors(form, page.words, _unchosen(page, form, error.details), fields, default)
    if form.invalid:
        return _decision_page(page, client_id, {which: form}, 422)
    status = send_decision(page, form, rpc, payload, fields, default)
    if status:
        return _decision_page(page, client_id, {which: form}, status)
    return page.redirect(PREFIX + success)


def send_decision(page: Page, form: Form, rpc: str, payload: dict, fields: dict, default: str) -> int | None:
    """The decision sent under the form's key and on the version read; a refusal the
    coordinator can act on is said next to its field, any other as ``refused`` says it."""
    page.command(form)
    precondition = form.if_match if form.if_match and concurrency.parse(form.if_match) else None
    try:
        page.call("intake", rpc, payload, precondition)
    except (Refused, Problem) as error:
        status = status_of(error)
        details = _details(error)
        named = [name for name in details if name in DECISION_REFUSALS or name in STATE_REFUSALS]
        if status in (403, 409, 422) and named:
            for name in named:
                if name in DECISION_REFUSALS:
                    form.add(fields.get(name, default), page.t(DECISION_REFUSALS[name]))
                else:
                    form.messages.append(page.t(STATE_REFUSALS[name]))
            form.idempotency_key = uuid.uuid4().hex  # refused: the corrected form is a new command
        else:
            refused(page, form, error, fields, default)
        return status
    return None


# What a person reads for a choice left empty, rather than the contract's reason about its length or form.
UNCHOSEN = {"worker": N_("Choose the worker to assign."), "to_agency": N_("Choose the agency to transfer to.")}


def _unchosen(page: Page, form: Form, details: dict) -> dict:
    """The contract's reasons, but a worker or agency left unchosen said as such, and
    none for a field the page named already (an interpreter half given)."""
    left = {}
    for name, reasons in details.items():
        if name in UNCHOSEN and not form.get(name):
            form.add(name, page.t(UNCHOSEN[name]))
        elif ASSIGN_FIELDS.get(name) not in form.errors:
            left[name] = reasons
    return left


def _details(error: Exception) -> dict:
    if isinstance(error, Problem):
        return error.errors or {}
    return getattr(error, "details", None) or {}


def _interpreter(page: Page, form: Form, payload: dict) -> None:
    """An interpreter only when the coordinator chose a language for one; its kind then too."""
    language, kind = form.get("interpreter_language"), form.get("interpreter_kind")
    if language or kind:
        payload["interpreter"] = {"language": language, "kind": kind}
        if not language:
            form.add("interpreter_language", page.t(N_("Choose the language the interpreter speaks.")))
        if not kind:
            form.add("interpreter_kind", page.t(N_("Choose how the interpreter takes part.")))


def _decision_page(page: Page, client_id, forms: dict | None = None, status: int = 200):
    client = page.call("intake", "client_file", {"actor": page.actor, "client_id": str(client_id)}, None)
    agency = own_agency(page)
    tag = concurrency.tag(client["client_id"], client["version"])
    forms = forms or {}
    if not forms:  # a session that expired: the form that was sent, with what was typed
        resumed = page.resumed(Form(if_match=tag))
        forms[resumed.get("decision") if resumed.get("decision") in ("decline", "waitlist") else "accept"] = resumed
    for name in ("accept", "decline", "waitlist"):
        forms.setdefault(name, Form(if_match=tag))
    w = page.words
    return page.render(
        "decision.html", status=status, title=page.t(N_("Intake decision")), client=client, client_id=str(client_id),
        match=language_match(client, agency), forms=forms,
        summary_form=next((f for f in forms.values() if f.invalid), forms["accept"]),
        workers=worker_options(page, client, agency), reasons=_options(page, DECLINE_REASON_LABELS),
        interpreter_languages=w.options("language", client.get("languages") or []),
        interpreter_kinds=_options(page, INTERPRETER_KIND_LABELS))


# -- the language match -----------------------------------------------------------------------------

def own_agency(page: Page) -> dict:
    """My agency as the directory holds it: its staff, their languages, its interpreters."""
    code = page.actor["agency"]
    return next((a for a in page.call("intake", "directory", None, None) if a["code"] == code),
                {"code": code, "name": code, "languages": [], "telephone_interpreters": False, "staff": []})


def language_match(client: dict, agency: dict) -> dict:
    """Who of the agency's active caseworkers speaks which of the client's languages,
    those who do first; and whether an interpreter is needed and can be arranged."""
    spoken = client.get("languages") or []
    staff = []
    for member in agency.get("staff") or []:
        if not member.get("active") or member.get("profile") not in ASSIGNABLE:
            continue
        common = [code for code in spoken if code in member.get("languages", [])]
        staff.append({**member, "common": common, "speaks_preferred": client.get("preferred_language") in common})
    staff.sort(key=lambda m: (not m["speaks_preferred"], not m["common"], m["display_name"]))
    nobody = not any(m["common"] for m in staff)
    return {"staff": staff, "nobody_speaks": nobody,
            "interpreter_needed": bool(client.get("interpreter_needed")) or nobody,
            "telephone_interpreters": bool(agency.get("telephone_interpreters"))}


def worker_options(page: Page, client: dict, agency: dict) -> list[tuple[str, str]]:
    """The assignable workers, those who speak a client's language first, saying so."""
    options = []
    for member in language_match(client, agency)["staff"]:
        languages = ", ".join(page.words.label("language", code) for code in member["common"])
        text = page.t(N_("%(name)s (speaks %(languages)s)"), name=member["display_name"], languages=languages) \
            if languages else page.t(N_("%(name)s (no common language)"), name=member["display_name"])
        options.append((member["user_id"], text))
    return options


def _options(page: Page, labels: dict) -> list[tuple[str, str]]:
    return [(code, page.t(text)) for code, text in labels.items()]


# -- reassignment and transfer ---------------------------------------------------------------------

def reassign(page: Page, client_id):
    client = page.call("intake", "client_file", {"actor": page.actor, "client_id": str(client_id)}, None)
    agency = own_agency(page)
    if page.request.method != "POST":  # GET, or HEAD
        form = page.resumed(Form(if_match=concurrency.tag(client["client_id"], client["version"])))
        return _reassign_form(page, client, agency, form)
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "worker": form.get("worker")}
    _interpreter(page, form, payload)
    try:
        validate_command(intake.ReassignClient, payload)
    except InvalidInput as error:
        add_errors(form, page.words, _unchosen(page, form, error.details), ASSIGN_FIELDS, "worker")
    if not form.invalid:
        status = send_decision(page, form, "reassign_client", payload, ASSIGN_FIELDS, "worker")
        if status is None:
            return page.redirect(f"{PREFIX}clients/{client_id}?notice=reassigned#intake")
        return _reassign_form(page, client, agency, form, status)
    return _reassign_form(page, client, agency, form, 422)


def _reassign_form(page: Page, client: dict, agency: dict, form: Form, status: int = 200):
    w = page.words
    return page.render("reassign.html", status=status, title=page.t(N_("Assign to another worker")), form=form,
                       client=client, client_id=client["client_id"], match=language_match(client, agency),
                       workers=worker_options(page, client, agency),
                       interpreter_languages=w.options("language", client.get("languages") or []),
                       interpreter_kinds=_options(page, INTERPRETER_KIND_LABELS))


def transfer(page: Page, client_id):
    client = page.call("intake", "client_file", {"actor": page.actor, "client_id": str(client_id)}, None)
    agencies = [a for a in page.call("intake", "directory", None, None) if a["code"] != page.actor["agency"]]
    if page.request.method != "POST":  # GET, or HEAD
        form = page.resumed(Form(if_match=concurrency.tag(client["client_id"], client["version"])))
        return _transfer_form(page, client, agencies, form)
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "to_agency": form.get("to_agency")}
    if form.get("worker"):
        payload["worker"] = form.get("worker")
    _interpreter(page, form, payload)
    try:
        validate_command(intake.TransferClient, payload)
    except InvalidInput as error:
        add_errors(form, page.words, _unchosen(page, form, error.details), ASSIGN_FIELDS, "to_agency")
    if not form.invalid:
        status = send_decision(page, form, "transfer_client", payload, ASSIGN_FIELDS, "to_agency")
        if status is None:
            return page.redirect(f"{PREFIX}intakes?notice=transferred")
        return _transfer_form(page, client, agencies, form, status)
    return _transfer_form(page, client, agencies, form, 422)


def _transfer_form(page: Page, client: dict, agencies: list, form: Form, status: int = 200):
    w = page.words
    groups = []
    for agency in agencies:
        match = language_match(client, agency)
        groups.append((agency["code"], agency["name"], [
            (m["user_id"], page.t(N_("%(name)s (speaks %(languages)s)"), name=m["display_name"],
                                  languages=", ".join(w.label("language", c) for c in m["common"])) if m["common"]
             else page.t(N_("%(name)s (no common language)"), name=m["display_name"]))
            for m in match["staff"]]))
    return page.render("transfer.html", status=status, title=page.t(N_("Transfer to another agency")), form=form,
                       client=client, client_id=client["client_id"],
                       agencies=[(a["code"], a["name"]) for a in agencies], worker_groups=groups,
                       interpreter_languages=w.options("language", client.get("languages") or []),
                       interpreter_kinds=_options(page, INTERPRETER_KIND_LABELS))


# -- duplicate checks -------------------------------------------------------------------------------

def duplicates(page: Page, form: Form | None = None, failed: str | None = None, status: int = 200):
    checks = page.call("intake", "duplicate_checks", {"actor": page.actor}, None)
    return page.render("duplicates.html", status=status, title=page.t(N_("Possible duplicates")), checks=checks,
                       form=form or Form(), blank=Form(), failed=failed, findings=_options(page, FINDING_LABELS),
                       finding_labels=dict(_options(page, FINDING_LABELS)),
                       statuses={code: page.t(text) for code, text in DUPLICATE_STATUS_LABELS.items()})


def settle(page: Page, check_id):
    form = page.posted()
    payload = {"actor": page.actor, "check_id": str(check_id), "finding": form.get(f"finding-{check_id}")}
    fields = {"finding": f"finding-{check_id}"}
    try:
        validate_command(intake.SettleDuplicateCheck, payload)
    except InvalidInput as error:
        add_errors(form, page.words, error.details, fields, f"finding-{check_id}")
        return duplicates(page, form, str(check_id), 422)
    page.command(form)
    try:
        page.call("intake", "settle_duplicate_check", payload, None)
    except (Refused, Problem) as error:
        if status_of(error) == 401:
            raise
        if status_of(error) == 409 and "finding" in _details(error):  # stated already by my agency
            form.messages.append(page.t(N_("Your agency stated this finding already: a coordinator of the other "
                                           "agency must confirm it.")))
        else:
            refused(page, form, error, fields, f"finding-{check_id}")
        return duplicates(page, form, str(check_id), status_of(error))
    return page.redirect(PREFIX + "duplicates?notice=duplicate_settled")
