"""``jww bootstrap-admin USERNAME``: the platform's first admin (WAVE2 7), once.

Run where accounts' store is reachable (its settings, as ``jww serve accounts``
reads them), with or without accounts running. It opens the admin's account and
prints a one-time enrolment code: the admin chooses a password with it
(``POST /auth/enrol``) and receives their authenticator app's seed. From then on
admins open and reset every other account through the API. A second run refuses,
unless it names the same admin who has not enrolled yet (their code ran out).
"""
from __future__ import annotations

import datetime as dt
import sys

from shared import config
from shared.errors import Refused


def bootstrap_admin(args) -> int:
    from services.accounts.application import AccountsApplication

    settings = config.load("accounts")
    app = AccountsApplication(store=settings.store)
    app.enrolment_lifetime = dt.timedelta(hours=float(settings.options["enrolment_hours"]))
    try:
        issued = app.bootstrap_admin(args.username, args.agency)
    except Refused as refused:
        print(f"jww: {refused.message}", file=sys.stderr)
        return 1
    finally:
        app.close()
    print(f"First admin: {issued['username']}. Their one-time enrolment code (until {issued['expires']}):\n\n"
          f"    {issued['enrolment_code']}\n\n"
          f"Hand it over in person; they enrol with POST /auth/enrol (username, enrolment_code, password) and "
          f"scan the seed it answers into their authenticator app.")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("bootstrap-admin", help="name the platform's first admin and print their enrolment code (once)")
    p.add_argument("username")
    p.add_argument("--agency", default="platform", help="the admin's organisation code (default: platform)")
    p.set_defaults(run=bootstrap_admin)
