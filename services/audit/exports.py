"""An export an auditor keeps is signed (issue 15): a detached Ed25519 signature by
audit's key over the whole export (canonical JSON), naming audit's last checkpoint
when it was made (shared/checkpoints.py), so that a kept export can later be shown to
be what audit answered, and to sit within a log that checkpoint covers."""
from __future__ import annotations

import rfc8785

from shared import checkpoints, keys


def signed(app, export: dict) -> dict:
    """``export`` with the checkpoint it was taken at and audit's signature."""
    last, _ = checkpoints.last_in_log(app)
    taken_at = None if last is None else {"number": last["number"], "position": last["position"],
                                          "digest": checkpoints.digest(last)}
    return checkpoints.sign({**export, "checkpoint": taken_at}, app.outbox.key, rfc8785.dumps)


def signature_problem(export: dict, public_keys: dict | None = None) -> str | None:
    """Why a kept export does not hold under audit's public keys (those given, or
    this machine's), or None."""
    if public_keys is None:
        public_keys = keys.public_keys(keys.events_key_name("audit"))
    return checkpoints.signature_problem(export, public_keys, rfc8785.dumps)
