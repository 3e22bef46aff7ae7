"""The auditor's commands of ``jww``: timeline, replay, changes and export.

They ask the platform's HTTP API as the signed-in auditor (``jww login``): who
reads is the identity the API vouches for, never a name given on the command line,
and each read is recorded in the client's chained stream with its purpose. A JSON
export is kept as audit signed it (``jww verify-export FILE``); the text report is
written here from the same export.

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
import json
import sys
from pathlib import Path
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from jww import api_commands
from shared.contracts.base import READ_PURPOSES

# The parser is built for every `jww` command, `jww serve` included, which must
# patch for eventlet before the store's modules load: those load in run(), the
# report too (it reads the answer schema), when read() shows an answer. Brussels, as the report shows it.
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
        p.set_defaults(run=api_commands.run, api_command=read)
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


def read(args: argparse.Namespace) -> int:
    """One query as the signed-in user; refusals are shown by ``api_commands.run``."""
    from jww.api_client import call

    query = {"purpose": args.purpose}
    if args.purpose_detail:
        query["purpose_detail"] = args.purpose_detail
    query.update({k: getattr(args, k) for k in ("since", "until", "at") if getattr(args, k, None) is not None})
    _, _, answer = call("GET", f"/audit/clients/{quote(args.client_id, safe='')}/{args.command}?{urlencode(query)}")
    text = _as_text(args, answer)
    if getattr(args, "out", None):
        args.out.write_text(text)
        print(f"written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


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
