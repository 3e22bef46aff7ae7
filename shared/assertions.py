"""Actor assertions: who a service believes is calling, and nothing else (DESIGN §2).

The gateway turns a verified bearer token into a short-lived assertion signed with
its own key (``gateway-actors``); a follower pulling from its upstream signs one
with its service's key (``<service>-actors``) as that service's system actor. It
is a compact JWS (RFC 7515, alg Ed25519, ``kid`` = the key's RFC 7638 thumbprint)
whose claims name the actor, the one RPC it is for (``aud`` = ``service.method``),
its life (``iat``/``exp``), a unique ``jti``, the correlation id (data, not a
replay key) and the SHA-256 of the RFC 8785 canonical JSON of the payload as sent.
It travels in nameko's context data, beside the payload it vouches for.

A service holds only the public keys. ``Verifier.verify`` refuses with a reason
code (``Unauthenticated.reason``, safe for a log line: no personal data) a call
without an assertion, with a bad signature, for another RPC, out of its life, or
whose payload is not the one signed. Replays (the same ``jti`` in another message)
are caught against the service's store (``shared.replays``).
"""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Callable

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from kombu.utils import json as kombu_json

from shared import jws, keys
from shared.errors import InvalidInput, Unauthenticated

ASSERTION_KEY = "jww_actor"  # nameko context data: the caller's assertion, for one call
GATEWAY = "gateway"
SYSTEM_ROLE = "system"
# What a system actor (a follower; a health probe) may call; a person calls anything else.
SYSTEM_METHODS = frozenset({"health", "integration_events", "access_events",
                            # The gateway's own calls to accounts (sign-in, WAVE2 7): no person yet.
                            "sign_in", "refresh", "sign_out", "revocations", "enrol",
                            # Whose calendar feed a secret address opens (issue 20): no one signed in.
                            "calendar_feed_owner"})
LIFETIME_SECONDS = 60
# Assertions are made per call, so one that claims a longer life was not made here.
LONGEST_LIFE_SECONDS = 300
CLOCK_SKEW_SECONDS = 5
TYPE = "jww-actor+jwt"


def system_actor(holder: str) -> dict:
    """The named system actor of a process kind (a service, the gateway)."""
    return {"user_id": f"system:{holder}", "role": SYSTEM_ROLE, "agency": "platform"}


def payload_digest(args, kwargs) -> str:
    """SHA-256 of the payload as it travels: nameko's JSON (kombu's, which tags dates
    and ids) read back as plain JSON, in RFC 8785 canonical form, so the caller
    and the service hash the very same bytes."""
    sent = json.loads(kombu_json.dumps({"args": list(args), "kwargs": dict(kwargs)}))
    try:
        canonical = rfc8785.dumps(sent)
    except rfc8785.CanonicalizationError:
        # A number JSON cannot carry exactly (beyond 2**53): no contract takes one.
        raise InvalidInput("a number in the request is too large", {"_schema": ["a number is out of range"]}) from None
    return jws.b64url(hashlib.sha256(canonical).digest())




@dataclass(frozen=True)
class Claims:
    issuer: str
    actor: dict
    jti: str
    audience: str
    correlation_id: str


class Signer:
    """Makes the assertions of one holder (``gateway`` or a service) with its key."""

    def __init__(self, holder: str, key: keys.SigningKey | None = None,
                 clock: Callable[[], float] = time.time, lifetime: int = LIFETIME_SECONDS):
        self.holder = holder
        self.key = key or keys.signing_key(keys.actors_key_name(holder))
        self.clock = clock
        self.lifetime = lifetime
        self._header = jws.header(kid=self.key.kid, typ=TYPE)

    def assertion(self, actor: dict, service: str, method: str, args=(), kwargs=None,
                  correlation_id: str = "") -> str:
        now = int(self.clock())
        claims = {
            "iss": self.holder, "sub": actor["user_id"], "role": actor["role"], "agency": actor["agency"],
            "aud": f"{service}.{method}", "jti": uuid.uuid4().hex, "iat": now, "exp": now + self.lifetime,
            "cid": correlation_id, "pld": payload_digest(args, kwargs or {}),
        }
        signing_input = f"{self._header}.{jws.b64url(rfc8785.dumps(claims))}"
        return f"{signing_input}.{jws.b64url(self.key.sign(signing_input.encode()))}"


