"""A person's calendar feed address (issue 20): off until they turn it on; then a
secret address (``/calendar/<secret>.ics``, 256 random bits) that reads their own
appointments without signing in. Only a digest of the secret is kept; renewing it or
turning the feed off makes the old address answer 404 at once.

The feed is found from the secret alone: each address is an aggregate of its own,
its id derived from the secret's digest, so a look-up loads one record and no index
of every address is needed. The account keeps which address is its current one, and
a key of its own that makes the feed's client aliases (a keyed hash per client and
person: stable across renewals, meaningless to anyone else)."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate
from shared.errors import NotFound

from services.accounts.domain import Account

if TYPE_CHECKING:
    from services.accounts.application import AccountsApplication

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("0f3c9a4e-5b7d-4e21-8c6a-2d9e7b1f4a30")
PATH = "/calendar/{secret}.ics"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeed(ServiceAggregate):
    """One secret address of one person's calendar feed, until it is revoked."""

    @staticmethod
    def create_id(secret_digest: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"calendar-feed/{secret_digest}")

    @event("Opened")
    def __init__(self, secret_digest: str, username: str, at: str):
        self.username = username
        self.revoked = False

    def revoke(self, at: dt.datetime) -> None:
        if not self.revoked:
            self._revoked(at.isoformat())

    @event("Revoked")
    def _revoked(self, at: str) -> None:
        self.revoked = True


class CalendarFeeds:
    def __init__(self, app: AccountsApplication):
        self.app = app

    def _account(self, actor: dict) -> Account:
        account = self.app._account_of(actor["user_id"])
        if account is None or not account.may_sign_in:
            raise NotFound("no such account", {"username": ["not found"]})
        return account

    def turn_on(self, actor: dict) -> dict:
        """A new secret address; the one before, if any, answers no more."""
        account = self._account(actor)
        secret = secrets.token_urlsafe(32)
        new = CalendarFeed(secret_digest=digest(secret), username=account.username, at=self.app.clock().isoformat())
        changed = [new, *self._revoked(account)]
        account.open_calendar_feed(new.id, secrets.token_hex(32), self.app.clock())
        self.app.save(account, *changed)
        return {"calendar_feed": True, "path": PATH.format(secret=secret)}

    def turn_off(self, actor: dict) -> dict:
        account = self._account(actor)
        changed = self._revoked(account)
        if account.calendar_feed is not None:
            account.close_calendar_feed(self.app.clock())
            changed.append(account)
        if changed:
            self.app.save(*changed)
        return {"calendar_feed": False, "path": None}

    def state(self, actor: dict) -> dict:
        """Whether the person's feed is on; never its address, which only a digest keeps."""
        return {"calendar_feed": self._account(actor).calendar_feed is not None, "path": None}

    def _revoked(self, account: Account) -> list[CalendarFeed]:
        current = account.calendar_feed
        if current is None:
            return []
        feed: CalendarFeed | None = self.app.find(UUID(current))
        if feed is None or feed.revoked:
            return []
        feed.revoke(self.app.clock())
        return [feed]

    def owner(self, secret: str) -> dict:
        """Whose feed the secret opens (and the key of its client aliases); not found
        once revoked, for an account that may no longer sign in, or for a guess."""
        feed: CalendarFeed | None = self.app.find(CalendarFeed.create_id(digest(secret)))
        account = None if feed is None or feed.revoked else self.app.find(Account.create_id(feed.username))
        if account is None or not account.may_sign_in or account.calendar_feed != str(feed.id):
            raise NotFound("no such calendar", {"secret": ["not found"]})
        # An access, as a read of one's own agenda: who, never the secret.
        log.info("calendar feed read", extra={"actor": account.user_id, "feed": str(feed.id)[:8]})
        return {"actor": account.actor, "alias_key": account.calendar_alias_key}
