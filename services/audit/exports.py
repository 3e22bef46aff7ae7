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


def signature_problem(export: dict) -> str | None:
    """Why a kept export does not hold under audit's public keys, or None."""
    return checkpoints.signature_problem(export, keys.public_keys(keys.events_key_name("audit")), rfc8785.dumps)
