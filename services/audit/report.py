"""An export as a report a person reads: the file at both ends of the window, what
changed, who did what, and who read the file or was refused, in plain text with
Brussels times."""
from __future__ import annotations

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

from marshmallow import fields

from shared.contracts.audit_answers import AuditFile

from services.audit.replay import ITEMS as ITEM_IDS

BRUSSELS = ZoneInfo("Europe/Brussels")


def render(export: dict, progress: Callable[[int, int], None] | None = None) -> str:
    facts, reads, by = export["facts"], export["access_log"], export["exported_by"]
    lines = [
        f"Audit report: client {export['client_id']}",
        f"Window: after {when(export['since'])} up to and including {when(export['until'])}",
        f"Exported {when(export['exported_at'])} by {by['user_id']} ({by['role']}, {by['agency']})",
        f"Purpose: {purpose(export)}",
        "",
        f"What changed in the file ({_count(export['changes'], 'change')}, item by item)",
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
    lines += ["", "File at the start of the window", *file_outline(export["file_at_since"]),
              "", "File at the end of the window", *file_outline(export["file_at_until"])]
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


# -- the file, by section -----------------------------------------------------------------

# What the outline shows of a record elsewhere than among its fields: when and by whom
# (the line's start and end) and what was erased (at each field it names).
AROUND = ("recorded", "by", "erased")
# Each section of the file: its title, where it is, and its lists of items; a section
# with a record of its own (intake, trajectory) shows that record's fields first.
SECTIONS = (
    ("Intake", "intake", (("Help requests", "help_requests"), ("Decisions", "decisions"), ("Consents", "consents"))),
    ("Trajectory", "trajectory", (
        ("Plan, as agreed and reviewed", "plan_history"), ("Goal outcomes", "goal_outcomes"),
        ("Interventions", "interventions"),
        ("Psychologist recommendations", "psychologist_recommendations"), ("Conditions", "conditions"),
        ("Appointments", "appointments"), ("Network", "network"), ("Procedures", "procedures"),
        ("Continuity gaps", "continuity_gaps"), ("Attendance certificates", "attendance_certificates"),
        ("Closings", "closings"))),
    ("Referrals", "referrals", None),
    ("Case conferences", "case_conferences", None),
    ("Coordination actors", "coordination_actors", None),
    ("Coordinating agencies", "coordinating_agencies", None),
    ("Notifications", "notifications", None),
    ("Erasure", "erasure", (("Requests", "requests"), ("Legal holds", "legal_holds"),
                            ("Carried out", "carried_out"))),
    ("Facts whose content was erased", "facts_erased", None),
)


# What a section's record says that its items repeat, shown once.
RESTATED = {"trajectory": ("trajectory_id", "agency")}


def _instants(schema, found: set[str] | None = None) -> set[str]:
    """The names of the fields that hold an instant anywhere in the file's answer
    schema, to show them in Brussels time (dates are shown as they are)."""
    found = set() if found is None else found
    for name, field in schema._declared_fields.items():
        inner = getattr(field, "inner", field)
        if isinstance(inner, fields.AwareDateTime):
            found.add(name)
        nested = getattr(inner, "nested", None)
        if nested is not None:
            _instants(nested, found)
    return found


INSTANTS = _instants(AuditFile)


def file_outline(file: dict, indent: str = "  ") -> list[str]:
    """The file as a person reads it: each section, its record's fields, then each
    list of items with their number, an item a line (when, its id, what its fact
    said, by whom), the later facts about it on lines below. What the section's
    trajectory says already (which trajectory, its agency) is not repeated on its
    items; an item of an earlier trajectory (before a transfer) names its own."""
    lines = []
    for title, path, lists in SECTIONS:
        part = file[path]
        if lists is None:
            lines += _items(title, path, part, indent, {})
            continue
        lines.append(f"{indent}{title}")
        own = {name: value for name, value in part.items() if name not in {p for _, p in lists}}
        erased = set(own.pop("erased", None) or ())
        if own and all(value in (None, []) for value in own.values()) and not erased:
            lines.append(f"{indent}  nothing yet")
        else:
            lines += [f"{indent}  {_label(name)}: {_shown(name, value, erased)}" for name, value in own.items()]
        for list_title, list_path in lists:
            said = {name: own[name] for name in RESTATED.get(path, ()) if own.get(name) is not None}
            lines += _items(list_title, f"{path}.{list_path}", part[list_path], indent + "  ", said)
    return lines


def _items(title: str, path: str, items: list[dict], indent: str, said: dict) -> list[str]:
    lines = [f"{indent}{title} ({len(items)})" if items else f"{indent}{title}: none"]
    key = ITEM_IDS.get(path)
    for item in items:
        lines += _item(item, key, indent + "  ", said)
    return lines


def _item(item: dict, key: str | None, indent: str, said: dict) -> list[str]:
    """An item: its line, then its parts (a referral's steps, a condition's supports)."""
    parts = {name: value for name, value in item.items() if _is_records(value)}
    same = {name for name, value in item.items() if name in said and said[name] == value}
    named = f"{_label(key)} {item[key]}: " if key else ""
    lines = [f"{indent}{when(item['recorded'])}  {named}{_fields(item, skip={key, *parts, *same})}{_by(item)}"]
    for name, value in parts.items():
        for part in value if isinstance(value, list) else [value]:
            lines.append(f"{indent}    {_label(name)}: {when(part['recorded'])}  {_fields(part)}{_by(part)}")
    return lines


def _is_records(value) -> bool:
    """A later fact about an item (a record of its own) or a list of them."""
    if isinstance(value, list):
        return bool(value) and isinstance(value[0], dict) and "recorded" in value[0]
    return isinstance(value, dict) and "recorded" in value


def _fields(record: dict, skip: set | None = None) -> str:
    """What a record says, field by field; an erased field says so, an empty one is
    left out."""
    erased = set(record.get("erased") or ())
    shown = [f"{_label(name)} {_shown(name, value, erased)}" for name, value in record.items()
             if name not in AROUND and name not in (skip or ()) and (value not in (None, []) or name in erased)]
    return ", ".join(shown) or "-"


def _by(record: dict) -> str:
    return f"; by {record['by']}" if record.get("by") else ("; by the platform" if "by" in record else "")


def _label(name: str) -> str:
    return name.replace("_", " ")


def _shown(name: str, value, erased: set = frozenset()) -> str:
    if name in erased:
        return "(erased)"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"{len(value)} ({', '.join(_fields(v) for v in value)})"
        return ", ".join(_shown(name, v) for v in value) or "-"
    if isinstance(value, dict):
        return _fields(value) if "recorded" in value else ", ".join(f"{_label(k)} {_shown(k, v)}"
                                                                      for k, v in value.items())
    if name in INSTANTS and isinstance(value, str):
        return when(value)
    return str(value)


def change(entry: dict) -> str:
    """A change of the file: what changed where; for an item added (or removed) what
    it says at the end (said at the start), for a change each field's value at both
    ends."""
    where = entry["item"] + (f" {entry['id']}" if entry["id"] is not None else "")
    values, key = entry["fields"], ITEM_IDS.get(entry["item"])
    if entry["change"] in ("added", "removed"):
        end = "after" if entry["change"] == "added" else "before"
        record = {name: value[end] for name, value in values.items()}
        recorded = f"{when(record['recorded'])}  " if record.get("recorded") else ""
        said = recorded + _fields(record, skip={key}) + _by(record)
    else:
        said = "; ".join(f"{_label(n)} {_shown(n, v['before'])} -> {_shown(n, v['after'])}"
                         for n, v in values.items())
    return f"  {entry['change']:<8} {where}: {said}"


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"

