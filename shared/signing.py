"""Signatures on integration events: JWS with a detached, unencoded payload (RFC 7515
appendix F, RFC 7797), algorithm Ed25519 (RFC 9864's name for EdDSA over Ed25519),
over the RFC 8785 canonical JSON of the attributes that say what happened (WAVE2 6). The compact form ``header..signature``
travels in the CloudEvents extension attribute ``jwwsignature``; the header names
the key (``kid``), so a partner on another stack verifies with stock JOSE tools and
the public keys of the JWKS document.
"""
from __future__ import annotations

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared import jws
from shared.keys import SigningKey

ATTRIBUTE = "jwwsignature"
# What a signature covers: which event, from whom, about whom, when, where in the
# publisher's log, and what it says. Delivery details (routing) are not covered.
SIGNED = ("id", "source", "type", "subject", "time", "jwwposition", "data")


class BadSignature(Exception):
    """The event is unsigned, or its signature does not hold; the message says which."""


def signed_content(event: dict) -> bytes:
    """The bytes a signature covers: the signed attributes as RFC 8785 canonical JSON."""
    return rfc8785.dumps({name: event.get(name) for name in SIGNED})


def _header(kid: str) -> str:
    # b64=false: the payload is signed as it is, not base64url-encoded (RFC 7797).
    return jws.header(b64=False, crit=["b64"], kid=kid)


def sign(event: dict, key: SigningKey) -> dict:
    """``event`` (a JSON-ready envelope) with its signature attribute."""
    header = _header(key.kid)
    signature = key.sign(header.encode() + b"." + signed_content(event))
    return {**event, ATTRIBUTE: f"{header}..{jws.b64url(signature)}"}


def verify(event: dict, keys: dict[str, Ed25519PublicKey]) -> str:
    """Check ``event``'s signature against the publisher's keys (by id); returns the
    key id that signed it, or raises BadSignature."""
    compact = event.get(ATTRIBUTE)
    if compact is None:
        raise BadSignature("unsigned")
    try:
        header_text, header, payload, signature = jws.split(compact)
    except jws.Malformed as error:
        raise BadSignature(f"malformed signature: {error}") from None
    if payload or header.get("b64") is not False or header.get("crit") != ["b64"]:
        raise BadSignature("not a detached Ed25519 signature")
    key = keys.get(header.get("kid"))
    if key is None:
        raise BadSignature("signed with an unknown key")
    try:
        key.verify(signature, header_text.encode() + b"." + signed_content(event))
    except InvalidSignature:
        raise BadSignature("the signature does not hold") from None
    return header["kid"]
