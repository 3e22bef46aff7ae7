"""Attendance certificates (aanwezigheidsattest, attestation de présence): issue one,
and its printable page.

Guidance records which dates a certificate states, in which language and for whom;
the person's name is printed, never kept there. The printable page is made from
that record and the client's name in intake's file, in the certificate's own
language (Dutch or French), whatever the language of the pages."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shared.contracts import guidance, validate_command
from shared.contracts.guidance_vocabulary import CERTIFICATE_LANGUAGES, CERTIFICATE_RECIPIENTS
from shared.errors import InvalidInput, Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_, TIMEZONE, Words
from services.gateway.pages.views.common import refused

FIELDS = {"language": "language", "recipient": "recipient", "from": "since", "until": "until",
          "person_name": "person_name", "client_id": "since"}
RECIPIENTS = {"justice_assistant": N_("The justice assistant"), "court": N_("A court"),
              "sentence_enforcement_court": N_("The sentence enforcement court"),
              "internment_chamber": N_("The internment chamber"), "public_prosecutor": N_("The public prosecutor"),
              "lawyer": N_("The client's lawyer"), "client": N_("The client")}
# The certificate's own words, in its language (as guidance prints it).
TITLE = N_("ATTENDANCE CERTIFICATE")
STATEMENT = N_("The service %(agency)s certifies that %(person)s attended on the following dates:")
SECRECY = N_("This certificate states only the attendance, and nothing of what was said (professional secrecy).")
DRAWN_UP = N_("Drawn up in Brussels on %(day)s.")
REFERENCE = N_("Reference: %(reference)s")
SIGNATURE = N_("Signature and stamp of the service")
DEFAULT_PERIOD = dt.timedelta(days=90)


def _client(page: Page, client_id) -> dict:
    return page.call("intake", "client_file", {"actor": page.actor, "client_id": str(client_id)}, None)


def _trajectory(page: Page, client_id) -> dict:
    return page.call("guidance", "trajectory", {"actor": page.actor, "client_id": str(client_id)}, None)


def recipient_label(page: Page, code: str) -> str:
    return page.t(RECIPIENTS[code]) if code in RECIPIENTS else code


def person_name(client: dict) -> str:
    person = client.get("personal") or {}
    return " ".join(part for part in (person.get("given_names"), person.get("family_name")) if part)


def issue(page: Page, client_id):
    if page.request.method != "POST":  # GET, or HEAD
        today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
        form = Form()
        form.values.update({"language": page.language if page.language in CERTIFICATE_LANGUAGES else "",
                            "since": (today - DEFAULT_PERIOD).isoformat(), "until": today.isoformat(),
                            "person_name": person_name(_client(page, client_id))})
        return _form(page, page.resumed(form), client_id)
    form = page.posted()
    payload = {"actor": page.actor, "client_id": str(client_id), "language": form.get("language"),
               "recipient": form.get("recipient"), "person_name": form.get("person_name").strip()}
    for field, key in (("since", "from"), ("until", "until")):
        day = _day(form.get(field))
        if day is None:
            form.add(field, page.t(N_("Enter a real date, like 29/11/2026.")))
        else:
            payload[key] = day.isoformat()
    if "from" in payload and "until" in payload and payload["from"] > payload["until"]:
        form.add("until", page.t(N_("The last day must be on or after the first day.")))
    try:
        validate_command(guidance.IssueAttendanceCertificate, payload)
    except InvalidInput as error:
        add_errors(form, page.words, {k: v for k, v in error.details.items() if k not in ("from", "until")},
                   FIELDS, "language")
    if form.invalid:
        return _form(page, form, client_id, 422)
    page.command(form)
    try:
        answer = page.call("guidance", "issue_attendance_certificate", payload, None)
    except (Refused, Problem) as error:
        return _refused(page, form, error, client_id)
    return page.redirect(f"{PREFIX}clients/{client_id}/certificates/{answer['certificate_id']}?notice=certificate")


def _refused(page: Page, form: Form, error: Exception, client_id):
    """No attended contact in the period is said next to its start; else as any refusal."""
    details = error.errors if isinstance(error, Problem) else error.details
    if status_of(error) == 409 and "from" in (details or {}):
        form.add("since", page.t(N_("The client attended no contact in this period: choose other dates.")))
        form.idempotency_key = Form().idempotency_key
    else:
        refused(page, form, error, FIELDS, "language")
    return _form(page, form, client_id, status_of(error))


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _form(page: Page, form: Form, client_id, status: int = 200):
    w = page.words
    return page.render("certificate_new.html", status=status, form=form, client_id=str(client_id),
                       title=page.t(N_("Issue an attendance certificate")),
                       languages=w.options("language", CERTIFICATE_LANGUAGES),
                       recipients=[(code, recipient_label(page, code)) for code in CERTIFICATE_RECIPIENTS])


# -- the printable certificate -------------------------------------------------------------

def show(page: Page, client_id, certificate_id):
    trajectory = _trajectory(page, client_id)
    found = [c for c in trajectory.get("attendance_certificates") or [] if c["certificate_id"] == certificate_id]
    if not found:
        raise Problem(404, "no such attendance certificate", "not-found")
    certificate = found[0]
    return page.render("certificate.html", title=page.t(N_("Attendance certificate")), client_id=str(client_id),
                       certificate=certificate, recipient=recipient_label(page, certificate["recipient"]),
                       text=certificate_text(certificate, trajectory["agency"], person_name(_client(page, client_id))))


def certificate_text(certificate: dict, agency: str, person: str) -> dict:
    """The certificate's words in its own language; dates as dd/mm/yyyy, as both write them."""
    words = Words(certificate["language"])
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    return {"language": words.language, "title": words.gettext(TITLE),
            "statement": words.gettext(STATEMENT, agency=agency.upper(), person=person or "…"),
            "dates": [f"{dt.date.fromisoformat(str(day)[:10]):%d/%m/%Y}" for day in certificate["dates"]],
            "secrecy": words.gettext(SECRECY), "drawn_up": words.gettext(DRAWN_UP, day=f"{today:%d/%m/%Y}"),
            "reference": words.gettext(REFERENCE, reference=certificate["certificate_id"]),
            "signature": words.gettext(SIGNATURE)}
