"""Signing in as a sample user (deploy/accounts/sample-users.json): the password is
``sample-<username>``, and coordinators, auditors and admins give their authenticator
app's code, from their published sample seed (what ``jww totp USER`` prints)."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from services.accounts import second_factor
from shared.config import DEPLOY_DIR


@lru_cache(maxsize=1)
def _seeds() -> dict[str, str]:
    users = json.loads((DEPLOY_DIR / "accounts" / "sample-users.json").read_text())["users"]
    return {u["username"]: u["totp_seed"] for u in users if u.get("totp_seed")}


def totp(username: str, at: dt.datetime | None = None) -> str:
    """The sample user's current code ("" for one without a second factor)."""
    seed = _seeds().get(username)
    return second_factor.code(seed, at or dt.datetime.now(dt.timezone.utc)) if seed else ""


def credentials(username: str, at: dt.datetime | None = None) -> dict:
    """The body of ``POST /auth/token`` for a sample user."""
    code = totp(username, at)
    return {"username": username, "password": f"sample-{username}", **({"totp": code} if code else {})}


def sign_in(url: str, username: str) -> str:
    """A bearer token for a sample user from the running gateway at ``url``."""
    from tests.support.platform import http

    status, _, answer = http("POST", url + "/auth/token", credentials(username))
    assert status == 200, answer
    return answer["access_token"]
