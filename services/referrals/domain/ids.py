"""Ids derived from what names a record: loading the directory again, or an
upstream fact delivered again, finds the record already there instead of adding
a second one."""
from __future__ import annotations

import uuid
from uuid import UUID

_NAMESPACE = uuid.UUID("9c7e3b52-1d4f-4f0e-8a6b-2e5d7c1a9f30")


def derived_id(kind: str, key: object) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"{kind}:{key}")
