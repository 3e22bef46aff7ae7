"""The auditor's commands of ``jww``: timeline, replay, changes and export.

They open the audit service's store directly (its settings as ``jww serve audit``
uses them), so an auditor can work while the platform is down; each read is
recorded in the client's chained stream like a read over RPC.

    jww timeline CLIENT --purpose P [--since T] [--until T] [--json]
    jww replay CLIENT --at T --purpose P [--json]
    jww changes CLIENT --since T --until T --purpose P [--json]
    jww export CLIENT --since T --until T --purpose P [--format json|text] [--out FILE]

An instant is ISO 8601 (``2026-11-29T14:30+01:00``); without an offset it is
Brussels time, and a bare date is its midnight in Brussels.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from shared import config
from shared.contracts.base import READ_PURPOSES

# The parser is built for every `jww` command, `jww serve` included, which must
# patch for eventlet before the store's modules load: those load in run(), the
# report too (it reads the file's answer schema). Brussels, as the report shows it.
BRUSSELS = ZoneInfo("Europe/Brussels")


def instant(text: str) -> str:
    """An instant for the contracts (ISO 8601 with an offset), or a clear refusal."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date or instant: use ISO 8601, e.g. 2026-11-29 or 2026-11-29T14:30+01:00"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=BRUSSELS)
    return value.isoformat()


def add_commands(sub) -> None:
    def query(name: str, text: str):
        p = sub.add_parser(name, help=text)
        p.add_argument("client_id", metavar="CLIENT", help="the client's id (a UUID)")
        p.add_argument("--purpose", required=True, choices=READ_PURPOSES,
                       help="why you read this file; recorded with your read")
        p.add_argument("--purpose-detail", default="",
                       help="a reference for the purpose (a file number); kept with your read, never published")
        p.add_argument("--auditor", default=getpass.getuser(), help="your user id (default: your login name)")
        p.add_argument("--agency", default="platform", help="your organisation (default: platform)")
        p.set_defaults(run=run)
        return p

    p = query("timeline", "who did what, when, in which agency, and who read the file")
    p.add_argument("--since", type=instant, help="only after this instant")
    p.add_argument("--until", type=instant, help="only up to this instant")
    p.add_argument("--json", action="store_true", help="print JSON instead of lines")
    p = query("replay", "the client's file as it stood at an instant, rebuilt from the stored facts")
    p.add_argument("--at", type=instant, required=True, help="the instant")
    p.add_argument("--json", action="store_true", help="print JSON instead of an outline")
    p = query("changes", "what changed in the file between two instants, and the facts that changed it")
    p.add_argument("--since", type=instant, required=True)
    p.add_argument("--until", type=instant, required=True)
    p.add_argument("--json", action="store_true", help="print JSON instead of lines")
    p = query("export", "a client's history over a time window, as JSON or as a readable report")
    p.add_argument("--since", type=instant, required=True)
    p.add_argument("--until", type=instant, required=True)
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.add_argument("--out", type=Path, help="write to this file instead of standard output")


def run(args: argparse.Namespace) -> int:
    from shared.contracts import audit as contracts
    from shared.contracts import validate_command
    from shared.errors import Refused

    payload = {"actor": {"user_id": args.auditor, "role": "auditor", "agency": args.agency},
               "client_id": args.client_id, "purpose": args.purpose, "purpose_detail": args.purpose_detail}
    payload.update({k: getattr(args, k) for k in ("since", "until", "at") if getattr(args, k, None) is not None})
    try:
        data = validate_command(getattr(contracts, args.command.capitalize()), payload)
    except Refused as refused:
        return _refused(refused)
    app = open_store()
    if app is None:
        return 1
    try:
        answer = getattr(app, args.command)(**data)
    except Refused as refused:
        return _refused(refused)
    finally:
        app.close()
    text = _as_text(args, answer)
    if getattr(args, "out", None):
        args.out.write_text(text)
        print(f"written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def open_store():
    from services.audit.application import AuditApplication

    settings = config.load("audit")
    try:
        return AuditApplication(store=settings.store)
    except Exception as error:
        print(f"jww: cannot open the audit store ({describe(settings.store)}): {type(error).__name__}",
              file=sys.stderr)
        return None


def describe(store) -> str:
    if store.kind == "sqlite":
        return f"SQLite file {store.sqlite_path}"
    return f"PostgreSQL database {store.postgres_dbname} at {store.postgres_host}:{store.postgres_port}"


def _refused(refused) -> int:
    print(f"jww: {refused.message}", file=sys.stderr)
    for field, reasons in refused.details.items():
        print(f"  {field}: {'; '.join(reasons)}", file=sys.stderr)
    return 1


def _as_text(args: argparse.Namespace, answer: dict) -> str:
    from services.audit import report
    from jww.progress import Bar

    if args.command == "export":
        if args.format == "json":
            return json.dumps(answer, indent=2, ensure_ascii=False) + "\n"
        bar = Bar("writing the report")
        text = report.render(answer, bar)
        bar.close()
        return text
    if args.json:
        return json.dumps(answer, indent=2, ensure_ascii=False) + "\n"
    if args.command == "replay":
        return "\n".join([f"File of client {answer['client_id']} at {report.when(answer['at'])} "
                          f"({answer['facts']} facts)", *report.file_outline(answer["file"])]) + "\n"
    lines = []
    if args.command == "changes":
        lines += [f"What changed in the file, item by item ({len(answer['changes'])}):"]
        lines += [report.change(c) for c in answer["changes"]] or ["  nothing changed"]
        lines.append("")
    lines += [report.fact(f) for f in answer["facts" if args.command == "changes" else "entries"]]
    if args.command == "timeline":
        lines += ["", "Who read the file:", *(report.read(r) for r in answer["access_log"])]
    return "\n".join(lines) + "\n"
