"""Refusals a caller can act on, carried intact across nameko RPC.

Each refusal has a stable ``code`` and structured ``details`` (for bad input: one
message list per field), so a gateway can map it to an HTTP status and a user sees
why, never a stack trace. ``shared.rpc`` registers each with nameko, which then
rebuilds the same class on the caller's side instead of a bare ``RemoteError``;
it also turns a domain rule's refusal (``shared.domain``) into one of these.
"""
from __future__ import annotations


class Refused(Exception):
    code = "refused"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message, details or {})
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidInput(Refused):
    """Input failed its contract; ``details`` maps each field to its reasons."""

    code = "invalid-input"


class Conflict(Refused):
    """Someone changed the same record meanwhile; reload and try again."""

    code = "conflict"


class Forbidden(Refused):
    """The actor may not do this. ``rule`` names the check that refused, as a code
    ("role", "agency"), for the access log (shared.access_log); it stays in the
    service, so the caller's problem is the same whichever check refused."""

    code = "forbidden"

    def __init__(self, message: str, details: dict | None = None, rule: str = "forbidden",
                 client_id=None):
        super().__init__(message, details)
        self.rule = rule
        # Whose file the refused command was about, where the command names a record
        # of it (a referral, a conference) and not the client: for the access log.
        self.client_id = client_id


class NotFound(Refused):
    code = "not-found"


class Gone(Refused):
    """What was asked for is only about a person whose data was erased (WAVE2 13)."""

    code = "gone"


class Unauthenticated(Refused):
    """The call carries no valid actor assertion (``shared.assertions``); ``details``
    holds the reason code under ``assertion``, never who the caller claimed to be."""

    code = "unauthenticated"

    @property
    def reason(self) -> str:
        return (self.details.get("assertion") or [""])[0]


class Unavailable(Refused):
    """Something the command needs does not answer now (its database); nothing is
    known to be done: the caller retries, with the same idempotency key."""

    code = "unavailable"


class InternalError(Refused):
    """Something failed on our side; the message carries a reference, never the cause."""

    code = "internal-error"


REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound, Gone, Unauthenticated, Unavailable, InternalError)
