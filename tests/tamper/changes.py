"""The changes someone with write access to a store could make, each to a range a
witnessed checkpoint covers (WAVE2 21, 24): edited, deleted (inside a stream, at
its tail, a whole stream), reordered and inserted events; edited snapshots; edited,
truncated and deleted checkpoint files. Each works on the store's own tables, as an
intruder would, not through the application. ``apply`` picks one at random."""
from __future__ import annotations

import json
import random
import sqlite3
import uuid
from dataclasses import dataclass
from uuid import UUID

import psycopg

from shared import chain
from shared.checkpoints import TAKEN_TOPIC
from tests.tamper.world import PG, World


@dataclass
class Row:
    id: int
    stream: UUID
    version: int
    topic: str
    state: bytes


class Tables:
    """The events and snapshots tables of one copy, in either dialect."""

    def __init__(self, world: World):
        self.world = world
        self.sqlite = world.store.kind == "sqlite"
        if self.sqlite:
            self.db = sqlite3.connect(world.store.sqlite_path)
            self.events, self.snapshots, self.id = world.events_table, world.snapshots_table, "rowid"
        else:
            self.db = psycopg.connect(dbname=world.store.postgres_dbname, **PG)
            self.events, self.snapshots, self.id = world.events_table, world.snapshots_table, "notification_id"

    def run(self, text: str, params=()) -> list:
        if self.sqlite:
            return self.db.execute(text, params).fetchall()
        cursor = self.db.execute(text.replace("?", "%s"), params)
        return cursor.fetchall() if cursor.description else []

    def _stream(self, value) -> str | UUID:
        return value.hex if self.sqlite else value

    def rows(self) -> list[Row]:
        found = self.run(f"SELECT {self.id}, originator_id, originator_version, topic, state FROM {self.events} "
                         f"ORDER BY {self.id}")
        return [Row(i, UUID(str(s)), v, t, bytes(b)) for i, s, v, t, b in found]

    def set_state(self, row: Row, state: bytes) -> None:
        self.run(f"UPDATE {self.events} SET state = ? WHERE {self.id} = ?", (state, row.id))

    def set_version(self, row: Row, version: int) -> None:
        self.run(f"UPDATE {self.events} SET originator_version = ? WHERE {self.id} = ?", (version, row.id))

    def set_id(self, old: int, new: int) -> None:
        self.run(f"UPDATE {self.events} SET {self.id} = ? WHERE {self.id} = ?", (new, old))

    def delete(self, rows: list[Row]) -> None:
        for row in rows:
            self.run(f"DELETE FROM {self.events} WHERE {self.id} = ?", (row.id,))

    def insert_at(self, position: int, stream: UUID, version: int, topic: str, state: bytes) -> None:
        """A record at ``position``, the later ones moved one place on, as an intruder
        would make room in the middle of a log."""
        top = self.run(f"SELECT max({self.id}) FROM {self.events}")[0][0]
        self.run(f"UPDATE {self.events} SET {self.id} = {self.id} + ? WHERE {self.id} >= ?", (top + 1, position))
        self.run(f"UPDATE {self.events} SET {self.id} = {self.id} - ? WHERE {self.id} > ?", (top, top))
        self.run(f"INSERT INTO {self.events} ({self.id}, originator_id, originator_version, topic, state) "
                 f"VALUES (?, ?, ?, ?, ?)", (position, self._stream(stream), version, topic, state))

    def snapshot_rows(self) -> list[tuple]:
        return self.run(f"SELECT originator_id, originator_version, state FROM {self.snapshots}")

    def set_snapshot_state(self, stream, version: int, state: bytes) -> None:
        self.run(f"UPDATE {self.snapshots} SET state = ? WHERE originator_id = ? AND originator_version = ?",
                 (state, stream, version))

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def _covered(tables: Tables) -> list[Row]:
    position = tables.world.witnessed[-1]["position"]
    return [row for row in tables.rows() if row.id <= position]


def _by_stream(rows: list[Row]) -> dict[UUID, list[Row]]:
    streams: dict[UUID, list[Row]] = {}
    for row in rows:
        streams.setdefault(row.stream, []).append(row)
    return streams


def _edited(state: bytes, rng: random.Random) -> bytes:
    """One character of the record's content changed (its timestamp's last digit)."""
    at = state.find(b'"timestamp"')
    at = state.find(b"+", at) - 1  # the timestamp's last digit before its offset
    digit = state[at:at + 1]
    return state[:at] + (b"7" if digit != b"7" else b"3") + state[at + 1:]


def _rechained(tables: Tables, rows: list[Row], first: int, edited: bytes) -> None:
    """The edited record and every later one of its stream chained again, as an intruder
    who knows how chains are computed would (they are not keyed)."""
    prev = chain.chain_of(rows[first - 1].state) if first else chain.GENESIS
    for index in range(first, len(rows)):
        row = rows[index]
        state = edited if index == first else row.state
        start, end = chain._chain_in(state)
        head = chain._link_2(prev, row.stream, row.version, row.topic, state[:start], chain._BLANK, state[end:])
        tables.set_state(row, state[:start] + head.encode() + state[end:])
        prev = head


def edit(tables, rng):
    row = rng.choice(_covered(tables))
    tables.set_state(row, _edited(row.state, rng))
    return f"edited stream {row.stream} version {row.version}", str(row.stream)


def edit_and_rechain(tables, rng):
    row = rng.choice(_covered(tables))
    rows = _by_stream(tables.rows())[row.stream]
    _rechained(tables, rows, rows.index(row), _edited(row.state, rng))
    return f"edited stream {row.stream} version {row.version} and chained the stream again", str(row.stream)


