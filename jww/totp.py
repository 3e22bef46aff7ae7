"""``jww totp USERNAME``: the current one-time code of a sample user's authenticator
app, for development and the README's walk-throughs (coordinators, auditors and admins
sign in with one). Only a users file marked sample is read: a real user's seed is in
their own authenticator app, never printed here.

    jww totp apo-coord              the code now (six digits)
    jww totp apo-coord --uri        what an authenticator app enrols (otpauth://...)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from shared import config, production


def totp(args) -> int:
    from services.accounts import second_factor

    settings = config.load("accounts")
    path = settings.resolve(settings.options["users"])
    content = json.loads(path.read_text())
    if not content.get("sample") or production.in_production():
        raise config.ConfigError(f"{path} is not sample data: a real user's code is in their own app")
    seeds = {u["username"]: u.get("totp_seed") for u in content["users"]}
    if not seeds.get(args.username):
        print(f"jww: {args.username} has no second factor in {path}", file=sys.stderr)
        return 1
    seed = seeds[args.username]
    print(second_factor.enrolment_uri(seed, args.username) if args.uri
          else second_factor.code(seed, dt.datetime.now(dt.timezone.utc)))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("totp", help="a sample user's current one-time code (development)")
    p.add_argument("username")
    p.add_argument("--uri", action="store_true", help="print the otpauth:// URI an authenticator app enrols")
    p.set_defaults(run=totp)
