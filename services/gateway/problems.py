"""Errors as RFC 9457 problem details (``application/problem+json``).

A refusal from a service keeps its message and its field details (``errors``,
field -> reasons) and gets the HTTP status a client expects; anything unexpected
is a 500 whose only detail is a reference to the logs. Never a stack trace.
"""
from __future__ import annotations

import json

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from shared.errors import Refused

MEDIA_TYPE = "application/problem+json"

STATUS_OF_CODE = {
    "invalid-input": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "not-found": 404,
    "gone": 410,
    "conflict": 409,
    "unavailable": 503,
    "internal-error": 500,
}
RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    """An HTTP answer that is an error. ``code`` is stable and machine-readable;
    ``detail`` says what happened to a person."""

    def __init__(self, status: int, detail: str, code: str | None = None, errors: dict | None = None,
                 headers: dict | None = None, **extensions):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or _code(status)
        self.errors = errors or {}
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, correlation_id: str = "") -> dict:
        # "about:blank": the status says what kind of problem it is; ``code`` refines it.
        body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(self.status, "Error"),
                "status": self.status, "detail": self.detail, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extensions)
        if correlation_id:
            body["correlation_id"] = correlation_id
        return body

    def response(self, correlation_id: str = "") -> Response:
        return Response(json.dumps(self.body(correlation_id)) + "\n", status=self.status, mimetype=MEDIA_TYPE,
                        headers=self.headers)


def _code(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "-")


def from_refusal(refused: Refused, reference: str) -> Problem:
    status = STATUS_OF_CODE.get(refused.code, 500)
    if status == 500:
        return internal(reference)
    if status == 503:
        return Problem(503, refused.message, "service-unavailable", _errors(refused.details),
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, effect="unknown")
    return Problem(status, refused.message, refused.code, _errors(refused.details))


def _errors(details: dict) -> dict:
    """Field -> list of reasons, whatever shape a service gave."""
    return {str(field): [str(r) for r in (reasons if isinstance(reasons, list) else [reasons])]
            for field, reasons in (details or {}).items()}


def internal(reference: str) -> Problem:
    return Problem(500, f"internal error; reference {reference}", "internal-error", reference=reference)


def unauthenticated(detail: str, error: str | None = "invalid_token") -> Problem:
    """401 with the challenge RFC 6750 asks for: how to authenticate, and why this failed."""
    challenge = 'Bearer realm="jww"'
    if error:
        challenge += f', error="{error}", error_description="{detail}"'
    return Problem(401, detail, "unauthenticated", headers={"WWW-Authenticate": challenge})


def unavailable(service: str, effect: str = "unknown") -> Problem:
    """503 with ``Retry-After``, and whether a command may have taken effect:
    ``"none"`` when it never reached the service, ``"unknown"`` when it may have
    (then a retry with the same Idempotency-Key gets its outcome, never a second effect)."""
    retry = ("it was not carried out: send it again" if effect == "none"
             else "if you sent a command, it may have taken effect: retry with the same Idempotency-Key")
    return Problem(503, f"the {service} service is not answering now; try again shortly ({retry})",
                   "service-unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, effect=effect)


def bad_request(detail: str, errors: dict | None = None) -> Problem:
    return Problem(400, detail, "bad-request", errors)


def invalid(detail: str, errors: dict) -> Problem:
    return Problem(422, detail, "invalid-input", errors)
