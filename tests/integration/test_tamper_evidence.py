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
def test_the_command_line_names_the_broken_link_and_fails(store):
    import os
    import subprocess
    import sys

    app, raw, clients = store
    env = dict(os.environ, JWW_STORE_SQLITE_PATH=str(raw.settings.sqlite_path))
    clean = subprocess.run([sys.executable, "-m", "jww", "verify", "intake"], env=env,
                           capture_output=True, text=True, timeout=60)
    raw.delete(clients[0], 2)
    tampered = subprocess.run([sys.executable, "-m", "jww", "verify", "intake"], env=env,
                              capture_output=True, text=True, timeout=60)
    assert (clean.returncode, clean.stdout.strip()) == (0, "intake: every chain holds, and every signed checkpoint")
    assert tampered.returncode == 1
    assert f"intake: BROKEN stream {clients[0]} version 3" in tampered.stdout


def test_a_wholesale_rewrite_is_caught_by_the_signed_checkpoints(store, tmp_path):
    """Someone edits a record and recomputes every chain after it, so that the
    chains hold again: the checkpoint signed before no longer matches."""
    import json

    from shared import checkpoints

    app, raw, clients = store
    path = tmp_path / "checkpoints.jsonl"
    checkpoints.take(app.recorder, path)
    assert checkpoints.check(app.recorder, path) == []

    prev = ""
    for record in [r for r in chain.records(app.recorder) if r.originator_id == clients[1]]:
        state = json.loads(record.state)
        if record.originator_version == 2:
            state["languages"] = ["ar"]
        state["chain"] = chain.SCHEME_2 + "0" * 64
        blanked = json.dumps(state, separators=(",", ":")).encode()
        state["chain"] = prev = chain._link_2(prev, record.originator_id, record.originator_version, record.topic,
                                              blanked)
        raw.set_state(record.originator_id, record.originator_version,
                      json.dumps(state, separators=(",", ":")).encode())

    assert breaks(app) == []  # the chains alone no longer tell
    (problem,) = checkpoints.check(app.recorder, path)
    assert f"stream {clients[1]} version 3 is no longer what was signed" in problem


def test_a_forged_checkpoint_is_refused(store, tmp_path):
    import json

    from shared import checkpoints

    app, _, clients = store
    path = tmp_path / "checkpoints.jsonl"
    checkpoint = checkpoints.take(app.recorder, path)
    checkpoint["heads"][str(clients[0])][1] = "0" * 64
    path.write_text(json.dumps(checkpoint) + "\n")
    (problem,) = checkpoints.check(app.recorder, path)
    assert "signature does not hold" in problem


def test_records_chained_by_the_first_scheme_still_verify(store):
    """Stores written before the second scheme hold chains over a canonical
    re-encoding of each state; they verify as they are, and an edit is still named."""
    import json

    app, raw, clients = store
    prev = ""
    for record in [r for r in chain.records(app.recorder) if r.originator_id == clients[0]]:
        state = json.loads(record.state)
        state.pop("chain")
        state["chain"] = prev = chain._link(prev, record.originator_id, record.originator_version, record.topic,
                                            dict(state))
        raw.set_state(record.originator_id, record.originator_version,
                      json.dumps(state, separators=(",", ":")).encode())
    assert breaks(app) == []
    raw.set_state(clients[0], 2, raw.state(clients[0], 2).replace(b'"agency":"', b'"agency":"x', 1))
    (found,) = breaks(app)
    assert (found.originator_id, found.version) == (clients[0], 2)
