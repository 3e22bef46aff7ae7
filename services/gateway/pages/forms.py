"""A form as a person filled it, and what was wrong with it.

The contracts and the services name each wrong field (``{"goals.0.goal": [...]}``);
here each becomes an error next to the form's own field and a line of the error
summary at the top, linking to it (the GOV.UK pattern). Messages are shown in the
person's language: the contracts' usual reasons are translated; any other reason is
shown after a translated lead-in.
"""
from __future__ import annotations

import re
import uuid

from werkzeug.datastructures import MultiDict

from services.gateway.pages.i18n import N_, Words

# The usual marshmallow and service reasons, and how a person reads them.
KNOWN_REASONS = {
    "Missing data for required field.": N_("Enter this."),
    "Field may not be null.": N_("Enter this."),
    "Not a valid date.": N_("Enter a real date."),
    "Not a valid datetime.": N_("Enter a real date and time."),
    "Not a valid integer.": N_("Enter a whole number."),
    "Not a valid email address.": N_("Enter an e-mail address like name@example.org."),
    "Shorter than minimum length 1.": N_("Choose at least one."),
    "Must be one of the languages spoken": N_("Choose one of the languages the client speaks."),
    "must be one of the languages spoken": N_("Choose one of the languages the client speaks."),
    "is not a phone number": N_("Enter a phone number, like +32 2 123 45 67."),
}
_ONE_OF = re.compile(r"^(Must be one of|must be one of)")
_LENGTH = re.compile(r"^Length must be between (\d+) and (\d+)\.$")


class Form:
    """What was typed (kept to show again), the errors by field, and the form's
    hidden fields: a fresh ``idempotency_key`` per rendered form, and ``if_match``."""

    def __init__(self, values: MultiDict | None = None, if_match: str | None = None,
                 idempotency_key: str | None = None):
        self.values = values if values is not None else MultiDict()
        self.errors: dict[str, list[str]] = {}
        self.messages: list[str] = []  # problems about the whole form, not one field
        self.if_match = if_match
        self.idempotency_key = idempotency_key or uuid.uuid4().hex

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getlist(self, name: str) -> list[str]:
        return self.values.getlist(name)

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.messages)


def reason(words: Words, text: str) -> str:
    """A contract's reason as the person reads it."""
    known = KNOWN_REASONS.get(text)
    if known:
        return words.gettext(known)
    if _ONE_OF.match(text):
        return words.gettext(N_("Choose one of the options."))
    length = _LENGTH.match(text)
    if length:
        return words.gettext(N_("Enter between %(low)s and %(high)s characters."), low=length.group(1),
                             high=length.group(2))
    return words.gettext(N_("Check this: %(reason)s"), reason=text)


def add_errors(form: Form, words: Words, details: dict, fields: dict[str, str], default: str) -> None:
    """The refusal's field errors on the form's fields: ``fields`` maps a contract's
    field (or its first part, ``goals.0.goal`` -> ``goals.0.goal``, ``goals``) to the
    form's; anything unmapped goes on ``default``."""
    for name, reasons in (details or {}).items():
        target = fields.get(name) or fields.get(name.split(".")[0]) or default
        for text in reasons if isinstance(reasons, list) else [reasons]:
            form.add(target, reason(words, str(text)))
