"""The JWS compact form both our signatures use (RFC 7515): event signatures with a
detached payload (shared/signing.py) and actor assertions (shared/assertions.py),
Ed25519 for both, the key named by its id in the header."""
from __future__ import annotations

import base64
import json


class Malformed(Exception):
    """Not a JWS in compact form, or its header or signature does not decode."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def header(**members) -> str:
    """The encoded protected header, algorithm Ed25519."""
    return b64url(json.dumps({"alg": "Ed25519", **members}, separators=(",", ":")).encode())


def split(compact) -> tuple[str, dict, str, bytes]:
    """``(encoded header, header, encoded payload, signature)`` of an Ed25519 JWS."""
    if not isinstance(compact, str) or compact.count(".") != 2:
        raise Malformed("not a JWS in compact form")
    header_text, payload_text, signature_text = compact.split(".")
    try:
        decoded = json.loads(unb64url(header_text))
        signature = unb64url(signature_text)
    except (ValueError, UnicodeDecodeError):
        raise Malformed("its header or signature does not decode") from None
    if not isinstance(decoded, dict) or decoded.get("alg") != "Ed25519":
        raise Malformed("not an Ed25519 signature")
    return header_text, decoded, payload_text, signature
