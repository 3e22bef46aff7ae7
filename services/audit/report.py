"""An export as a report a person reads: the file at both ends of the window, what
changed, who did what, and who read the file or was refused, in plain text with
Brussels times."""
from __future__ import annotations

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def render(export: dict, progress: Callable[[int, int], None] | None = None) -> str:
    facts, reads, by = export["facts"], export["access_log"], export["exported_by"]
    lines = [
        f"Audit report: client {export['client_id']}",
        f"Window: after {when(export['since'])} up to and including {when(export['until'])}",
        f"Exported {when(export['exported_at'])} by {by['user_id']} ({by['role']}, {by['agency']})",
        f"Purpose: {purpose(export)}",
        "",
        f"What changed in the file ({_count(export['changes'], 'field')})",
    ]
    lines += [change(c) for c in export["changes"]] or ["  nothing"]
    lines += ["", f"What was done ({_count(facts, 'fact')}, in causal order)"]
    for done, entry in enumerate(facts, 1):
        lines.append(fact(entry))
        if progress is not None:
            progress(done, len(facts))
    if not facts:
        lines.append("  nothing")
    refused = [r for r in reads if r["outcome"] == "refused"]
    tally = _count([r for r in reads if r["outcome"] != "refused"], "read")
    if refused:
        tally += ", " + _count(refused, "refused attempt")
    lines += ["", f"Who read the file ({tally})"]
    lines += [read(r) for r in reads] or ["  nobody"]
    lines += ["", "File at the start of the window", *outline(export["file_at_since"], "  "),
              "", "File at the end of the window", *outline(export["file_at_until"], "  ")]
    return "\n".join(lines) + "\n"


def when(iso: str) -> str:
    """An instant as people in Brussels read it."""
    return dt.datetime.fromisoformat(iso).astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M:%S %Z")


def fact(entry: dict) -> str:
    who = f"{entry['actor']} ({entry['actor_role']})" if entry["actor"] else "the platform"
    what = entry["type"].split(".")[3].replace("-", " ")
    return f"  {when(entry['time'])}  {entry['source']:<13} {what:<30} by {who} at {entry['agency'] or '-'}"


def read(entry: dict) -> str:
    """A line of the access log: a read and its purpose, or a refused attempt and the rule that refused it."""
    outcome = f"REFUSED ({entry['rule'].replace('_', ' ')})" if entry["outcome"] == "refused" else purpose(entry)
    return (f"  {when(entry['at'])}  {entry['reader']} ({entry['role']}, {entry['agency']}) via {entry['service']} "
            f"{entry['query']}: {outcome}")


def purpose(entry: dict) -> str:
    """The purpose's code, and what the reader added where it is known here."""
    detail = entry.get("purpose_detail")
    return f"{entry['purpose'].replace('_', ' ')} ({detail})" if detail else entry["purpose"].replace("_", " ")


def change(entry: dict) -> str:
    return f"  {entry['field']}: {_value(entry['before'])} -> {_value(entry['after'])}"


def outline(value: dict, indent: str) -> list[str]:
    lines = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(f"{indent}{key}:" + ("" if item else " -"))
            lines += outline(item, indent + "  ")
        else:
            lines.append(f"{indent}{key}: {_value(item)}")
    return lines


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _value(value) -> str:
    return "-" if value is None or value == [] else str(value)
