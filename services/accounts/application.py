"""The accounts service's use cases: signing in (throttled, with a cap on password
checks), refreshing and closing a session, and the revocations the gateway applies.

Who has an account follows intake's directory (``policies``) and the users file
(``load_users``). A wrong username and a wrong password are answered alike, after
the same work (a decoy hash is checked for an unknown name).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from pathlib import Path
from typing import Any, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError
from prometheus_client import Counter, Gauge

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.store import ServiceApplication

from services.accounts import second_factor
from services.accounts.calendar_feed import CalendarFeeds
from services.accounts.domain import Account, AccountInactive, Bootstrap, Revocations
from services.accounts.throttle import ADDRESS_LIMITS, USERNAME_LIMITS, PasswordChecks, Throttle
from services.accounts.users_file import DIRECTORY_ROLES, UsersFile

log = logging.getLogger(__name__)

# Only for development and tests: production sets the key from a secret (deploy/accounts/service.toml).
DEVELOPMENT_LOG_KEY = b"development only: not a secret, set JWW_ACCOUNTS_LOG_KEY_FILE"

SIGN_INS = Counter("jww_accounts_sign_ins_total", "Sign-in attempts by outcome (signed_in, refused, throttled, busy)",
                   ["outcome"])
CHECKS_REFUSED = Counter("jww_accounts_password_checks_refused_total",
                         "Sign-ins answered at once because every password-check slot was taken")
CHECKS_IN_PROGRESS = Gauge("jww_accounts_password_checks_in_progress", "Password checks (argon2) running now")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _code_digest(code: str) -> str:
    """An enrolment code as typed: any case, with or without its dashes and spaces."""
    return _digest("".join(c for c in code.upper() if c.isalnum()))


class AccountsApplication(ServiceApplication):
    service_name = "accounts"
    publications: dict = {}  # accounts publishes no fact: the gateway asks it over RPC
    sealed: dict = {}  # it holds nothing about a client

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None,
                 concurrent_checks: int = 4, offload: Callable = lambda fn, *args: fn(*args)):
        super().__init__(store=store, env=env)
        self.clock = clock or _now
        self.hasher = PasswordHasher()
        # Checked when the name is unknown or may not sign in, so that answer takes as long.
        self.decoy = self.hasher.hash(secrets.token_urlsafe(16))
        self.usernames = Throttle(USERNAME_LIMITS, self.clock)
        self.addresses = Throttle(ADDRESS_LIMITS, self.clock)
        self.checks = PasswordChecks(concurrent_checks)
        self.offload = offload  # the running service checks passwords in OS threads (service.configure)
        self.log_key = DEVELOPMENT_LOG_KEY
        self.session_lifetime = dt.timedelta(hours=12)
        self.enrolment_lifetime = dt.timedelta(hours=72)
        self.users_file = UsersFile((), sample=False)
        self.calendar_feeds = CalendarFeeds(self)  # issue 20: a secret address per person

    def policies(self):
        from services.accounts.policies import Policies

        return Policies(self).by_type()

    def user_hash(self, username: str) -> str:
        """How logs and the throttle name a username: a keyed hash, never the name."""
        return hmac.new(self.log_key, username.encode(), hashlib.sha256).hexdigest()[:16]

    # -- the users file -------------------------------------------------------------------

    def load_users(self, path: Path) -> int:
        """Open the accounts of the file's roles the directory holds no one in, and
        set the password hashes it gives directory members already heard of; returns
        how many accounts changed."""
        self.users_file = UsersFile.load(path)
        changed = []
        for user in self.users_file.users:
            account = self.find(Account.create_id(user.username))
            if account is None and not user.in_directory:
                account = Account(username=user.username, user_id=user.user_id, role=user.role, agency=user.agency,
                                  source="file", password_hash=user.password_hash, totp_seed=user.totp_seed)
            elif account is not None:
                account.note_password_hash(user.password_hash)
                account.note_totp_seed(user.totp_seed)
            if account is not None and account.pending_events:
                changed.append(account)
        if changed:
            self.save(*changed)
        return len(changed)

    def password_of(self, user_id: str) -> tuple[str | None, str | None]:
        """A directory member's password hash and second factor's seed from the users
        file, if it holds them."""
        user = self.users_file.by_user_id().get(user_id)
        return (user.password_hash, user.totp_seed) if user else (None, None)

    # -- signing in -----------------------------------------------------------------------

    def sign_in(self, username: str, password: str, client: str = "", totp: str = "") -> dict:
        """A session for the right password, and, for an account with a second factor
        or in a role that needs one (``second_factor.REQUIRED_ROLES``), the right code."""
        user_key, address_key = f"user:{self.user_hash(username)}", f"address:{client}"
        wait = max(self.usernames.wait(user_key), self.addresses.wait(address_key) if client else 0)
        if wait:
            return self._answer("throttled", username, retry_after=wait)
        account: Account | None = self.find(Account.create_id(username))
        may = account is not None and account.may_sign_in
        ok = self.checks.run(lambda: self.offload(self._verify, account.password_hash if may else self.decoy,
                                                  password))
        if ok is None:
            CHECKS_REFUSED.inc()
            return self._answer("busy", username, retry_after=1)
        if ok and may and self._needs_code(account) and not totp:
            return self._answer("code_required", username)  # the app's code, then sign in again
        if not (ok and may and self._code_holds(account, totp)):
            self.usernames.failed(user_key)
            if client:
                self.addresses.failed(address_key)
            return self._answer("refused", username)
        self.usernames.succeeded(user_key)
        account, (session_id, refresh_token) = self._saved(account, lambda a: self._new_session(a))
        return {**self._answer("signed_in", username), "actor": account.actor, "session_id": session_id,
                "refresh_token": refresh_token, "language": account.language}

    @staticmethod
    def _needs_code(account: Account) -> bool:
        return bool(account.totp_seed) or account.role in second_factor.REQUIRED_ROLES

    def _code_holds(self, account: Account, totp: str) -> bool:
        """No seed where the role needs one: no sign-in until one is enrolled."""
        if not self._needs_code(account):
            return True
        return bool(account.totp_seed) and second_factor.valid(account.totp_seed, totp, self.clock())

    def _verify(self, password_hash: str, password: str) -> bool:
        CHECKS_IN_PROGRESS.inc()
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        finally:
            CHECKS_IN_PROGRESS.dec()

    def _answer(self, outcome: str, username: str, retry_after: int | None = None) -> dict:
        SIGN_INS.labels(outcome).inc()
        if outcome != "signed_in":
            log.warning("sign-in refused", extra={"reason": outcome, "user_hash": self.user_hash(username)})
        return {"outcome": outcome, "actor": None, "session_id": None, "refresh_token": None,
                "retry_after": retry_after}

    def _saved(self, account: Account, change: Callable[[Account], Any]) -> tuple[Account, Any]:
        """``change`` made to the account and saved; made again on the account as stored
        when another sign-in of the same person saved first (two devices at once)."""
        for attempt in range(3):
            result = change(account)
            try:
                self.save(account)
                return account, result
            except IntegrityError:
                if attempt == 2:
                    raise
                account = self.repository.get(account.id)
        raise AssertionError("unreachable")

    def _new_session(self, account: Account, session_id: str | None = None) -> tuple[str, str]:
        session_id = session_id or secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        # A refresh token is used once: the next one replaces it in the same session.
        account.open_session(session_id, _digest(secret), self.clock() + self.session_lifetime, self.clock())
        # The username travels in the token so that refreshing finds the account without an index.
        return session_id, f"{account.username}.{session_id}.{secret}"

    # -- refreshing and signing out ---------------------------------------------------------

    def refresh(self, refresh_token: str, client: str = "") -> dict:
        """A new refresh token and the actor, for a session still open of an active
        account; the token given is used up."""
        parts = refresh_token.rsplit(".", 2)
        if len(parts) != 3:
            return self._answer("refused", "")
        username, session_id, secret = parts
        account: Account | None = self.find(Account.create_id(username))
        digest = _digest(secret)

        def rotated(a: Account) -> tuple[str, str] | None:
            # Checked again on the account as stored if another save came first: a refresh
            # token used twice at once works once, and a sign-out meanwhile wins.
            return self._new_session(a, session_id) if a.session_valid(session_id, digest, self.clock()) else None

        if account is None:
            return self._answer("refused", username)
        account, new = self._saved(account, rotated)
        if new is None:
            return self._answer("refused", username)
        token = new[1]
        return {"outcome": "signed_in", "actor": account.actor, "session_id": session_id, "refresh_token": token,
                "retry_after": None, "language": account.language}

    def sign_out(self, user_id: str, jti: str, until: dt.datetime, session_id: str | None = None) -> dict:
        """The token is refused from now on (the gateway hears within seconds), and its
        session can no longer be refreshed."""
        revocations = self._revocations()
        revocations.deny(jti, until, self.clock())
        changed = [revocations]
        account = self._account_of(user_id)
        if account is not None and session_id:
            account.close_session(session_id)
            changed.append(account)
        self.save(*changed)
        return {"signed_out": True}

    def _account_of(self, user_id: str) -> Account | None:
        user = self.users_file.by_user_id().get(user_id)
        return self.find(Account.create_id(user.username if user else user_id))

    def _revocations(self, processing: ProcessingEvent | None = None) -> Revocations:
        return self.find(Revocations.create_id(), processing) or Revocations()

    def revocations(self) -> dict:
        found = self.find(Revocations.create_id())
        return found.current(self.clock()) if found else {"users": {}, "tokens": {}}

    # -- enrolment: accounts opened and reset by admins, passwords set by their owners -----

    def open_account(self, actor: dict, username: str, role: str, agency: str) -> dict:
        """An account in a role intake's directory holds no one in (an auditor, a
        funder, a partner user...), with the code its owner enrols with."""
        _admin_only(actor)
        if role in DIRECTORY_ROLES:
            raise InvalidInput("staff of an agency get their account from intake's directory",
                               {"role": ["held by intake's directory: add the staff member there"]})
        if self.find(Account.create_id(username)) is not None:
            raise Conflict("there is an account of that name already", {"username": ["taken"]})
        account = Account(username=username, user_id=username, role=role, agency=agency, source="admin",
                          password_hash=None)
        return self._enrolment(account, by=actor["user_id"])

    def reset_account(self, actor: dict, username: str) -> dict:
        """A new enrolment code for an account whose password or phone was lost: the
        old password, second factor and sessions stop at once, and so do its tokens."""
        _admin_only(actor)
        account: Account | None = self.find(Account.create_id(username))
        if account is None:
            raise NotFound("no such account", {"username": ["not found"]})
        return self._enrolment(account, by=actor["user_id"], bar=True)

    def bootstrap_admin(self, username: str, agency: str = "platform") -> dict:
        """The platform's first admin and their enrolment code (``jww bootstrap-admin``):
        once; again only for the same name while that admin has not enrolled."""
        named: Bootstrap | None = self.find(Bootstrap.create_id())
        account: Account | None = self.find(Account.create_id(username))
        if named is None:
            if account is not None:
                raise Conflict(f"{username} has an account already: an admin resets it", {"username": ["taken"]})
            named = Bootstrap(username=username)
            account = Account(username=username, user_id=username, role="admin", agency=agency, source="admin",
                              password_hash=None)
        elif named.username != username or account.password_hash:
            raise Conflict(f"the first admin was named already ({named.username}); an admin opens other accounts",
                           {"username": ["the platform has its first admin"]})
        return self._enrolment(account, "bootstrap", also=(named,))

    def _enrolment(self, account: Account, by: str, also: tuple = (), bar: bool = False) -> dict:
        """``bar``: the account may hold tokens (a reset), refused from now on; a new
        account or one never enrolled has none."""
        code = second_factor.enrolment_code()
        expires = self.clock() + self.enrolment_lifetime
        try:
            account.issue_enrolment(_code_digest(code), expires, by)
        except AccountInactive:
            raise Conflict("the account is deactivated in intake's directory", {"username": ["inactive"]}) from None
        if bar:
            revocations = self._revocations()
            revocations.bar(account.user_id, self.clock())  # the gateway hears within seconds
            also += (revocations,)
        self.save(*also, account)
        return {"username": account.username, "role": account.role, "enrolment_code": code,
                "expires": expires.isoformat()}

    def enrol(self, username: str, enrolment_code: str, password: str, second_factor_wanted: bool = False,
              client: str = "") -> dict:
        """The person's own password (and, where their role needs one or they ask,
        a new second factor's seed, shown once) for a valid enrolment code; the code
        is used up. Throttled like a sign-in: codes are not guessed either."""
        user_key, address_key = f"user:{self.user_hash(username)}", f"address:{client}"
        wait = max(self.usernames.wait(user_key), self.addresses.wait(address_key) if client else 0)
        if wait:
            return self._enrolled("throttled", username, retry_after=wait)
        account: Account | None = self.find(Account.create_id(username))
        if account is None or not account.enrolment_valid(_code_digest(enrolment_code), self.clock()):
            self.usernames.failed(user_key)
            if client:
                self.addresses.failed(address_key)
            return self._enrolled("refused", username)
        if username.lower() in password.lower():
            raise InvalidInput("choose another password", {"password": ["may not contain the username"]})
        password_hash = self.checks.run(lambda: self.offload(self.hasher.hash, password))
        if password_hash is None:
            return self._enrolled("busy", username, retry_after=1)
        seed = second_factor.new_seed() if second_factor_wanted or account.role in second_factor.REQUIRED_ROLES \
            else None
        account.enrol(password_hash, seed, self.clock())
        self.save(account)
        self.usernames.succeeded(user_key)
        return {**self._enrolled("enrolled", username), "totp_seed": seed,
                "totp_uri": second_factor.enrolment_uri(seed, username) if seed else None}

    @staticmethod
    def _enrolled(outcome: str, username: str, retry_after: int | None = None) -> dict:
        return {"outcome": outcome, "username": username, "totp_seed": None, "totp_uri": None,
                "retry_after": retry_after}

    def change_password(self, actor: dict, current_password: str, new_password: str) -> dict:
        """A signed-in person's new password, for the right current one."""
        account = self._account_of(actor["user_id"])
        if account is None or not account.may_sign_in:
            raise NotFound("no such account", {"username": ["not found"]})
        if account.username.lower() in new_password.lower():
            raise InvalidInput("choose another password", {"new_password": ["may not contain the username"]})
        ok = self.checks.run(lambda: self.offload(self._verify, account.password_hash, current_password))
        if ok is None:
            raise Conflict("too many password checks at once; try again in a moment")
        if not ok:
            raise InvalidInput("the current password is not right", {"current_password": ["not right"]})
        account.change_password(self.offload(self.hasher.hash, new_password), self.clock())
        self.save(account)
        return {"username": account.username, "changed": True}

    def choose_language(self, actor: dict, language: str) -> dict:
        """A signed-in person's language for the pages: their next sign-in, on any
        browser, starts in it."""
        account = self._account_of(actor["user_id"])
        if account is None:
            raise NotFound("no such account", {"username": ["not found"]})
        if account.choose_language(language, self.clock()):
            self.save(account)
        return {"username": account.username, "language": account.language}


def _admin_only(actor: dict) -> None:
    if actor.get("role") != "admin":
        raise Forbidden("only an admin opens and resets accounts", rule="role")
