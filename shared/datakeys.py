"""Each client's data keys, kept apart from the events they protect (WAVE2 10).

Every personal field a service stores is encrypted (``shared.sealing``) under a
data key of its client and retention class: AES-256, made when the first such
field is stored. A data key is kept only wrapped, by the service's key-encryption
key (KEK, AES-256-GCM with the client and class as associated data), in a key
store of its own: an SQLite file beside the event store, or a PostgreSQL database
of its own in production, so that a copy of the events alone reveals nothing.

Erasure (and retention) *shreds* a key: its row goes, and a tombstone says which
key, when and by whose decision. What it protected stays in the log, unreadable,
and every chain over it still verifies. A shredded key is never made again: a
field about that client and class stored afterwards is stored as erased.

The KEK comes from a file (``JWW_DATA_KEK_FILE``, a mounted secret; development:
``<JWW_KEYS_DIR>/<service>-data.kek``), 32 random bytes in base64url. Rotating it
re-wraps the data keys (``DataKeys.rewrap``), without touching a single event; the
previous KEK (``JWW_DATA_KEK_PREVIOUS_FILE``) unwraps until then.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.keys import KeyMissing, keys_dir

# A process keeps what it unwrapped this long: a key shredded by another process
# stops being used here within this time, and a replay does not ask per field.
CACHE_SECONDS = 30.0


SHREDDED = "shredded"


def kek_name(service: str) -> str:
    return f"{service}-data.kek"


@dataclass(frozen=True)
class Kek:
    """A key-encryption key; its id is a hash of it, stored beside every wrapped key."""

    key: bytes

    @property
    def kid(self) -> str:
        return hashlib.sha256(self.key).hexdigest()[:16]

    def wrap(self, data_key: bytes, about: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self.key).encrypt(nonce, data_key, about)

    def unwrap(self, wrapped: bytes, about: bytes) -> bytes:
        return AESGCM(self.key).decrypt(wrapped[:12], wrapped[12:], about)


def _read_kek(path: Path, setting: str) -> Kek:
    try:
        key = base64.urlsafe_b64decode(path.read_text().strip() + "==")
    except FileNotFoundError:
        raise KeyMissing(f"no key-encryption key at {path}: set {setting} to the file of the service's "
                         f"data KEK (make run creates a development one)") from None
    if len(key) != 32:
        raise KeyMissing(f"the key-encryption key at {path} is not 32 bytes of base64url")
    return Kek(key)


def load_keks(service: str, env: Mapping[str, str] | None = None) -> list[Kek]:
    """The service's current KEK, then its previous one during a rotation."""
    env = os.environ if env is None else env
    current = Path(env.get("JWW_DATA_KEK_FILE") or keys_dir() / kek_name(service))
    keks = [_read_kek(current, "JWW_DATA_KEK_FILE")]
    if env.get("JWW_DATA_KEK_PREVIOUS_FILE"):
        keks.append(_read_kek(Path(env["JWW_DATA_KEK_PREVIOUS_FILE"]), "JWW_DATA_KEK_PREVIOUS_FILE"))
    return keks


def ensure_development_keks(services: list[str], folder: Path | None = None) -> list[str]:
    """Create the development KEKs that do not exist yet; the names created."""
    folder = folder or keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for service in services:
        path = folder / kek_name(service)
        if not path.exists():
            path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=") + "\n")
            os.chmod(path, 0o600)
            created.append(kek_name(service))
    return created


def _about(client_id: UUID, retention: str) -> bytes:
    return f"{client_id}/{retention}".encode()


