"""A changed, removed or reordered record, made directly in the database, is named
by verification as the first broken link of its stream (SQLite and PostgreSQL)."""
import sqlite3
from dataclasses import replace

import psycopg
import pytest

from services.intake.application import IntakeApplication
from shared import chain, config
from tests.support.samples import WORKER, registration_args

PG = dict(host="127.0.0.1", port=5432, user="postgres", autocommit=True)


class Store:
    """Raw access to one service's events table, as someone tampering would have it."""

    def __init__(self, kind, settings):
        self.kind, self.settings = kind, settings
        if kind == "sqlite":
            self.table, self.param = "stored_events", "?"
        else:
            self.table, self.param = "intakeapplication_events", "%s"

    def execute(self, sql, *args):
        sql = sql.replace("?", self.param).replace("EVENTS", self.table)
        if self.kind == "sqlite":
            with sqlite3.connect(self.settings.sqlite_path) as conn:
                return conn.execute(sql, args).fetchall()
        with psycopg.connect(dbname=self.settings.postgres_dbname, **PG) as conn:
            cursor = conn.execute(sql, args)
            return cursor.fetchall() if cursor.description else []

    def state(self, originator_id, version) -> bytes:
        rows = self.execute("SELECT state FROM EVENTS WHERE originator_id = ? AND originator_version = ?",
                            self._id(originator_id), version)
        return bytes(rows[0][0])

    def set_state(self, originator_id, version, state: bytes) -> None:
        self.execute("UPDATE EVENTS SET state = ? WHERE originator_id = ? AND originator_version = ?",
                     state, self._id(originator_id), version)

    def delete(self, originator_id, version) -> None:
        self.execute("DELETE FROM EVENTS WHERE originator_id = ? AND originator_version = ?",
                     self._id(originator_id), version)

    def _id(self, originator_id):
        return originator_id.hex if self.kind == "sqlite" else originator_id


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path, pg_prefix):
    settings = config.load("intake", {}).store
    settings = replace(settings, kind=request.param, sqlite_path=tmp_path / "intake.sqlite",
                       postgres_dbname=f"{pg_prefix}_intake")
    app = IntakeApplication(store=settings)
    clients = [app.register_client(WORKER, **registration_args()) for _ in range(3)]
    for client_id in clients:  # three events per client stream
        for language in ("nl", "fr"):
            version = app.repository.get(client_id).version
            app.record_languages(WORKER, client_id, version, [language], language, False)
    yield app, Store(request.param, settings), clients
    app.close()


def breaks(app):
    return list(chain.verify(app.recorder))


def test_untouched_stores_verify(store):
    app, _, clients = store
    assert breaks(app) == []
    assert all(app.repository.get(c).version == 3 for c in clients)


def test_an_edited_record_is_named(store):
    app, raw, clients = store
    state = raw.state(clients[1], 2)
    assert b'"agency":"' in state  # what the client's languages are is sealed; the agency is in clear
    raw.set_state(clients[1], 2, state.replace(b'"agency":"', b'"agency":"x', 1))
    (found,) = breaks(app)
    assert (found.originator_id, found.version) == (clients[1], 2)
    assert "content or its place" in found.reason


def test_a_deleted_record_is_named(store):
    app, raw, clients = store
    raw.delete(clients[2], 2)
    (found,) = breaks(app)
    assert (found.originator_id, found.version) == (clients[2], 3)
    assert "version 2 is missing" in found.reason


def test_reordered_records_are_named(store):
    app, raw, clients = store
    second, third = raw.state(clients[0], 2), raw.state(clients[0], 3)
    raw.set_state(clients[0], 2, third)
    raw.set_state(clients[0], 3, second)
    (found,) = breaks(app)
    assert (found.originator_id, found.version) == (clients[0], 2)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_the_command_line_names_the_broken_link_and_fails(store, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from shared import checkpoints, keys

    app, raw, clients = store
    path = tmp_path / "checkpoints.jsonl"
    taken = checkpoints.Checkpointer(app, keys.signing_key(keys.events_key_name("intake")), path).take()
    witness = tmp_path / "witness.jsonl"
    witness.write_text(json.dumps(taken) + "\n")  # what audit kept
    env = dict(os.environ, JWW_STORE_SQLITE_PATH=str(raw.settings.sqlite_path), JWW_RELAY_CHECKPOINT_PATH=str(path))

    def verify(*more):
        return subprocess.run([sys.executable, "-m", "jww", "verify", "intake", *more], env=env,
                              capture_output=True, text=True, timeout=60)

    clean, witnessed = verify(), verify("--witness", str(witness))
    raw.delete(clients[0], 2)
    tampered = verify("--witness", str(witness))
    assert (clean.returncode, clean.stdout.strip()) == (
        0, "intake: every chain, checkpoint and snapshot holds (without audit's witness: see --witness)")
    assert (witnessed.returncode, witnessed.stdout.strip()) == (
        0, "intake: every chain, checkpoint and snapshot holds, and audit's witness")
    assert tampered.returncode == 1
    assert f"intake: BROKEN stream {clients[0]} version 3" in tampered.stdout
    assert f"intake: CHECKPOINT the log between positions 0 and {taken['position']} is not what checkpoint 1 " \
           "witnessed" in tampered.stdout
    path.unlink()  # the relay's file gone: a failure, never a pass
    assert "the relay's file" in verify("--witness", str(witness)).stdout
