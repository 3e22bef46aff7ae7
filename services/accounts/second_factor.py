"""The second factor: time-based one-time passwords (RFC 6238, 30-second steps, six
digits, SHA-1: what authenticator apps do), required of the roles that see most or
may most (coordinators, auditors, admins), optional for the others (an account with a
seed enrolled must give its code).

Sample users get known seeds (``sample_seed``), so that development and the README's
walk-throughs can compute the code: ``jww totp USER``.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

import pyotp

REQUIRED_ROLES = frozenset({"coordinator", "auditor", "admin"})


def sample_seed(username: str) -> str:
    """A sample user's published seed (base32, 160 bits): development only."""
    return base64.b32encode(hashlib.sha256(f"sample-totp-{username}".encode()).digest()[:20]).decode()


def new_seed() -> str:
    return pyotp.random_base32(32)


def enrolment_code() -> str:
    """A one-time enrolment code an admin hands over (by phone, on paper): 20
    characters of an alphabet without look-alikes, in groups of four (100 bits)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i:i + 4] for i in range(0, 20, 4))


def code(seed: str, at: dt.datetime) -> str:
    return pyotp.TOTP(seed).at(at)


def valid(seed: str, given: str, at: dt.datetime) -> bool:
    """The code of ``at``'s step or the one before or after (clocks drift, people type slowly)."""
    return bool(given) and pyotp.TOTP(seed).verify(given, for_time=at, valid_window=1)


def enrolment_uri(seed: str, username: str) -> str:
    """What an authenticator app scans (as a QR code) or takes typed in."""
    return pyotp.TOTP(seed).provisioning_uri(name=username, issuer_name="jww")
