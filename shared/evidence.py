"""Everything a verification checks about one service's store, in one pass over its
log: every hash chain (``shared.chain``), the checkpoints and their copies
(``shared.checkpoints``), and every snapshot against the events it summarises. For
ops (``jww verify`` on the store), and for whatever else asks a store to prove
itself (the tamper campaign, an auditor's request).
"""
from __future__ import annotations

from pathlib import Path
from uuid import UUID

from eventsourcing.domain import Snapshot

from shared import chain, checkpoints, keys
from shared.sealing import SnapshotShredded


def snapshot_problems(app) -> list[str]:
    """Each snapshot that is not what its stream's events make at its version. A
    snapshot whose keys are shredded cannot be read, by anyone: it is passed over, as
    loading passes it over."""
    if app.snapshots is None:
        return []
    problems = []
    _, heads = app.recorder.heads_at()
    for stream in heads:
        stored = app.snapshots.recorder.select_events(UUID(stream))
        if not stored:
            continue
        wanted = {}
        for record in stored:
            try:
                wanted[record.originator_version] = app.mapper.to_domain_event(record)
            except SnapshotShredded:
                continue
            except Exception:  # an edited state does not decode, or its seal does not open
                problems.append(f"the snapshot of stream {stream} at version {record.originator_version} does "
                                f"not open: it was changed")
        if not wanted:
            continue
        # One replay per stream, compared at each snapshot's version on the way.
        aggregate = None
        try:
            for event in app.repository.event_store.get(UUID(stream), lte=max(wanted)):
                aggregate = event.mutate(aggregate)
                snapshot = wanted.get(event.originator_version)
                if snapshot is not None and (snapshot.topic, snapshot.state) != (
                        (taken := Snapshot.take(aggregate)).topic, taken.state):
                    problems.append(f"the snapshot of stream {stream} at version {event.originator_version} is "
                                    f"not what its events make")
        except Exception:  # an event that does not load: its chain says which (BROKEN)
            problems.append(f"the snapshots of stream {stream} cannot be checked: its events do not load")
            continue
        missing = sorted(v for v in wanted if aggregate is None or v > aggregate.version)
        if missing:
            problems.append(f"the snapshot of stream {stream} at version {missing[0]} summarises events the "
                            f"stream does not hold")
    return problems


def verify(app, checkpoint_path: Path, witnessed: list[dict] | None = None, progress=None,
           until: int | None = None, witnessed_last: dict | None = None) -> list[str]:
    """What is wrong with the service's store (empty when everything holds), each
    problem naming the stream and position, the checkpoint or the snapshot.
    ``witnessed``: audit's copy of the service's checkpoints, or ``witnessed_last``: the
    last one's number and digest, when audit was asked. ``until``: the log position to
    verify up to (what is written meanwhile is left for the next verification)."""
    breaks: list = []
    records = chain.checked(chain.records(app.recorder, progress, until), breaks)
    in_file, unreadable = checkpoints.read(Path(checkpoint_path))
    copies = [("the log", checkpoints.checkpoints_in_log(app)), (f"the relay's file {checkpoint_path}", in_file)]
    if witnessed is not None:
        copies.append(("audit's witness", witnessed))
    public = keys.public_keys(keys.events_key_name(app.service_name))
    found = checkpoints.verify_records(records, copies, public, until, witnessed_last)
    return ([f"BROKEN {link}" for link in breaks] + [f"CHECKPOINT {p}" for p in unreadable + found]
            + [f"SNAPSHOT {p}" for p in snapshot_problems(app)])
