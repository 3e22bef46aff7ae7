"""What the campaign proves once the load and the faults are over.

1. Settled: every follower has applied every feed it follows up to the upstream's
   newest published event (so every relay has published and every consumer caught
   up), within a deadline.
2. Effects, per command, read from the stores themselves (not through the API):
   guidance holds the intervention (its note is the command's marker) or the
   appointment (its purpose); audit holds the published fact of each of those
   (``intervention-recorded`` / ``appointment-planned``, by the effect's id);
   notifications holds one "appointment tomorrow" reminder per appointment (due a
   day before the command's unique ``at``), and makes nothing of an intervention.
   - lost: an acknowledged command whose effect a service lacks;
   - doubled: a command whose effect a service holds more than once;
   - ghost: an effect in guidance of a command whose client was never told it was
     done (refused or gave up); a retry that got the stored outcome is an
     acknowledgement, so it is no ghost.
3. Each follower equals a fresh replay: a new in-memory copy of audit and of
   notifications, fed every integration event of their upstreams from the start
   (as tests/support/fakes.Link feeds followers), holds the same records per
   client: audit's timeline entries by event id, notifications' notifications by id.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from typing import Callable

from chaos.load import Command
from shared import config
from shared.messaging import feed_parts
from shared.outbox import Outbox

FOLLOWERS = ("guidance", "referrals", "notifications", "audit", "sharing", "accounts", "intake")
INTERVENTION_FACT = "be.jww.guidance.intervention-recorded"
APPOINTMENT_FACT = "be.jww.guidance.appointment-planned"


def lagging(platform) -> dict[str, int]:
    """Per ``follower<-feed``, how many positions it is behind (only those behind)."""
    behind = {}
    for follower in FOLLOWERS:
        app = platform.application(follower)
        for feed in config.load(follower, platform.env(follower)).follows:
            upstream, stream = feed_parts(feed)
            source = platform.application(upstream)
            newest = Outbox(source).last_published_at_or_before(source.head(), stream)
            applied = app.position_of(feed)
            if applied < newest:
                behind[f"{follower}<-{feed}"] = newest - applied
    return behind


def settle(platform, say: Callable[[str], None], timeout: float) -> dict[str, int]:
    """Wait until no follower lags (what still lags at the deadline)."""
    deadline = time.monotonic() + timeout
    last_said = 0.0
    while True:
        behind = lagging(platform)
        if not behind or time.monotonic() > deadline:
            return behind
        if time.monotonic() - last_said > 5:
            say(f"checks: waiting for followers to catch up: {sum(behind.values())} positions behind")
            last_said = time.monotonic()
        time.sleep(1)


def _marker_index(marker: str, prefix: str) -> int | None:
    return int(marker[len(prefix):]) if isinstance(marker, str) and marker.startswith(prefix) else None


def guidance_effects(app, run: str) -> dict[int, list[tuple[str, str]]]:
    """Command index -> [(kind, effect id)], from guidance's own events."""
    from services.guidance.domain.intervention import Intervention
    from services.guidance.domain.trajectory import Trajectory

    prefix = f"chaos {run} command "
    effects: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for event in app.stored(Intervention.Recorded, Trajectory.AppointmentPlanned):
        if isinstance(event, Intervention.Recorded):
            index = _marker_index(event.note, prefix)
            if index is not None:
                effects[index].append(("intervention", str(event.originator_id)))
        else:
            index = _marker_index(event.purpose, prefix)
            if index is not None:
                effects[index].append(("appointment", str(event.appointment_id)))
    return effects


def audit_entries(app) -> Counter:
    """(kind, effect id) -> how many timeline entries audit holds of it."""
    from services.audit.domain import Timeline

    held: Counter = Counter()
    for event in app.stored(Timeline.EntryRecorded):
        fact = event.type.rsplit(".", 1)[0]
        if fact == INTERVENTION_FACT:
            held[("intervention", str(event.data.get("intervention_id")))] += 1
        elif fact == APPOINTMENT_FACT:
            held[("appointment", str(event.data.get("appointment_id")))] += 1
    return held


def reminders(app) -> Counter:
    """(client id, due) -> how many "appointment tomorrow" reminders notifications holds."""
    from services.notifications.domain import Notification

    held: Counter = Counter()
    for event in app.stored(Notification.Created):
        if event.kind == "appointment_tomorrow":
            held[(str(event.client_id), _instant(event.due))] += 1
    return held


def _instant(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.timezone.utc).isoformat()


