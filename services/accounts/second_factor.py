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

import pyotp

REQUIRED_ROLES = frozenset({"coordinator", "auditor", "admin"})


def sample_seed(username: str) -> str:
    """A sample user's published seed (base32, 160 bits): development only."""
    return base64.b32encode(hashlib.sha256(f"sample-totp-{username}".encode()).digest()[:20]).decode()


def new_seed() -> str:
    return pyotp.random_base32(32)


def code(seed: str, at: dt.datetime) -> str:
    return pyotp.TOTP(seed).at(at)


def valid(seed: str, given: str, at: dt.datetime) -> bool:
    """The code of ``at``'s step or the one before or after (clocks drift, people type slowly)."""
    return bool(given) and pyotp.TOTP(seed).verify(given, for_time=at, valid_window=1)


def enrolment_uri(seed: str, username: str) -> str:
    """What an authenticator app scans (as a QR code) or takes typed in."""
    return pyotp.TOTP(seed).provisioning_uri(name=username, issuer_name="jww")
