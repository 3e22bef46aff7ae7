"""Signed checkpoints of every stream's chain head, so that a wholesale rewrite of
a store (every chain recomputed after an edit) is detectable too.

A checkpoint lists each stream's version and chain at one moment and is signed
with a key the store does not hold (HMAC-SHA256, key from JWW_CHECKPOINT_KEY). It
is appended to a file outside the database. Later, each listed head must still be
in the store, unchanged; a checkpoint whose signature does not hold was forged.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

from shared import chain

DEVELOPMENT_KEY = "development only: not a secret"


def _key() -> bytes:
    return (os.environ.get("JWW_CHECKPOINT_KEY") or DEVELOPMENT_KEY).encode()


def _sign(body: dict) -> str:
    return hmac.new(_key(), json.dumps(body, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def take(recorder, path: Path) -> dict:
    """Append a signed checkpoint of the current heads to ``path``."""
    heads = chain.heads(recorder)
    body = {"at": datetime.now(timezone.utc).isoformat(), "position": recorder.max_notification_id() or 0,
            "heads": heads}
    checkpoint = {**body, "signature": _sign(body)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(json.dumps(checkpoint, sort_keys=True) + "\n")
    return checkpoint


def check(recorder, path: Path) -> list[str]:
    """What no longer matches the signed checkpoints in ``path`` (empty when all hold)."""
    if not path.exists():
        return []
    problems = []
    current: dict[str, dict[int, str]] = {}
    for record in chain.records(recorder):
        current.setdefault(str(record.originator_id), {})[record.originator_version] = (
            chain.chain_of(record.state))
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        checkpoint = json.loads(line)
        signature = checkpoint.pop("signature", "")
        if not hmac.compare_digest(signature, _sign(checkpoint)):
            problems.append(f"checkpoint {number} ({checkpoint.get('at')}): its signature does not hold")
            continue
        for stream, (version, head) in checkpoint["heads"].items():
            if current.get(stream, {}).get(version) != head:
                problems.append(
                    f"checkpoint {number} ({checkpoint['at']}): stream {UUID(stream)} version {version} "
                    "is no longer what was signed")
    return problems
