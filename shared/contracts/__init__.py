"""Versioned contracts: RPC command payloads and integration events.

Every integration event a service publishes is registered here under its full
CloudEvents type (``be.jww.<service>.<fact>.v<N>``). A published version never
changes; a new need is a new version (and, inside the publishing service, an
upcaster), so a consumer on another stack can rely on what it once read.
"""
from shared.contracts.base import (
    CATALOGUE,
    CommandSchema,
    EventSchema,
    event_type,
    integration_event,
    validate_command,
)
from shared.contracts.envelope import DecodeError, decode, encode, envelope

# Importing the per-service modules registers their events in the catalogue.
from shared.contracts import (  # noqa: E402,F401
    checkpoints, guidance, intake, intake_directory, notifications, referrals, statistics,
)
# Last: the feeds' types are derived from every other service's (shared.contracts.sharing).
from shared.contracts import sharing  # noqa: E402,F401

__all__ = [
    "CATALOGUE",
    "CommandSchema",
    "DecodeError",
    "EventSchema",
    "decode",
    "encode",
    "envelope",
    "event_type",
    "integration_event",
    "validate_command",
]
