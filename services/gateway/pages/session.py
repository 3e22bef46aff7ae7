"""The pages' session, held by the browser: a cookie ``jww_session`` with the access
and refresh tokens, the CSRF secret and the language, sealed (AES-GCM) under a key
derived (HKDF) from the gateway's token key, so the gateway keeps no state and any
instance reads it. A second cookie, ``jww_resume``, sealed the same way and short
lived, carries what a person typed in a form whose session had expired, through the
new sign-in and back to the form.

The cookie's name is the sealing's associated data: one cookie's value is refused
as the other's.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SESSION_COOKIE = "jww_session"
RESUME_COOKIE = "jww_resume"
# A sealed session older than this is not read, whatever its tokens say: the refresh
# token outlives no working day.
SESSION_SECONDS = 12 * 3600
RESUME_SECONDS = 15 * 60
# Browsers keep cookies up to 4096 bytes; typed text beyond this is not carried.
MAX_RESUME_BYTES = 3000
_INFO = b"jww gateway pages: session cookie v1"


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    language: str | None = None
    access: str | None = None  # the bearer token, as /auth/token gives it
    refresh: str | None = None
    user: dict | None = None  # user_id, role, agency: for the header, not for deciding anything
    issued: int = field(default_factory=lambda: int(time.time()))

    @property
    def signed_in(self) -> bool:
        return bool(self.access and self.refresh)

    def signed_out(self) -> "Session":
        """What is left after signing out: the language, and a new CSRF secret."""
        return Session(language=self.language)


class Sealer:
    def __init__(self, token_key: bytes):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(token_key)
        self._aead = AESGCM(key)

    def seal(self, name: str, data: dict) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(data, separators=(",", ":")).encode(), name.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, name: str, value: str | None) -> dict | None:
        """The sealed data, or None when the value is missing, altered or not ours."""
        if not value or len(value) > 4096:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            data = json.loads(self._aead.decrypt(raw[:12], raw[12:], name.encode()))
        except (ValueError, InvalidTag):
            return None
        return data if isinstance(data, dict) else None

    # -- the session ------------------------------------------------------------------

    def session(self, value: str | None, now: float | None = None) -> Session | None:
        data = self.open(SESSION_COOKIE, value)
        if data is None:
            return None
        try:
            session = Session(**data)
        except TypeError:
            return None
        if (now or time.time()) - session.issued > SESSION_SECONDS:
            return None
        return session

    def seal_session(self, session: Session) -> str:
        return self.seal(SESSION_COOKIE, asdict(session))

    # -- what was typed in a form whose session expired ----------------------------------

    def resume(self, value: str | None, path: str, now: float | None = None) -> list[tuple[str, str]] | None:
        """The fields typed in the form at ``path``, if they are there and fresh."""
        data = self.open(RESUME_COOKIE, value)
        if not data or data.get("path") != path or (now or time.time()) > data.get("until", 0):
            return None
        return [(str(k), str(v)) for k, v in data.get("fields", [])]

    def seal_resume(self, path: str, fields: list[tuple[str, str]]) -> str | None:
        """None when what was typed is too long to carry in a cookie."""
        value = self.seal(RESUME_COOKIE, {"path": path, "fields": fields, "until": int(time.time()) + RESUME_SECONDS})
        return value if len(value) <= MAX_RESUME_BYTES else None