class Verifier:
    """Checks assertions against the public keys of the gateway and of every service."""

    def __init__(self, holders: list[str] | None = None, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.keys: dict[str, tuple[str, Ed25519PublicKey]] = {}
        for holder in holders if holders is not None else keys.actor_holders():
            for kid, public in keys.public_keys(keys.actors_key_name(holder)).items():
                self.keys[kid] = (holder, public)

    def verify(self, token, service: str, method: str, args=(), kwargs=None, redelivered: bool = False) -> Claims:
        """The claims of ``token`` for this call, or ``Unauthenticated`` with a reason.

        A message the broker delivers again keeps its assertion, which may have
        expired meanwhile: its life is not checked then, so the request goes on to
        the once path (``shared.once``) and gets its first outcome, not a 401. The
        broker alone sets that flag; a copy published anew never carries it."""
        if not token:
            raise _refused("missing")
        issuer, claims = self._signed(token)
        if claims.get("iss") != issuer:
            raise _refused("wrong-issuer")
        if claims.get("aud") != f"{service}.{method}":
            raise _refused("wrong-audience")
        if claims.get("pld") != payload_digest(args, kwargs or {}):
            raise _refused("payload-mismatch")
        actor = {"user_id": claims.get("sub"), "role": claims.get("role"), "agency": claims.get("agency")}
        if not all(isinstance(value, str) and value for value in actor.values()) or not claims.get("jti"):
            raise _refused("malformed")
        _check_kind(issuer, actor, method)
        if not redelivered:
            self._check_life(claims)
        named = args[0].get("actor") if args and isinstance(args[0], dict) else None
        if named is not None and named != actor:
            raise _refused("actor-mismatch")
        return Claims(issuer, actor, str(claims["jti"]), claims["aud"], str(claims.get("cid") or ""))

    def _signed(self, token) -> tuple[str, dict]:
        try:
            header_text, header, claims_text, signature = jws.split(token)
        except jws.Malformed:
            raise _refused("malformed") from None
        if header.get("typ") != TYPE:
            raise _refused("malformed")
        found = self.keys.get(header.get("kid"))
        if found is None:
            raise _refused("unknown-key")
        issuer, public = found
        try:
            public.verify(signature, f"{header_text}.{claims_text}".encode())
        except InvalidSignature:
            raise _refused("bad-signature") from None
        try:
            claims = json.loads(jws.unb64url(claims_text))
        except (ValueError, UnicodeDecodeError):
            raise _refused("malformed") from None
        if not isinstance(claims, dict):
            raise _refused("malformed")
        return issuer, claims

    def _check_life(self, claims: dict) -> None:
        issued, expires = claims.get("iat"), claims.get("exp")
        if not isinstance(issued, int) or not isinstance(expires, int):
            raise _refused("malformed")
        now = self.clock()
        if expires - issued > LONGEST_LIFE_SECONDS:
            raise _refused("too-long-lived")
        if issued > now + CLOCK_SKEW_SECONDS:
            raise _refused("not-yet-valid")
        if expires < now - CLOCK_SKEW_SECONDS:
            raise _refused("expired")


def _check_kind(issuer: str, actor: dict, method: str) -> None:
    """A system actor speaks only for its own holder and only to system methods; a
    person is vouched for by the gateway alone, and calls no system method."""
    if actor["role"] == SYSTEM_ROLE:
        if actor != system_actor(issuer) or method not in SYSTEM_METHODS:
            raise _refused("system-actor-not-allowed")
    elif issuer != GATEWAY or method in SYSTEM_METHODS:
        raise _refused("person-not-allowed")


def _refused(reason: str) -> Unauthenticated:
    return Unauthenticated("the call does not carry a valid actor assertion", {"assertion": [reason]})
