"""The tables a service keeps beside its events, written in the transaction of the
events themselves: each recorder is the library's process recorder with them.

``client_keys``: which data key is a client's of which class. A data key is made
ahead and stored wrapped in the key store (``shared.datakeys``) before it is used; a
save that uses it first names it here, as one more row of its own transaction, so
no save waits for a commit to the key store, and no key is ever in use without its
assignment on record. The rows name a client, an owner and class (``"<owner>/<class>"``:
the client's own, or one of its links') and a key id: nothing that opens anything
without the key store. They go when their keys are shredded (``DataKeys.shred``): a
link's key id is stored in clear beside what it seals, and nothing may name it with
the client afterwards.

``stream_heads``: each stream's last version and chain (``shared.chain``), so that a
checkpoint (``shared.checkpoints``) reads every head as of one log position without
reading the log (WAVE2 21). ``heads_at`` answers both in one statement, so they agree.

Neither table is part of the log: no event, no position, nothing a relay or a
follower sees.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.popo import POPOFactory, POPOProcessRecorder
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteProcessRecorder
from eventsourcing.utils import get_topic

from shared.chain import chain_of

# Where a save passes its key assignments: a keyword of the recorder's insert_events.
ROWS = "client_keys"


def _heads(stored_events: Sequence) -> list[tuple[str, int, str]]:
    """The head each stream reaches in this save: its last event's version and chain."""
    last = {}
    for stored in stored_events:
        last[stored.originator_id] = stored
    return [(str(stream), s.originator_version, chain_of(s.state)) for stream, s in last.items()]


class SQLiteRecorder(SQLiteProcessRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS client_keys (client_id TEXT NOT NULL, name TEXT NOT NULL, "
                "key_id TEXT NOT NULL, PRIMARY KEY (client_id, name))",
                "CREATE TABLE IF NOT EXISTS stream_heads (stream TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                "chain TEXT NOT NULL)"]

    def _insert_events(self, c, stored_events: Sequence, **kwargs: Any):
        returning = super()._insert_events(c, stored_events, **kwargs)
        if kwargs.get(ROWS):
            c.executemany("INSERT INTO client_keys VALUES (?, ?, ?)", kwargs[ROWS])
        c.executemany("INSERT INTO stream_heads VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE "
                      "SET version = excluded.version, chain = excluded.chain", _heads(stored_events))
        return returning

    def client_keys(self, client_id: UUID) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name, key_id FROM client_keys WHERE client_id = ?", (str(client_id),))
            return {name: key_id for name, key_id in c.fetchall()}

    def forget_client_keys(self, client_id: UUID, names: list[str]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")  # the rows are overwritten, not just unlinked
            c.executemany("DELETE FROM client_keys WHERE client_id = ? AND name = ?",
                          [(str(client_id), name) for name in names])

    def heads_at(self) -> tuple[int, dict[str, tuple[int, str]]]:
        """The log's last position and every stream's head then."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT (SELECT max(rowid) FROM {self.events_table_name}), stream, version, chain "
                      "FROM stream_heads")
            rows = c.fetchall()
        return _answer(rows, lambda: self.max_notification_id())

    def positions_in_stream(self, stream: UUID, after_version: int, limit: int) -> list[int]:
        """The log positions of a stream's events after a version, in order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid FROM {self.events_table_name} WHERE originator_id = ? AND originator_version > ? "
                      "ORDER BY originator_version LIMIT ?", (stream.hex, after_version, limit))
            return [row[0] for row in c.fetchall()]


class PostgresRecorder(PostgresProcessRecorder):
    def __init__(self, datastore, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        from psycopg.sql import SQL, Identifier

        def table(suffix: str):
            return SQL("{0}.{1}").format(Identifier(datastore.schema),
                                         Identifier(self.events_table_name.replace("_events", suffix)))

        self._keys, self._heads, self._events = table("_client_keys"), table("_heads"), table("_events")
        self.sql_create_statements += [
            SQL("CREATE TABLE IF NOT EXISTS {0} (client_id uuid NOT NULL, name text NOT NULL, key_id text NOT NULL, "
                "PRIMARY KEY (client_id, name))").format(self._keys),
            SQL("CREATE TABLE IF NOT EXISTS {0} (stream uuid PRIMARY KEY, version bigint NOT NULL, "
                "chain text NOT NULL)").format(self._heads),
        ]

    def _insert_events(self, curs, stored_events: Sequence, **kwargs: Any) -> None:
        from psycopg.sql import SQL

        super()._insert_events(curs, stored_events, **kwargs)
        if kwargs.get(ROWS):
            curs.executemany(SQL("INSERT INTO {0} VALUES (%s, %s, %s)").format(self._keys), kwargs[ROWS])
        curs.executemany(SQL("INSERT INTO {0} VALUES (%s, %s, %s) ON CONFLICT (stream) DO UPDATE "
                             "SET version = excluded.version, chain = excluded.chain").format(self._heads),
                         _heads(stored_events))

    def client_keys(self, client_id: UUID) -> dict[str, str]:
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT name, key_id FROM {0} WHERE client_id = %s").format(self._keys), (client_id,))
            return {row["name"]: row["key_id"] for row in curs.fetchall()}

    def forget_client_keys(self, client_id: UUID, names: list[str]) -> None:
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(SQL("DELETE FROM {0} WHERE client_id = %s AND name = %s").format(self._keys),
                             [(client_id, name) for name in names])

    def heads_at(self) -> tuple[int, dict[str, tuple[int, str]]]:
        """The log's last position and every stream's head then (one statement: one snapshot)."""
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT (SELECT max(notification_id) FROM {0}) AS position, stream, version, chain "
                             "FROM {1}").format(self._events, self._heads))
            rows = [(r["position"], r["stream"], r["version"], r["chain"]) for r in curs.fetchall()]
        return _answer(rows, lambda: self.max_notification_id())

    def positions_in_stream(self, stream: UUID, after_version: int, limit: int) -> list[int]:
        """The log positions of a stream's events after a version, in order."""
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT notification_id FROM {0} WHERE originator_id = %s AND originator_version > %s "
                             "ORDER BY originator_version LIMIT %s").format(self._events), (stream, after_version, limit))
            return [row["notification_id"] for row in curs.fetchall()]


