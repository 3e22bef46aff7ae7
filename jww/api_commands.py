"""``jww login`` and the commands that drive the platform through its HTTP API
(the gateway), as a caseworker's tools would:

    jww login USERNAME [--url URL] [--totp CODE]
                                        sign in; the token is kept in a file only you can read
    jww logout                          forget the token
    jww api METHOD PATH [--data JSON]   any route of the API (see /openapi.json)
    jww register-client ...             the main flows, one command each
    jww give-consent CLIENT ...
    jww accept-intake CLIENT --worker USER
    jww record-intervention CLIENT ...
    jww propose-referral CLIENT ...
    jww send-referral REFERRAL

Where the API and the token are: see ``jww.api_client``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
import urllib.error

from jww.api_client import DEFAULT_URL, ApiError, call, save_login, token_file
from jww.options import add_options, body_from
from shared.contracts import guidance


def login(args) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    url = args.url or os.environ.get("JWW_API_URL") or DEFAULT_URL
    body = {"username": args.username, "password": password, **({"totp": args.totp} if args.totp else {})}
    _, _, answer = call("POST", "/auth/token", body, url=url, token="")
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=answer["expires_in"])
    save_login({"url": url, "username": args.username, "token": answer["access_token"], "expires": expires.isoformat()})
    print(f"Signed in to {url} as {args.username} until {expires:%H:%M} UTC (token in {token_file()}).")
    return 0


def logout(args) -> int:
    token_file().unlink(missing_ok=True)
    print("Signed out.")
    return 0


def api(args) -> int:
    body = json.loads(args.data) if args.data else None
    headers = {"If-Match": args.if_match} if args.if_match else {}
    status, response_headers, answer = call(args.method, args.path, body, headers=headers)
    if args.include:
        print(status, file=sys.stderr)
        for name in ("ETag", "Link", "X-Correlation-ID"):
            if response_headers.get(name):  # case-insensitive
                print(f"{name}: {response_headers.get(name)}", file=sys.stderr)
    _show(answer)
    return 0


def register_client(args) -> int:
    body = {"given_names": args.given_names, "family_name": args.family_name, "birth_date": args.birth_date,
            "legal_position": args.legal_position, "situation": args.situation, "languages": args.language,
            "preferred_language": args.preferred_language or args.language[0],
            "interpreter_needed": args.interpreter_needed}
    if args.national_number:
        body["national_number"] = args.national_number
    return _send("POST", "/clients", body)


def give_consent(args) -> int:
    return _send("POST", f"/clients/{args.client}/consents",
                 {"recipient": args.recipient, "purpose": args.purpose, "scope": args.scope,
                  "share_history": args.share_history})


def accept_intake(args) -> int:
    body = {"worker": args.worker}
    if args.interpreter:
        language, _, kind = args.interpreter.partition(":")
        body["interpreter"] = {"language": language, "kind": kind or "telephone"}
    return _send("POST", f"/clients/{args.client}/acceptance", body)


def record_intervention(args) -> int:
    return _send("POST", f"/trajectories/{args.client}/interventions", body_from(args), args.if_match)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def propose_referral(args) -> int:
    return _send("POST", f"/clients/{args.client}/referrals",
                 {"partner": args.partner, "domains": args.domain, "reason": args.reason})


def send_referral(args) -> int:
    return _send("POST", f"/referrals/{args.referral}/steps", {"step": "sent"})


def _send(method: str, path: str, body: dict, if_match: str | None = None) -> int:
    _, _, answer = call(method, path, body, headers={"If-Match": if_match} if if_match else None)
    _show(answer)
    return 0


def _show(answer) -> None:
    print(json.dumps(answer, indent=2, ensure_ascii=False))


def run(args) -> int:
    try:
        return args.api_command(args)
    except ApiError as error:
        problem = error.problem
        print(f"jww: {error.status} {problem.get('title', '')}: {problem.get('detail', '')}".rstrip(": "),
              file=sys.stderr)
        for field, reasons in (problem.get("errors") or {}).items():
            print(f"  {field}: {'; '.join(reasons)}", file=sys.stderr)
        if error.status == 401:
            print("  sign in (again) with: jww login USERNAME", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"jww: the API is not reachable ({error.reason}); is `make run` going?", file=sys.stderr)
        return 1
    except ValueError as error:  # --data that is not JSON
        print(f"jww: {error}", file=sys.stderr)
        return 2


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("login", help="sign in to the HTTP API; the token is kept in a file only you can read")
    p.add_argument("username")
    p.add_argument("--url", help=f"the API's address (default $JWW_API_URL or {DEFAULT_URL})")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--totp", help="your authenticator app's code (coordinators, auditors, admins)")
    p.set_defaults(run=run, api_command=login)
    sub.add_parser("logout", help="forget the API token").set_defaults(run=run, api_command=logout)

    p = sub.add_parser("api", help="call any route of the HTTP API (see /openapi.json)")
    p.add_argument("method", type=str.upper, choices=("GET", "POST", "PUT", "DELETE"))
    p.add_argument("path", help="e.g. /clients/<client id>")
    p.add_argument("--data", help="the JSON body")
    p.add_argument("--if-match", help="the ETag of the record as you read it")
    p.add_argument("-i", "--include", action="store_true", help="also print the status and useful headers")
    p.set_defaults(run=run, api_command=api)

    p = sub.add_parser("register-client", help="register a client (through the API)")
    p.add_argument("--given-names", required=True)
    p.add_argument("--family-name", required=True)
    p.add_argument("--birth-date", required=True, help="YYYY-MM-DD")
    p.add_argument("--national-number")
    p.add_argument("--legal-position", required=True, choices=("suspect", "convicted", "interned"))
    p.add_argument("--situation", required=True, help="e.g. probation, conditional_release")
    p.add_argument("--language", action="append", required=True, help="a language spoken (repeat)")
    p.add_argument("--preferred-language")
    p.add_argument("--interpreter-needed", action="store_true")
    p.set_defaults(run=run, api_command=register_client)

    p = sub.add_parser("give-consent", help="record a client's consent for a recipient and purpose")
    p.add_argument("client")
    p.add_argument("--recipient", required=True, help="an agency or partner code")
    p.add_argument("--purpose", required=True, help="e.g. referral, transfer, family_involvement")
    p.add_argument("--scope", action="append", required=True,
                   help="a data category that may be shared, e.g. identity, help_request (repeat)")
    p.add_argument("--share-history", action="store_true",
                   help="the recipient may receive what was recorded before the consent too")
    p.set_defaults(run=run, api_command=give_consent)

    p = sub.add_parser("accept-intake", help="accept a client's intake and assign a worker (coordinator)")
    p.add_argument("client")
    p.add_argument("--worker", required=True)
    p.add_argument("--interpreter", help="LANGUAGE[:telephone|present] when the worker needs one")
    p.set_defaults(run=run, api_command=accept_intake)

    p = sub.add_parser("record-intervention", help="record an intervention in a client's trajectory "
                       "(--at: ISO 8601 with a time zone, default now; --place: default office)")
    p.add_argument("client")
    add_options(p, guidance.RecordIntervention, defaults={"at": _now, "place": lambda: "office"})
    p.add_argument("--if-match", help="the trajectory's ETag as you read it")
    p.set_defaults(run=run, api_command=record_intervention)

    p = sub.add_parser("propose-referral", help="propose a referral of a client to a partner")
    p.add_argument("client")
    p.add_argument("--partner", required=True)
    p.add_argument("--domain", action="append", required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(run=run, api_command=propose_referral)

    p = sub.add_parser("send-referral", help="send a proposed referral to its partner (under the client's consent)")
    p.add_argument("referral")
    p.set_defaults(run=run, api_command=send_referral)