def count_effects(platform, commands: list[Command], run: str) -> dict:
    in_guidance = guidance_effects(platform.application("guidance"), run)
    in_audit = audit_entries(platform.application("audit"))
    in_notifications = reminders(platform.application("notifications"))
    lost, doubled, ghosts = Counter(), Counter(), []
    for command in commands:
        effects = in_guidance.get(command.index, [])
        acknowledged = command.outcome == "acknowledged"
        if acknowledged and not effects:
            lost["guidance"] += 1
        if len(effects) > 1:
            doubled["guidance"] += 1
        if effects and not acknowledged:
            ghosts.append({"command": command.index, "outcome": command.outcome, "status": command.status,
                           "attempts": command.attempts})
        if acknowledged and command.effect_id and effects and command.effect_id not in {i for _, i in effects}:
            doubled["guidance (answer names another effect)"] += 1
        # A follower holds each effect guidance holds, once: a command guidance holds
        # twice is doubled in its followers too.
        copies = [in_audit.get((kind, effect_id), 0) for kind, effect_id in effects]
        lost["audit"] += 0 in copies
        doubled["audit"] += sum(copies) > 1
        if command.kind == "appointment" and effects:
            due = _instant(dt.datetime.fromisoformat(command.at) - dt.timedelta(days=1))
            held = in_notifications.get((command.client_id, due), 0)
            lost["notifications"] += held < len(effects)
            doubled["notifications"] += held > 1
    return {
        "lost": sum(lost.values()), "doubled": sum(doubled.values()), "ghost": len(ghosts),
        "lost_by_service": {k: v for k, v in lost.items() if v},
        "doubled_by_service": {k: v for k, v in doubled.items() if v},
        "ghosts": ghosts[:20],
        "effects_in_guidance": sum(len(v) for v in in_guidance.values()),
    }


# -- fresh replays -------------------------------------------------------------------

def fresh_replay(platform, follower: str):
    """A new in-memory copy of ``follower`` fed every integration event of its
    upstreams from the start, as tests/support/fakes.Link feeds one."""
    from jww.lookup import application_class
    from tests.support.fakes import IN_MEMORY, Link

    app = application_class(follower)(env=IN_MEMORY)
    links = [Link(app, platform.application(feed_parts(feed)[0]), feed)
             for feed in config.load(follower, platform.env(follower)).follows]
    # Until nothing new arrives, in rounds: a reaction may wait on another upstream's fact.
    while True:
        before = app.head()
        for link in links:
            while True:
                position = link.follower.position
                link.deliver()
                if link.follower.position == position:
                    break
        if app.head() == before:
            return app


def _difference(client: str, live: list, fresh: list) -> dict:
    only_live, only_fresh = Counter(map(str, live)), Counter(map(str, fresh))
    only_live.subtract(Counter(map(str, fresh)))
    only_fresh.subtract(Counter(map(str, live)))
    return {"client": client, "only_live": sorted(k for k, n in only_live.items() for _ in range(n) if n > 0),
            "only_fresh": sorted(k for k, n in only_fresh.items() for _ in range(n) if n > 0)}


def audit_records(app) -> dict[str, list[str]]:
    from services.audit.domain import Timeline

    out: dict[str, list[str]] = defaultdict(list)
    for event in app.stored(Timeline.EntryRecorded):
        # The fact's id, and where it came from: what a difference needs to be traced.
        out[str(event.client_id)].append(f"{event.event_id} {event.source} {event.type} {event.position}")
    return {client: sorted(ids) for client, ids in out.items()}


def notification_records(app) -> dict[str, list[tuple[str, str]]]:
    from services.notifications.domain import Notification

    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for event in app.stored(Notification.Created):
        out[str(event.client_id)].append((str(event.originator_id), event.kind))
    return {client: sorted(records) for client, records in out.items()}


RECORDS = {"audit": audit_records, "notifications": notification_records}


def followers_equal(platform, say: Callable[[str], None]) -> dict[str, dict]:
    """Per follower: equal or not, with how many clients and records were compared
    and, where they differ, how many clients differ."""
    out = {}
    for follower, records in RECORDS.items():
        began = time.monotonic()
        live = records(platform.application(follower))
        fresh_app = fresh_replay(platform, follower)
        fresh = records(fresh_app)
        differing = sorted(c for c in set(live) | set(fresh) if live.get(c) != fresh.get(c))
        out[follower] = {"equal": not differing, "clients": len(live),
                         "records": sum(len(v) for v in live.values()),
                         "fresh_records": sum(len(v) for v in fresh.values()), "clients_differing": len(differing),
                         # What to look for next: the records (ids and kinds, nothing personal) of the
                         # first few clients that differ, held only live or only by the replay.
                         "differences": [_difference(c, live.get(c, []), fresh.get(c, [])) for c in differing[:3]]}
        say(f"checks: {follower} against a fresh replay: {'equal' if not differing else 'DIFFERENT'} "
            f"({out[follower]['records']} records, {time.monotonic() - began:.0f} s)")
    return out