def _answer(rows: list, position) -> tuple[int, dict[str, tuple[int, str]]]:
    if not rows:  # no stream yet, or none recorded here yet: the position alone
        return position() or 0, {}
    return rows[0][0] or 0, {str(stream): (version, chain) for _, stream, version, chain in rows}


class MemoryRecorder(POPOProcessRecorder):
    """In memory (tests, an application without a store): the same rules, dicts."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[tuple[str, str], str] = {}
        self._stream_heads: dict[str, tuple[int, str]] = {}
        self._tables_lock = threading.Lock()

    def insert_events(self, stored_events: Sequence, **kwargs: Any):
        rows = kwargs.get(ROWS) or []
        with self._tables_lock:
            if any((str(client), name) in self._keys for client, name, _ in rows):
                raise IntegrityError("a data key of this client and class is assigned already")
            returning = super().insert_events(stored_events, **kwargs)
            self._keys.update({(str(client), name): key_id for client, name, key_id in rows})
            self._stream_heads.update({stream: (version, chain) for stream, version, chain in _heads(stored_events)})
        return returning

    def client_keys(self, client_id: UUID) -> dict[str, str]:
        with self._tables_lock:
            return {name: key_id for (client, name), key_id in self._keys.items() if client == str(client_id)}

    def forget_client_keys(self, client_id: UUID, names: list[str]) -> None:
        with self._tables_lock:
            for name in names:
                self._keys.pop((str(client_id), name), None)

    def heads_at(self) -> tuple[int, dict[str, tuple[int, str]]]:
        with self._tables_lock:
            return self.max_notification_id() or 0, dict(self._stream_heads)

    def positions_in_stream(self, stream: UUID, after_version: int, limit: int) -> list[int]:
        with self._tables_lock:
            found = [(s.originator_version, i + 1) for i, s in enumerate(self._stored_events)
                     if s.originator_id == stream and s.originator_version > after_version]
        return [position for _, position in sorted(found)[:limit]]


def recorder(factory):
    """The process recorder, with the tables, of an application's persistence factory."""
    if isinstance(factory, POPOFactory):
        return MemoryRecorder()
    kind = SQLiteRecorder if isinstance(factory, SQLiteFactory) else PostgresRecorder
    assert isinstance(factory, (SQLiteFactory, PostgresFactory)), type(factory)
    factory.env[factory.PROCESS_RECORDER_TOPIC] = get_topic(kind)
    return factory.process_recorder()