class DataKeys:
    """One service's data keys: made, unwrapped (cached), shredded, re-wrapped."""

    def __init__(self, store: "KeyStore", keks: list[Kek], clock=None):
        self.store = store
        self.keks = {kek.kid: kek for kek in keks}
        self.current = keks[0]
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._cache: dict[tuple[UUID, str], tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()

    def key(self, client_id: UUID, retention: str, create: bool = False) -> bytes | None:
        """The data key of the client and class; None when it was shredded (or, unless
        ``create``, never made)."""
        now = time.monotonic()
        cached = self._cache.get((client_id, retention))
        if cached is not None and now - cached[0] < CACHE_SECONDS and (cached[1] is not None or not create):
            return cached[1]
        row = self.store.get(str(client_id), retention)
        if row is None and create:
            wrapped = self.current.wrap(secrets.token_bytes(32), _about(client_id, retention))
            if self.store.add(str(client_id), retention, self.current.kid, wrapped, self.clock().isoformat()):
                row = (self.current.kid, wrapped)
            else:  # another process made it first
                row = self.store.get(str(client_id), retention)
        key = None if row in (None, SHREDDED) else self._unwrap(client_id, retention, *row)
        with self._lock:
            self._cache[(client_id, retention)] = (now, key)
        return key

    def _unwrap(self, client_id: UUID, retention: str, kid: str, wrapped: bytes) -> bytes:
        kek = self.keks.get(kid)
        if kek is None:
            raise KeyMissing(f"the data keys were wrapped by key-encryption key {kid}, which is not loaded: "
                             f"set JWW_DATA_KEK_PREVIOUS_FILE to it until they are re-wrapped")
        return kek.unwrap(wrapped, _about(client_id, retention))

    def shred(self, client_id: UUID, retentions: list[str], decision: str) -> list[str]:
        """Destroy the client's keys of these classes, leaving a tombstone for each
        (again: nothing more happens). Returns the classes shredded now."""
        done = self.store.shred(str(client_id), retentions, decision, self.clock().isoformat())
        with self._lock:
            for retention in retentions:
                self._cache[(client_id, retention)] = (time.monotonic(), None)
        return done

    def tombstones(self, client_id: UUID) -> list[dict]:
        return self.store.tombstones(str(client_id))

    def erased(self, client_id: UUID) -> bool:
        """Whether the client's file (its case_file key) is gone here."""
        return any(t["retention"] == "case_file" for t in self.tombstones(client_id))

    def rewrap(self) -> int:
        """Wrap every data key under the current KEK; returns how many changed."""
        count = 0
        for client_id, retention, kid, wrapped in self.store.all():
            if kid == self.current.kid:
                continue
            key = self._unwrap(UUID(client_id), retention, kid, wrapped)
            about = _about(UUID(client_id), retention)
            self.store.replace(client_id, retention, kid, self.current.kid, self.current.wrap(key, about))
            count += 1
        return count


_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS data_keys (client_id TEXT NOT NULL, retention TEXT NOT NULL, "
    "kek_id TEXT NOT NULL, wrapped {blob} NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (client_id, retention))",
    "CREATE TABLE IF NOT EXISTS shredded_keys (client_id TEXT NOT NULL, retention TEXT NOT NULL, "
    "shredded_at TEXT NOT NULL, decision TEXT NOT NULL, PRIMARY KEY (client_id, retention))",
]


class KeyStore:
    """The tables of wrapped data keys and of tombstones, on SQLite or PostgreSQL.
    ``connect()`` gives a DB-API connection; ``mark`` is its parameter marker."""

    def __init__(self, connect, mark: str, blob: str):
        self._connect, self._mark = connect, mark
        # One connection kept per store, used by one caller at a time: a key is asked
        # for at every save and load of a new client, and a connection per question
        # (to PostgreSQL above all) would cost more than the encryption itself.
        self._db = None
        self._lock = threading.Lock()
        # A service's workers and relay start together: PostgreSQL's CREATE TABLE IF
        # NOT EXISTS can collide on the table's row type. The loser tries again.
        for attempt in range(3):
            try:
                with self._connection() as db:
                    for statement in _SCHEMA:
                        db.execute(statement.format(blob=blob))
                return
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2)

    @contextlib.contextmanager
    def _connection(self):
        with self._lock:
            if self._db is None:
                self._db = self._connect()
            try:
                yield self._db
                self._db.commit()
            except BaseException:
                try:
                    self._db.rollback()
                except Exception:  # the connection itself broke: the next call opens another
                    self._drop()
                raise

    def _drop(self) -> None:
        try:
            self._db.close()
        except Exception:  # already broken: nothing left to release
            pass
        self._db = None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._drop()

    def _sql(self, text: str) -> str:
        return text.replace("?", self._mark)

    def get(self, client_id: str, retention: str) -> tuple[str, bytes] | str | None:
        """The wrapped key ``(kek id, wrapped)``, ``SHREDDED``, or None when never made:
        one question."""
        with self._connection() as db:
            row = db.execute(self._sql(
                "SELECT kek_id, wrapped FROM data_keys WHERE client_id = ? AND retention = ? "
                "UNION ALL SELECT NULL, NULL FROM shredded_keys WHERE client_id = ? AND retention = ?"),
                (client_id, retention, client_id, retention)).fetchone()
        if row is None:
            return None
        return SHREDDED if row[0] is None else (row[0], bytes(row[1]))

    def add(self, client_id: str, retention: str, kid: str, wrapped: bytes, at: str) -> bool:
        """Whether this one was stored (another process may have made it first)."""
        with self._connection() as db:
            return db.execute(self._sql("INSERT INTO data_keys VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
                              (client_id, retention, kid, wrapped, at)).rowcount == 1

    def shred(self, client_id: str, retentions: list[str], decision: str, at: str) -> list[str]:
        done = []
        with self._connection() as db:
            for retention in retentions:
                db.execute(self._sql("DELETE FROM data_keys WHERE client_id = ? AND retention = ?"),
                           (client_id, retention))
                inserted = db.execute(self._sql("INSERT INTO shredded_keys VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
                                      (client_id, retention, at, decision))
                if inserted.rowcount:
                    done.append(retention)
        return done

    def tombstones(self, client_id: str) -> list[dict]:
        with self._connection() as db:
            rows = db.execute(self._sql("SELECT retention, shredded_at, decision FROM shredded_keys "
                                        "WHERE client_id = ? ORDER BY retention"), (client_id,)).fetchall()
        return [{"retention": r, "shredded_at": at, "decision": d} for r, at, d in rows]

    def all(self) -> list[tuple[str, str, str, bytes]]:
        with self._connection() as db:
            rows = db.execute("SELECT client_id, retention, kek_id, wrapped FROM data_keys").fetchall()
        return [(c, r, k, bytes(w)) for c, r, k, w in rows]

    def replace(self, client_id: str, retention: str, old_kid: str, kid: str, wrapped: bytes) -> None:
        with self._connection() as db:
            db.execute(self._sql("UPDATE data_keys SET kek_id = ?, wrapped = ? "
                                 "WHERE client_id = ? AND retention = ? AND kek_id = ?"),
                       (kid, wrapped, client_id, retention, old_kid))


def sqlite_store(path: Path) -> KeyStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return KeyStore(lambda: sqlite3.connect(path, timeout=10, check_same_thread=False), "?", "BLOB")


def postgres_store(dbname: str, **connection) -> KeyStore:
    import psycopg

    return KeyStore(lambda: psycopg.connect(dbname=dbname, **connection), "%s", "BYTEA")


def memory_store() -> KeyStore:
    """A key store that lives as long as this object (tests, an in-memory application)."""
    name = f"file:jww-keys-{secrets.token_hex(8)}?mode=memory&cache=shared"
    anchor = sqlite3.connect(name, uri=True, check_same_thread=False)  # the database lives while it is open
    store = KeyStore(lambda: sqlite3.connect(name, uri=True, timeout=10, check_same_thread=False), "?", "BLOB")
    store.anchor = anchor
    return store


def for_store(service: str, store, env: Mapping[str, str]) -> DataKeys:
    """The data keys of a service whose events are kept as ``store`` (StoreSettings)
    or, without one, as ``env`` says: an SQLite file beside the event store's, a
    PostgreSQL database of its own, or (events in memory) in memory too."""
    if store is not None and store.kind == "postgres":
        from shared.persistence import ensure_postgres_database

        dbname = f"{store.postgres_dbname}_keys"
        ensure_postgres_database(store, dbname=dbname, schema=None)
        return DataKeys(postgres_store(dbname, host=store.postgres_host, port=store.postgres_port,
                                       user=store.postgres_user, password=os.environ.get("PGPASSWORD") or None),
                        load_keks(service))
    path = store.sqlite_path if store is not None else (
        Path(env["SQLITE_DBNAME"]) if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite" else None)
    if path is None or str(path) == ":memory:":
        return DataKeys(memory_store(), [Kek(secrets.token_bytes(32))])
    return DataKeys(sqlite_store(path.with_name(f"{path.stem}-keys.sqlite")), load_keks(service))
