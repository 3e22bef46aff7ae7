"""Who is asking: a person signs in through the accounts service (WAVE2 7: the
password check, throttling, sessions and refresh tokens live there) and gets a
signed, expiring bearer token (JWT, HS256) that carries their user id, role and
agency, a token id (``jti``) and their session (``sid``). The gateway takes the actor
of every command from that token only, checked here by its signature, with no state
of its own but a copy of accounts' revocations; the services still check what the
actor may do.

Revocation: tokens live ``token_minutes`` (15 by default) and the gateway refreshes
accounts' revocations every ``REFRESH_SECONDS``: a deactivated member's tokens and a
signed-out token are refused within that, plus how long accounts takes to hear of
intake's fact. Chosen over one-minute tokens so that a person is not sent back to
refresh every minute and accounts is asked once per interval per gateway, not per
request. When accounts cannot be asked for ``STALE_SECONDS``, bearer tokens are
refused (503) rather than trusted past the promise.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from typing import Callable

import jwt
from marshmallow import ValidationError

from shared.contracts.base import ActorSchema

from services.gateway import problems

log = logging.getLogger(__name__)

ISSUER = "jww-gateway"
ALGORITHM = "HS256"
REFRESH_SECONDS = 10.0  # how often the gateway asks accounts what it revoked
STALE_SECONDS = 45.0  # past this without an answer, no bearer token is accepted: within 60 s holds
# Accounts' clock (when it barred a user) against this one's (when it issued a token):
# a token issued this close before the bar is refused too.
CLOCK_SKEW = dt.timedelta(seconds=5)

Clock = Callable[[], dt.datetime]
# One instance for every request: building a marshmallow schema costs more than the load.
_ACTOR = ActorSchema()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Tokens:
    def __init__(self, key: bytes, lifetime: dt.timedelta,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)):
        self.key = key
        self.lifetime = lifetime
        self.clock = clock

    def issue(self, actor: dict, session_id: str | None = None) -> dict:
        """A token for ``actor`` (user_id, role, agency); ``sid`` names the session it belongs to."""
        actor = getattr(actor, "actor", actor)
        now = self.clock()
        claims = {"iss": ISSUER, "sub": actor["user_id"], "role": actor["role"], "agency": actor["agency"],
                  "jti": uuid.uuid4().hex, "iat": now, "exp": now + self.lifetime,
                  **({"sid": session_id} if session_id else {})}
        return {"access_token": jwt.encode(claims, self.key, algorithm=ALGORITHM), "token_type": "Bearer",
                "expires_in": int(self.lifetime.total_seconds())}

    def actor(self, authorization: str | None) -> dict:
        """The actor a request's ``Authorization`` header proves, or a 401 problem."""
        return self.actor_of(self.claims(authorization))

    def claims(self, authorization: str | None) -> dict:
        """The claims of a request's bearer token, checked, or a 401 problem."""
        scheme, _, token = (authorization or "").partition(" ")
        if not authorization:
            raise problems.unauthenticated("sign in first: POST /auth/token, then send "
                                           "'Authorization: Bearer <token>'", error=None)
        if scheme.lower() != "bearer" or not token.strip():
            raise problems.unauthenticated("send 'Authorization: Bearer <token>'", error="invalid_request")
        try:
            claims = jwt.decode(token.strip(), self.key, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "iat", "iss", "sub"]})
        except jwt.ExpiredSignatureError:
            raise problems.unauthenticated("the token has expired; sign in again") from None
        except jwt.InvalidTokenError:
            raise problems.unauthenticated("the token is not valid; sign in again") from None
        return claims

    @staticmethod
    def actor_of(claims: dict) -> dict:
        try:
            return _ACTOR.load({"user_id": claims["sub"], "role": claims.get("role"),
                                       "agency": claims.get("agency")})
        except ValidationError:
            raise problems.unauthenticated("the token does not name a valid actor; sign in again") from None


class Revocations:
    """The gateway's copy of accounts' revocations (``accounts.revocations``),
    refreshed at most every ``REFRESH_SECONDS`` by the request that finds it old."""

    def __init__(self, clock: Clock = _now, refresh_seconds: float = REFRESH_SECONDS,
                 stale_seconds: float = STALE_SECONDS, fetch: bool = True):
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.stale_seconds = stale_seconds
        self.fetch = fetch
        self.users: dict[str, str] = {}  # user_id -> tokens issued before are refused
        self.tokens: dict[str, str] = {}  # jti -> until
        self.fetched: dt.datetime | None = None
        self._lock = threading.Lock()

    @classmethod
    def none(cls) -> "Revocations":
        """Nothing revoked and never asking: for tests of the HTTP layer alone."""
        return cls(fetch=False)

    def refresh(self, call) -> None:
        if not self.fetch:
            return
        now = self.clock()
        if self.fetched is not None and (now - self.fetched).total_seconds() < self.refresh_seconds:
            return
        with self._lock:
            if self.fetched is not None and (now - self.fetched).total_seconds() < self.refresh_seconds:
                return  # another request just did
            try:
                answer = call("accounts", "revocations", None, None, 2.0)
            except Exception as error:
                log.warning("revocations not refreshed", extra={"error": type(error).__name__})
                if self.fetched is None or (now - self.fetched).total_seconds() > self.stale_seconds:
                    raise problems.unavailable("accounts") from None
                return
            self.users, self.fetched = dict(answer["users"]), now
            self.tokens = {**dict(answer["tokens"]), **{j: u for j, u in self.tokens.items()
                                                         if j not in answer["tokens"] and u > now.isoformat()}}

    def deny(self, jti: str, until: dt.datetime) -> None:
        """A token signed out here: refused at once by this gateway, before the next refresh."""
        self.tokens[jti] = until.astimezone(dt.timezone.utc).isoformat()

    def check(self, claims: dict, call) -> None:
        """A 401 problem when the token was revoked."""
        self.refresh(call)
        if claims.get("jti") in self.tokens:
            raise problems.unauthenticated("this token was signed out; sign in again")
        barred = self.users.get(claims["sub"])
        if barred is not None:
            issued = dt.datetime.fromtimestamp(claims["iat"], dt.timezone.utc)
            if issued <= dt.datetime.fromisoformat(barred) + CLOCK_SKEW:
                raise problems.unauthenticated("this account's tokens were revoked; sign in again")
