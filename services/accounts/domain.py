"""What the accounts service keeps: each account with its sessions, and the
revocations the gateway applies to bearer tokens.

An account of a directory member follows intake's directory: deactivated there, it
can no longer sign in, its sessions cannot be refreshed, and every token issued to
it before is refused (``Revocations``). Its role is its profile in the directory; the
roles the directory holds no one in come from the users file.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("6b1f0a52-2c1e-4d8e-9f37-0a7d4c9e1b25")


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).isoformat()


class Account(ServiceAggregate):
    @staticmethod
    def create_id(username: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"account/{username}")

    @event("Opened")
    def __init__(self, username: str, user_id: str, role: str, agency: str, source: str,
                 password_hash: str | None, totp_seed: str | None = None):
        self.username = username
        self.user_id = user_id
        self.role = role
        self.agency = agency
        self.source = source
        self.password_hash = password_hash
        self.totp_seed = totp_seed  # the second factor's seed, once enrolled
        self.active = True
        self.sessions: dict[str, dict[str, str]] = {}  # session id -> {"digest", "expires"}

    @property
    def actor(self) -> dict:
        return {"user_id": self.user_id, "role": self.role, "agency": self.agency}

    # -- the directory --------------------------------------------------------------------

    def note_active(self, active: bool, at: dt.datetime) -> bool:
        """The directory says the member is (in)active; False when nothing changes."""
        if active == self.active:
            return False
        self._active_changed(active=active, at=_iso(at))
        return True

    @event("ActiveChanged")
    def _active_changed(self, active: bool, at: str) -> None:
        self.active = active
        if not active:
            self.sessions.clear()  # no refresh after a deactivation

    def note_password_hash(self, password_hash: str) -> None:
        if password_hash != self.password_hash:
            self._password_set(password_hash=password_hash)

    @event("PasswordSet")
    def _password_set(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def note_totp_seed(self, totp_seed: str | None) -> None:
        if totp_seed and totp_seed != self.totp_seed:
            self._second_factor_enrolled(totp_seed=totp_seed)

    @event("SecondFactorEnrolled")
    def _second_factor_enrolled(self, totp_seed: str) -> None:
        self.totp_seed = totp_seed

    # -- sessions ---------------------------------------------------------------------------

    @property
    def may_sign_in(self) -> bool:
        return self.active and bool(self.password_hash)

    def open_session(self, session_id: str, digest: str, expires: dt.datetime, now: dt.datetime) -> None:
        self._session_opened(session_id=session_id, digest=digest, expires=_iso(expires), now=_iso(now))

    @event("SessionOpened")
    def _session_opened(self, session_id: str, digest: str, expires: str, now: str) -> None:
        # Sessions that ran out go as new ones open: the state holds the live ones only.
        self.sessions = {i: s for i, s in self.sessions.items() if s["expires"] > now}
        self.sessions[session_id] = {"digest": digest, "expires": expires}

    def session_valid(self, session_id: str, digest: str, now: dt.datetime) -> bool:
        session = self.sessions.get(session_id)
        return bool(self.active and session and session["digest"] == digest
                    and dt.datetime.fromisoformat(session["expires"]) > now)


    def close_session(self, session_id: str) -> None:
        if session_id in self.sessions:
            self._session_closed(session_id=session_id)

    @event("SessionClosed")
    def _session_closed(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)


class Revocations(ServiceAggregate):
    """The platform's one list of what the gateway refuses although it is signed:
    tokens of barred users issued before they were barred, and signed-out tokens.
    A signed-out token is forgotten once it would have expired anyway."""

    @staticmethod
    def create_id() -> UUID:
        return uuid.uuid5(_NAMESPACE, "revocations")

    @event("Opened")
    def __init__(self):
        self.users: dict[str, str] = {}  # user_id -> tokens issued before this instant are refused
        self.tokens: dict[str, str] = {}  # jti -> until

    def bar(self, user_id: str, since: dt.datetime) -> None:
        self._barred(user_id=user_id, since=_iso(since))

    @event("Barred")
    def _barred(self, user_id: str, since: str) -> None:
        self.users[user_id] = since

    def deny(self, jti: str, until: dt.datetime, now: dt.datetime) -> None:
        if jti not in self.tokens and until > now:
            self._denied(jti=jti, until=_iso(until), now=_iso(now))

    @event("Denied")
    def _denied(self, jti: str, until: str, now: str) -> None:
        # Expired entries go as new ones come: the list stays as long as the tokens live.
        self.tokens = {j: u for j, u in self.tokens.items() if u > now}
        self.tokens[jti] = until

    def current(self, now: dt.datetime) -> dict[str, Any]:
        at = _iso(now)
        return {"users": dict(self.users), "tokens": {j: u for j, u in self.tokens.items() if u > at}}
