"""What the form pages share: a form's command sent, and a refusal shown on the form that was sent."""
from __future__ import annotations

import uuid

from shared import outcomes
from shared.errors import Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PROBLEM_MESSAGES, Page, status_of
from services.gateway.pages.forms import Form, add_errors
from services.gateway.pages.i18n import N_


def refused(page: Page, form: Form, error: Exception, fields: dict[str, str], default: str) -> None:
    """A service's refusal on the form: invalid fields next to each field, anything
    else in the summary. A 401 goes on up (sign in again, keeping what was typed).
    Only a 503 keeps the form's idempotency key: the command may have been carried
    out, and sending it again with the same key cannot record it twice."""
    status = status_of(error)
    if status == 401:
        raise error
    details = error.errors if isinstance(error, Problem) else error.details if isinstance(error, Refused) else {}
    if outcomes.HEADER in (details or {}):
        # This very form was sent before (the browser's Back, then changed answers):
        # nothing was done now; a fresh key lets the person send the changed answers.
        form.messages.append(page.t(N_("This form was sent already, with other answers. Nothing was changed now: "
                                       "check the answers and send the form again to record them.")))
    elif status == 422:
        add_errors(form, page.words, details, fields, default)
        if not form.errors:
            form.messages.append(page.t(PROBLEM_MESSAGES[422]))
    else:
        form.messages.append(page.t(PROBLEM_MESSAGES.get(status, PROBLEM_MESSAGES[400])))
    if status != 503:
        form.idempotency_key = uuid.uuid4().hex


def send(page: Page, form: Form, service: str, rpc: str, payload: dict, precondition: str | None,
         fields: dict[str, str], default: str) -> int | None:
    """The form's command, sent under the form's idempotency key: None once done, or
    the refusal's status, the refusal shown on the form."""
    page.command(form)
    try:
        page.call(service, rpc, payload, precondition)
    except (Refused, Problem) as error:
        refused(page, form, error, fields, default)
        return status_of(error)
    return None