def delete_inside(tables, rng):
    streams = _by_stream(tables.rows())
    rows = [row for row in _covered(tables) if row is not streams[row.stream][-1]]
    row = rng.choice(rows)
    tables.delete([row])
    return f"deleted stream {row.stream} version {row.version} from inside its stream", str(row.stream)


def delete_tail(tables, rng):
    covered = {row.id for row in _covered(tables)}
    streams = [rows for rows in _by_stream(tables.rows()).values() if rows[-1].id in covered and len(rows) > 1]
    rows = rng.choice(streams)
    tail = rows[-rng.randint(1, min(3, len(rows) - 1)):]
    tables.delete(tail)
    return f"deleted the last {len(tail)} event(s) of stream {rows[0].stream}", str(rows[0].stream)


def delete_stream(tables, rng):
    covered = {row.id for row in _covered(tables)}
    rows = rng.choice([rows for rows in _by_stream(tables.rows()).values() if rows[-1].id in covered])
    tables.delete(rows)
    return f"deleted the whole stream {rows[0].stream}", str(rows[0].stream)


def delete_checkpoint_event(tables, rng):
    row = rng.choice([row for row in _covered(tables) if row.topic == TAKEN_TOPIC])
    tables.delete([row])
    return f"deleted the checkpoint event at position {row.id} from the log", "the log: "


def reorder_within(tables, rng):
    pairs = [(a, b) for rows in _by_stream(_covered(tables)).values() for a, b in zip(rows, rows[1:])]
    a, b = rng.choice(pairs)
    tables.set_version(a, -1)
    tables.set_version(b, a.version)
    tables.set_version(a, b.version)
    return f"swapped versions {a.version} and {b.version} of stream {a.stream}", str(a.stream)


def reorder_across(tables, rng):
    rows = _covered(tables)
    pairs = [(a, b) for a, b in zip(rows, rows[1:]) if a.stream != b.stream]
    a, b = rng.choice(pairs)
    tables.set_id(a.id, -1)
    tables.set_id(b.id, a.id)
    tables.set_id(-1, b.id)
    return (f"swapped the log positions {a.id} and {b.id} (streams {a.stream} and {b.stream})",
            "the log between positions")


def insert(tables, rng):
    rows = _covered(tables)
    model = rng.choice(rows)
    position = rng.randint(rows[0].id, rows[-1].id)
    tables.insert_at(position, uuid.uuid4(), 1, model.topic, model.state)
    return f"inserted a new stream's event at position {position}", "position"


def edit_snapshot(tables, rng):
    stream, version, state = rng.choice(tables.snapshot_rows())
    state = bytes(state)
    stored = json.loads(state)
    sealed = stored["_sealed"]["case_notes"]
    blob = sealed[0]
    at = rng.randrange(len(blob) - 4)
    sealed[0] = blob[:at] + ("A" if blob[at] != "A" else "B") + blob[at + 1:]
    tables.set_snapshot_state(stream, version, json.dumps(stored, separators=(",", ":")).encode())
    return f"edited the sealed snapshot of stream {stream} at version {version}", f"snapshot of stream {UUID(str(stream))}"


def move_snapshot(tables, rng):
    snapshots = tables.snapshot_rows()
    by_stream: dict = {}
    for stream, version, state in snapshots:
        by_stream.setdefault(stream, []).append((version, state))
    stream, versions = rng.choice([(s, v) for s, v in by_stream.items() if len(v) > 1])
    (first, _), (second, second_state) = sorted(versions)[:2]
    tables.set_snapshot_state(stream, first, bytes(second_state))
    return (f"put the snapshot of version {second} of stream {stream} in place of version {first}'s",
            f"snapshot of stream {UUID(str(stream))}")


def edit_checkpoint_file(tables, rng):
    path = tables.world.checkpoint_path
    lines = path.read_text().splitlines()
    index = rng.randrange(len(lines))
    checkpoint = json.loads(lines[index])
    field = rng.choice(["position", "streams", "changed"])
    if field == "changed":
        stream = rng.choice(sorted(checkpoint["changed"]))
        checkpoint["changed"][stream][0] += 1
    else:
        checkpoint[field] += 1
    lines[index] = json.dumps(checkpoint, sort_keys=True)
    path.write_text("\n".join(lines) + "\n")
    return f"edited {field} of checkpoint {index + 1} in the relay's file", "the relay's file"


def truncate_checkpoint_file(tables, rng):
    path = tables.world.checkpoint_path
    lines = path.read_text().splitlines()
    keep = rng.randrange(len(lines) - 1)
    path.write_text("".join(line + "\n" for line in lines[:keep]))
    return f"cut the relay's file after checkpoint {keep}", "the relay's file"


def delete_checkpoint_file(tables, rng):
    tables.world.checkpoint_path.unlink()
    return "deleted the relay's file", "the relay's file"


CHANGES = (edit, edit_and_rechain, delete_inside, delete_tail, delete_stream, delete_checkpoint_event,
           reorder_within, reorder_across, insert, edit_snapshot, move_snapshot, edit_checkpoint_file,
           truncate_checkpoint_file, delete_checkpoint_file)


def apply(world: World, seed: int) -> tuple[str, str]:
    """One change, the kind and the target drawn from ``seed``: what it did, and what
    a problem found must name (the stream, the log's positions, the checkpoint copy,
    the snapshot)."""
    rng = random.Random(seed)
    change = CHANGES[seed % len(CHANGES)]
    tables = Tables(world)
    try:
        return change(tables, rng)
    finally:
        tables.close()
