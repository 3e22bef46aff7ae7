"""The worker's agenda over HTTP, and the iCalendar feed of one's own appointments
(issue 20).

``GET /agenda`` merges guidance's items (appointments, contacts, plan reviews,
conditions, documents) with referrals' case-conference actions, sorted by time.

The feed (RFC 5545) is read without signing in, at a secret address the person
turned on (services/accounts/calendar_feed.py); it names no one: each event says
the kind and the actor's code, and the client by an alias (a keyed hash, stable
per client and person, that only this person's feed uses)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Callable
from zoneinfo import ZoneInfo

from marshmallow import RAISE, Schema, fields, validate

PRODUCT = "-//JWW Brussels//Agenda//EN"
FEED_PAST = dt.timedelta(days=30)
FEED_AHEAD = dt.timedelta(days=180)
APPOINTMENT_KINDS = ("appointment", "accompaniment")
LINE_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded


class AgendaRequest(Schema):
    """``?from=&until=&worker=``: this week (Monday to Sunday) by default."""

    class Meta:
        unknown = RAISE

    since = fields.Date(load_default=None, data_key="from")
    until = fields.Date(load_default=None)
    worker = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


def this_week(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def agenda(call: Callable, actor: dict, since: dt.date, until: dt.date, worker: str | None) -> dict:
    """Guidance's agenda and referrals' case-conference actions of the same clients
    (a worker's own; the agency's, or one worker's, for a coordinator)."""
    period = {"from": since.isoformat(), "until": until.isoformat()}
    own = call("guidance", "agenda", {**period, "worker": worker, "actor": actor}, None)
    # A coordinator without a worker: every client of the agency, including those of no open trajectory.
    clients = None if actor["role"] == "coordinator" and worker is None else own["clients"]
    actions = call("referrals", "conference_actions_due", {**period, "client_ids": clients, "actor": actor}, None) \
        if clients is None or clients else []
    items = [*own["items"], *actions]
    items.sort(key=lambda item: (_start(item), item["kind"], item["client_id"]))
    return {**own, "items": items}


def _start(item: dict) -> str:
    """When an item starts, in UTC, so that days (Brussels) and times sort together."""
    if not item["all_day"]:
        return dt.datetime.fromisoformat(item["when"]).astimezone(dt.timezone.utc).isoformat()
    day = dt.date.fromisoformat(item["when"])
    return dt.datetime.combine(day, dt.time(), ZoneInfo("Europe/Brussels")).astimezone(dt.timezone.utc).isoformat()


# -- the iCalendar feed ---------------------------------------------------------------------

def alias(key: str, client_id: str) -> str:
    """The client as this person's feed names them: a keyed hash, not the id."""
    return hmac.new(bytes.fromhex(key), client_id.encode(), hashlib.sha256).hexdigest()[:12]


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a character."""
    encoded = line.encode()
    if len(encoded) <= LINE_OCTETS:
        return line
    parts, start, limit = [], 0, LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # a continuation byte: back off
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # a continuation line starts with a space
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def render(items: list[dict], alias_key: str, now: dt.datetime, host: str) -> str:
    """The appointments as a VCALENDAR, CRLF line ends, folded lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:JWW"]
    for item in items:
        if item["kind"] not in APPOINTMENT_KINDS:
            continue
        what = item["what"]
        client = alias(alias_key, item["client_id"])
        summary = f"{item['kind']}: {what['with_actor']} ({client})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{what['appointment_id']}-{client}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(dt.datetime.fromisoformat(item['when']))}",
            f"SUMMARY:{escape(summary)}",
            f"CATEGORIES:{escape(item['kind'])}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def parse(text: str) -> list[dict[str, str]]:
    """An iCalendar text back into its components' properties (unfolded, unescaped):
    what the tests read a feed with, as a calendar app would."""
    if "\n" in text.replace("\r\n", ""):
        raise ValueError("a line ends without CRLF")
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    components, current = [], None
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        name, _, value = line.partition(":")
        if name == "BEGIN":
            current = {"BEGIN": value}
            components.append(current)
        elif current is not None and name != "END":
            current[name] = _unescape(value)
    return components


def _unescape(value: str) -> str:
    out, chars = [], iter(value)
    for c in chars:
        if c == "\\":
            nxt = next(chars, "")
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(c)
    return "".join(out)


def feed(call: Callable, owner: dict, now: dt.datetime, host: str) -> str:
    """The owner's own appointments from 30 days back to 180 ahead."""
    actor = owner["actor"]
    today = now.date()
    worker = actor["user_id"] if actor["role"] == "coordinator" else None  # a coordinator's own, not the agency's
    found = call("guidance", "agenda", {"from": (today - FEED_PAST).isoformat(),
                                        "until": (today + FEED_AHEAD).isoformat(), "worker": worker,
                                        "actor": actor}, None)
    return render(found["items"], owner["alias_key"], now, host)
