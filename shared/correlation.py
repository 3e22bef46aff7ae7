"""The correlation id that follows one command through every service it touches."""
from __future__ import annotations

import contextvars
import uuid

CONTEXT_KEY = "correlation_id"  # nameko propagates worker context data under this key

_current: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="")


def current() -> str:
    return _current.get()


def use(correlation_id: str | None) -> str:
    """Make ``correlation_id`` (or a new one) current for this green thread."""
    value = correlation_id or uuid.uuid4().hex
    _current.set(value)
    return value
