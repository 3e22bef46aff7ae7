"""Which data key is a client's of which class: a table beside a service's events,
written in the transaction that stores the first fact the key seals.

A data key is made ahead and stored wrapped in the key store (``shared.datakeys``)
before it is used; a save that uses it first names it here, as one more row of
its own transaction, so no save waits for a commit to the key store, and no key
is ever in use without its assignment on record. The rows name a client, an
owner and class (``"<owner>/<class>"``: the client's own, or one of its links')
and a key id: nothing that opens anything without the key store.

The table is not part of the log: no event, no position, nothing a relay or a
follower sees. Its rows go when their keys are shredded (``DataKeys.shred``): a
link's key id is stored in clear beside what it seals, and nothing may name it
with the client afterwards. Each recorder is the library's process recorder with
that table.
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

# Where a save passes its assignments: a keyword of the recorder's insert_events.
ROWS = "client_keys"


class SQLiteRecorder(SQLiteProcessRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS client_keys (client_id TEXT NOT NULL, name TEXT NOT NULL, "
                "key_id TEXT NOT NULL, PRIMARY KEY (client_id, name))"]

    def _insert_events(self, c, stored_events: Sequence, **kwargs: Any):
        returning = super()._insert_events(c, stored_events, **kwargs)
        if kwargs.get(ROWS):
            c.executemany("INSERT INTO client_keys VALUES (?, ?, ?)", kwargs[ROWS])
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


class PostgresRecorder(PostgresProcessRecorder):
    def __init__(self, datastore, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        from psycopg.sql import SQL, Identifier

        self._table = SQL("{0}.{1}").format(Identifier(datastore.schema),
                                            Identifier(self.events_table_name.replace("_events", "_client_keys")))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0} (client_id uuid NOT NULL, name text NOT NULL, key_id text NOT NULL, "
            "PRIMARY KEY (client_id, name))").format(self._table))

    def _insert_events(self, curs, stored_events: Sequence, **kwargs: Any) -> None:
        from psycopg.sql import SQL

        super()._insert_events(curs, stored_events, **kwargs)
        if kwargs.get(ROWS):
            curs.executemany(SQL("INSERT INTO {0} VALUES (%s, %s, %s)").format(self._table), kwargs[ROWS])

    def client_keys(self, client_id: UUID) -> dict[str, str]:
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT name, key_id FROM {0} WHERE client_id = %s").format(self._table), (client_id,))
            return {row["name"]: row["key_id"] for row in curs.fetchall()}

    def forget_client_keys(self, client_id: UUID, names: list[str]) -> None:
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(SQL("DELETE FROM {0} WHERE client_id = %s AND name = %s").format(self._table),
                             [(client_id, name) for name in names])


class MemoryRecorder(POPOProcessRecorder):
    """In memory (tests, an application without a store): the same rule, a dict."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[tuple[str, str], str] = {}
        self._keys_lock = threading.Lock()

    def insert_events(self, stored_events: Sequence, **kwargs: Any):
        rows = kwargs.get(ROWS) or []
        with self._keys_lock:
            if any((str(client), name) in self._keys for client, name, _ in rows):
                raise IntegrityError("a data key of this client and class is assigned already")
            returning = super().insert_events(stored_events, **kwargs)
            self._keys.update({(str(client), name): key_id for client, name, key_id in rows})
        return returning

    def client_keys(self, client_id: UUID) -> dict[str, str]:
        with self._keys_lock:
            return {name: key_id for (client, name), key_id in self._keys.items() if client == str(client_id)}

    def forget_client_keys(self, client_id: UUID, names: list[str]) -> None:
        with self._keys_lock:
            for name in names:
                self._keys.pop((str(client_id), name), None)


def recorder(factory):
    """The process recorder, with the table, of an application's persistence factory."""
    if isinstance(factory, POPOFactory):
        return MemoryRecorder()
    kind = SQLiteRecorder if isinstance(factory, SQLiteFactory) else PostgresRecorder
    assert isinstance(factory, (SQLiteFactory, PostgresFactory)), type(factory)
    factory.env[factory.PROCESS_RECORDER_TOPIC] = get_topic(kind)
    return factory.process_recorder()
