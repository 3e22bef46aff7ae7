"""What the accounts service keeps: each account with its sessions, and the
revocations the gateway applies to bearer tokens.

An account of a directory member follows intake's directory: deactivated there, it
can no longer sign in, its sessions cannot be refreshed, and every token issued to
it before is refused (``Revocations``). Its role is its profile in the directory; the
roles the directory holds no one in come from the users file, or are opened by an
admin (the first admin by ``jww bootstrap-admin``).

A password and second factor are set by the person: an admin issues a one-time
enrolment code (for a new account, or to reset one whose password or phone was
lost), the person enrols with it, choosing a password and receiving a new seed.
The users file's hashes apply when the file changes them, never over an enrolment.
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
    # The language the person chose for the pages; a class default, so accounts opened
    # before anyone chose (and their snapshots) read None.
    language: str | None = None
    # The person's calendar feed (services/accounts/calendar_feed.py): the id of its
    # current address, None while off; and the key of its client aliases, kept from the
    # first time it was turned on so that renewing changes no alias.
    calendar_feed: str | None = None
    calendar_alias_key: str | None = None

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
        # What the users file last said: a file unchanged since does not undo an enrolment.
        self.file_password_hash = password_hash
        self.file_totp_seed = totp_seed
        self.enrolment: dict[str, str] | None = None  # {"digest", "expires"} of an enrolment code not yet used
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

    # -- the users file ----------------------------------------------------------------------

    def note_password_hash(self, password_hash: str) -> None:
        if password_hash != self.file_password_hash:
            self._password_set(password_hash=password_hash)

    @event("PasswordSet")
    def _password_set(self, password_hash: str) -> None:
        self.password_hash = self.file_password_hash = password_hash

    def note_totp_seed(self, totp_seed: str | None) -> None:
        if totp_seed and totp_seed != self.file_totp_seed:
            self._second_factor_enrolled(totp_seed=totp_seed)

    @event("SecondFactorEnrolled")
    def _second_factor_enrolled(self, totp_seed: str) -> None:
        self.totp_seed = self.file_totp_seed = totp_seed

    # -- enrolment: the person sets their own password and second factor --------------------

    def issue_enrolment(self, digest: str, expires: dt.datetime, by: str) -> None:
        """A one-time code for the person to enrol with (``by``: the admin's user id,
        or "bootstrap"). Until they do, the account cannot sign in: a reset takes the
        old password, second factor and sessions away at once."""
        if not self.active:
            raise AccountInactive(self.username)
        self._enrolment_issued(digest=digest, expires=_iso(expires), by=by)

    @event("EnrolmentIssued")
    def _enrolment_issued(self, digest: str, expires: str, by: str) -> None:
        self.enrolment = {"digest": digest, "expires": expires}
        self.password_hash = None
        self.totp_seed = None
        self.sessions.clear()

    def enrolment_valid(self, digest: str, now: dt.datetime) -> bool:
        return bool(self.active and self.enrolment and self.enrolment["digest"] == digest
                    and dt.datetime.fromisoformat(self.enrolment["expires"]) > now)

    def enrol(self, password_hash: str, totp_seed: str | None, at: dt.datetime) -> None:
        self._enrolled(password_hash=password_hash, totp_seed=totp_seed, at=_iso(at))

    @event("Enrolled")
    def _enrolled(self, password_hash: str, totp_seed: str | None, at: str) -> None:
        self.password_hash = password_hash
        self.totp_seed = totp_seed
        self.enrolment = None

    def change_password(self, password_hash: str, at: dt.datetime) -> None:
        self._password_changed(password_hash=password_hash, at=_iso(at))

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str, at: str) -> None:
        self.password_hash = password_hash

    def choose_language(self, language: str, at: dt.datetime) -> bool:
        """The person's language for the pages; False when it is the one already chosen."""
        if language == self.language:
            return False
        self._language_chosen(language=language, at=_iso(at))
        return True

    @event("LanguageChosen")
    def _language_chosen(self, language: str, at: str) -> None:
        self.language = language

    # -- sessions ---------------------------------------------------------------------------

    def open_calendar_feed(self, feed_id: UUID, alias_key: str, at: dt.datetime) -> None:
        self._calendar_feed_opened(str(feed_id), self.calendar_alias_key or alias_key, _iso(at))

    @event("CalendarFeedOpened")
    def _calendar_feed_opened(self, feed_id: str, alias_key: str, at: str) -> None:
        self.calendar_feed, self.calendar_alias_key = feed_id, alias_key

    def close_calendar_feed(self, at: dt.datetime) -> None:
        self._calendar_feed_closed(_iso(at))

    @event("CalendarFeedClosed")
    def _calendar_feed_closed(self, at: str) -> None:
        self.calendar_feed = None

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


class AccountInactive(Exception):
    """Deactivated in intake's directory: nothing but the directory opens it again."""


class Bootstrap(ServiceAggregate):
    """That the platform's first admin was named: there is one such record, so
    ``jww bootstrap-admin`` works once (again only for the same name, while that
    admin has not enrolled yet and the code ran out)."""

    @staticmethod
    def create_id() -> UUID:
        return uuid.uuid5(_NAMESPACE, "bootstrap")

    @event("AdminNamed")
    def __init__(self, username: str):
        self.username = username


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
