"""Signatures on integration events: JWS with a detached, unencoded payload (RFC 7515
appendix F, RFC 7797), algorithm Ed25519 (RFC 9864's name for EdDSA over Ed25519),
over the RFC 8785 canonical JSON of the attributes that say what happened (WAVE2 6). The compact form ``header..signature``
travels in the CloudEvents extension attribute ``jwwsignature``; the header names
the key (``kid``), so a partner on another stack verifies with stock JOSE tools and
the public keys of the JWKS document.
"""
from __future__ import annotations

import base64
import json

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.keys import SigningKey

ATTRIBUTE = "jwwsignature"
# What a signature covers: which event, from whom, about whom, when, where in the
# publisher's log, and what it says. Delivery details (routing) are not covered.
SIGNED = ("id", "source", "type", "subject", "time", "jwwposition", "data")


class BadSignature(Exception):
    """The event is unsigned, or its signature does not hold; the message says which."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_content(event: dict) -> bytes:
    """The bytes a signature covers: the signed attributes as RFC 8785 canonical JSON."""
    return rfc8785.dumps({name: event.get(name) for name in SIGNED})


def _header(kid: str) -> str:
    # b64=false: the payload is signed as it is, not base64url-encoded (RFC 7797).
    return _b64url(json.dumps({"alg": "Ed25519", "b64": False, "crit": ["b64"], "kid": kid},
                              separators=(",", ":")).encode())


def sign(event: dict, key: SigningKey) -> dict:
    """``event`` (a JSON-ready envelope) with its signature attribute."""
    header = _header(key.kid)
    signature = key.sign(header.encode() + b"." + signed_content(event))
    return {**event, ATTRIBUTE: f"{header}..{_b64url(signature)}"}


def verify(event: dict, keys: dict[str, Ed25519PublicKey]) -> str:
    """Check ``event``'s signature against the publisher's keys (by id); returns the
    key id that signed it, or raises BadSignature."""
    compact = event.get(ATTRIBUTE)
    if not isinstance(compact, str) or compact.count(".") != 2:
        raise BadSignature("unsigned")
    header_text, payload, signature_text = compact.split(".")
    try:
        header = json.loads(_unb64url(header_text))
        signature = _unb64url(signature_text)
    except (ValueError, UnicodeDecodeError):
        raise BadSignature("malformed signature") from None
    if payload or header.get("alg") != "Ed25519" or header.get("b64") is not False or header.get("crit") != ["b64"]:
        raise BadSignature("not a detached Ed25519 signature")
    key = keys.get(header.get("kid"))
    if key is None:
        raise BadSignature("signed with an unknown key")
    try:
        key.verify(signature, header_text.encode() + b"." + signed_content(event))
    except InvalidSignature:
        raise BadSignature("the signature does not hold") from None
    return header["kid"]
