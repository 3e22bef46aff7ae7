"""Each client's data keys, kept apart from the events they protect (WAVE2 10).

Every personal field a service stores is encrypted (``shared.sealing``) under a
data key of its client and retention class: AES-256. Data keys are made ahead, a
batch at a time, and kept only wrapped, by the service's key-encryption key (KEK,
AES-256-GCM with the key's id as associated data), in a key store of its own: an
SQLite file beside the event store, or a PostgreSQL database of its own in
production, so that a copy of the events alone reveals nothing. Which key is the
client's of which class is recorded beside the events (``shared.recorders``),
in the transaction of the first fact it seals.

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
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.keys import KeyMissing, keys_dir

# A process keeps what it unwrapped this long: a key shredded by another process
# stops being used here within this time, and a replay does not ask per field.
CACHE_SECONDS = 30.0
# Data keys made (and stored, wrapped) in one commit, before any is needed: a new
# client's first fact then waits for no commit but its own.
MADE_AHEAD = 256


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
    from shared import production  # imports this module

    production.no_development_keys()
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


def pair(owner: UUID, retention: str) -> str:
    return f"{owner}/{retention}"


class KeysMade:
    """The data keys one save assigns, by client, until the save stores them."""

    def __init__(self, fresh: set[UUID] = frozenset()):
        self.fresh = fresh  # clients the save creates: none of their keys can exist yet
        self.ledgers: dict[UUID, dict[str, str]] = {}  # as found, for the clients looked up
        self.keys: dict[UUID, dict[tuple[UUID, str], tuple[str, bytes]]] = {}  # client -> (owner, class) -> key

    def get(self, client_id: UUID, owner: UUID, retention: str) -> tuple[str, bytes] | None:
        keys = self.keys.get(client_id)
        return keys.get((owner, retention)) if keys else None

    def rows(self) -> list[tuple[str, str, str]]:
        """This save's assignments, as ``shared.recorders`` stores them with it."""
        return [(str(client_id), pair(owner, retention), key_id)
                for client_id, keys in self.keys.items() for (owner, retention), (key_id, _) in keys.items()]


class DataKeys:
    """One service's data keys: made ahead, assigned, unwrapped (cached), shredded,
    re-wrapped. ``ledger(client_id)`` reads which keys are a client's and
    ``forget(client_id, names)`` forgets some (``shared.recorders``): the
    service's application sets both."""

    def __init__(self, store: "KeyStore", keks: list[Kek], clock=None):
        self.store = store
        self.keks = {kek.kid: kek for kek in keks}
        self.current = keks[0]
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.ledger: Callable[[UUID], dict[str, str]] = lambda client_id: {}
        self.forget: Callable[[UUID, list[str]], None] = lambda client_id, names: None
        # (owner, class) -> (when, key id, key or SHREDDED); key id -> (when, key or SHREDDED)
        self._assigned: dict[tuple[UUID, str], tuple[float, str, bytes | str]] = {}
        self._by_id: dict[str, tuple[float, bytes | str]] = {}
        self._kept: dict[tuple[UUID, str], float] = {}  # (client, class) -> when found not shredded
        self._ahead: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()

    def _remember(self, owner: UUID, retention: str, key_id: str, key: bytes | str) -> None:
        """``key_id`` is empty for a class shredded before any key of it was known here."""
        now = time.monotonic()
        with self._lock:
            self._assigned[(owner, retention)] = (now, key_id, key)
            if key_id:
                self._by_id[key_id] = (now, key)

    def _recalled(self, owner: UUID, retention: str) -> tuple[str, bytes | str] | None:
        hit = self._assigned.get((owner, retention))
        return hit[1:] if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS else None

    def by_id(self, key_id: str) -> bytes | None:
        """The data key of this id; None when it was shredded."""
        hit = self._by_id.get(key_id)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            key = hit[1]
        else:
            row = self.store.get(key_id)
            key = SHREDDED if row is None else self._unwrap(key_id, *row)
            with self._lock:
                self._by_id[key_id] = (time.monotonic(), key)
        return None if key == SHREDDED else key

    def _looked_up(self, ledger: dict[str, str], owner: UUID, retention: str) -> tuple[str, bytes | str] | None:
        """The key the ledger assigns (or SHREDDED) and its id; None when none is assigned."""
        key_id = ledger.get(pair(owner, retention))
        if key_id is None:
            return None
        key = self.by_id(key_id) or SHREDDED
        self._remember(owner, retention, key_id, key)
        return key_id, key

    def key(self, client_id: UUID, retention: str) -> bytes | None:
        """The client's data key of this class; None when it was shredded or never made."""
        found = self._recalled(client_id, retention) or self._looked_up(self.ledger(client_id), client_id, retention)
        return None if found is None or found[1] == SHREDDED else found[1]

    def for_sealing(self, client_id: UUID, owner: UUID, retention: str, made: KeysMade) -> tuple[str, bytes | None]:
        """The key to seal ``owner``'s fields of this class with (the client's own, or
        one of its links'), and its id: the one assigned, or one made ahead that
        ``made`` assigns now. The key is None when the client's (or the owner's) key
        of this class was shredded: then nothing personal is stored about them."""
        found = made.get(client_id, owner, retention) or self._recalled(owner, retention)
        if found is None and client_id not in made.fresh:
            if client_id not in made.ledgers:
                made.ledgers[client_id] = self.ledger(client_id)
            found = self._looked_up(made.ledgers[client_id], owner, retention)
            if found is None and self.store.shredded(str(client_id), retention):
                found = ("", SHREDDED)
        if found is None:
            found = self._take()
            made.keys.setdefault(client_id, {})[(owner, retention)] = found
        return found[0], None if found[1] == SHREDDED else found[1]

    def shredded(self, client_id: UUID, retention: str) -> bool:
        """Whether the client's key of this class was shredded (not merely never made)."""
        found = self._recalled(client_id, retention)
        if found is not None:
            return found[1] == SHREDDED
        hit = self._kept.get((client_id, retention))
        if hit is not None and time.monotonic() - hit < CACHE_SECONDS:
            return False
        gone = self.store.shredded(str(client_id), retention)
        if gone:
            self._remember(client_id, retention, "", SHREDDED)
        else:
            with self._lock:
                self._kept[(client_id, retention)] = time.monotonic()
        return gone

    def stored(self, made: KeysMade) -> None:
        """The save that assigned these keys is stored: they are in use."""
        for keys in made.keys.values():
            for (owner, retention), (key_id, key) in keys.items():
                self._remember(owner, retention, key_id, key)

    def _take(self) -> tuple[str, bytes]:
        """A key made ahead (stored wrapped, durable, before it seals anything)."""
        with self._lock:
            if not self._ahead:
                made = [(uuid.uuid4().hex, secrets.token_bytes(32)) for _ in range(MADE_AHEAD)]
                at = self.clock().isoformat()
                self.store.add([(key_id, self.current.kid, self.current.wrap(key, key_id.encode()), at)
                                for key_id, key in made])
                self._ahead = made
            return self._ahead.pop()

    def _unwrap(self, key_id: str, kid: str, wrapped: bytes) -> bytes:
        kek = self.keks.get(kid)
        if kek is None:
            raise KeyMissing(f"the data keys were wrapped by key-encryption key {kid}, which is not loaded: "
                             f"set JWW_DATA_KEK_PREVIOUS_FILE to it until they are re-wrapped")
        return kek.unwrap(wrapped, key_id.encode())

    def shred(self, client_id: UUID, retentions: list[str], decision: str) -> list[str]:
        """Destroy the client's keys of these classes, its links' included, leaving a
        tombstone for each of the client's classes; then forget which keys they were
        (again: nothing more happens). Returns the classes shredded now.

        A link's key is named in clear beside what it seals (a number's claim, whose
        client is sealed): once it is gone, nothing may name it with the client, so
        its tombstone is the client's and its assignment is forgotten."""
        keys = {name: key_id for name, key_id in self.ledger(client_id).items()
                if name.rsplit("/", 1)[1] in retentions}
        own = {retention: keys.get(pair(client_id, retention)) for retention in retentions}
        done = self.store.shred(str(client_id), own, list(keys.values()), decision, self.clock().isoformat())
        self.forget(client_id, list(keys))
        for name, key_id in keys.items():
            owner, retention = name.rsplit("/", 1)
            self._remember(UUID(owner), retention, key_id, SHREDDED)
        for retention in retentions:
            self._remember(client_id, retention, "", SHREDDED)
        return done

    def tombstones(self, client_id: UUID) -> list[dict]:
        return self.store.tombstones(str(client_id))

    def erased(self, client_id: UUID) -> bool:
        """Whether the client's file (its case_file key) is gone here."""
        return any(t["retention"] == "case_file" for t in self.tombstones(client_id))

    def forgotten(self, client_id: UUID) -> bool:
        """Whether the client's erasure is complete here: its file's keys gone, and
        no key assigned to it remembered (a crash may come between the two)."""
        return self.erased(client_id) and not self.ledger(client_id)

    def rewrap(self) -> int:
        """Wrap every data key under the current KEK; returns how many changed."""
        count = 0
        for key_id, kid, wrapped in self.store.all():
            if kid == self.current.kid:
                continue
            key = self._unwrap(key_id, kid, wrapped)
            self.store.replace(key_id, kid, self.current.kid, self.current.wrap(key, key_id.encode()))
            count += 1
        return count

    def close(self) -> None:
        """Give back the keys made ahead and not used, and the connection."""
        with self._lock:
            unused, self._ahead = [key_id for key_id, _ in self._ahead], []
        try:
            if unused:
                self.store.discard(unused)
        except Exception:  # the store is gone already: unused keys protect nothing, so none is lost
            pass
        finally:
            self.store.close()


_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS wrapped_keys (key_id TEXT PRIMARY KEY, kek_id TEXT NOT NULL, "
    "wrapped {blob} NOT NULL, made_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS shredded_keys (client_id TEXT NOT NULL, retention TEXT NOT NULL, "
    "key_id TEXT, shredded_at TEXT NOT NULL, decision TEXT NOT NULL, PRIMARY KEY (client_id, retention))",
]
# The key store of an earlier development version, keyed by client: its events
# cannot be read by this one.
_EARLIER = "SELECT 1 FROM data_keys WHERE 1 = 0"


class KeyStore:
    """The tables of wrapped data keys and of tombstones, on SQLite or PostgreSQL.
    ``connect()`` gives a DB-API connection; ``mark`` is its parameter marker."""

    def __init__(self, connect, mark: str, blob: str):
        self._connect, self._mark = connect, mark
        # One connection kept per store, used by one caller at a time: a key is asked
        # for at every load of a client not seen lately, and a connection per
        # question (to PostgreSQL above all) would cost more than the encryption.
        self._db = None
        self._lock = threading.Lock()
        # A service's workers and relay start together: PostgreSQL's CREATE TABLE IF
        # NOT EXISTS can collide on the table's row type. The loser tries again.
        for attempt in range(3):
            try:
                with self._connection() as db:
                    for statement in _SCHEMA:
                        db.execute(statement.format(blob=blob))
                break
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2)
        if self._earlier():
            raise KeyMissing("this key store was made by an earlier development version, which kept keys by "
                             "client: start afresh with make clean (development stores only)")

    def _earlier(self) -> bool:
        try:
            with self._connection() as db:
                db.execute(_EARLIER)
            return True
        except Exception:
            return False

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

    def get(self, key_id: str) -> tuple[str, bytes] | None:
        """The wrapped key ``(kek id, wrapped)``, or None when it is gone (shredded)."""
        with self._connection() as db:
            row = db.execute(self._sql("SELECT kek_id, wrapped FROM wrapped_keys WHERE key_id = ?"),
                             (key_id,)).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def shredded(self, client_id: str, retention: str) -> bool:
        """Whether the client's keys of this class were shredded."""
        with self._connection() as db:
            return db.execute(self._sql("SELECT 1 FROM shredded_keys WHERE client_id = ? AND retention = ?"),
                              (client_id, retention)).fetchone() is not None

    def add(self, rows: list[tuple[str, str, bytes, str]]) -> None:
        """Keys made ahead: (key id, KEK id, wrapped, when), in one commit."""
        with self._connection() as db:
            db.cursor().executemany(self._sql("INSERT INTO wrapped_keys VALUES (?, ?, ?, ?)"), rows)

    def discard(self, key_ids: list[str]) -> None:
        with self._connection() as db:
            db.cursor().executemany(self._sql("DELETE FROM wrapped_keys WHERE key_id = ?"), [(k,) for k in key_ids])

    def shred(self, client_id: str, own: dict[str, str | None], key_ids: list[str], decision: str,
              at: str) -> list[str]:
        """Delete the keys ``key_ids`` and leave a tombstone for each of the client's
        classes (``own``: class -> the client's own key id of it, if any), in one
        commit; the classes tombstoned now."""
        done = []
        with self._connection() as db:
            for key_id in key_ids:
                db.execute(self._sql("DELETE FROM wrapped_keys WHERE key_id = ?"), (key_id,))
            for retention, key_id in own.items():
                inserted = db.execute(self._sql("INSERT INTO shredded_keys VALUES (?, ?, ?, ?, ?) "
                                                "ON CONFLICT DO NOTHING"), (client_id, retention, key_id, at, decision))
                if inserted.rowcount:
                    done.append(retention)
        return done

    def tombstones(self, client_id: str) -> list[dict]:
        with self._connection() as db:
            rows = db.execute(self._sql("SELECT retention, shredded_at, decision FROM shredded_keys "
                                        "WHERE client_id = ? ORDER BY retention"), (client_id,)).fetchall()
        return [{"retention": r, "shredded_at": at, "decision": d} for r, at, d in rows]

    def all(self) -> list[tuple[str, str, bytes]]:
        with self._connection() as db:
            rows = db.execute("SELECT key_id, kek_id, wrapped FROM wrapped_keys").fetchall()
        return [(k, kid, bytes(w)) for k, kid, w in rows]

    def replace(self, key_id: str, old_kid: str, kid: str, wrapped: bytes) -> None:
        with self._connection() as db:
            db.execute(self._sql("UPDATE wrapped_keys SET kek_id = ?, wrapped = ? WHERE key_id = ? AND kek_id = ?"),
                       (kid, wrapped, key_id, old_kid))


def _sqlite(*args, **kwargs) -> sqlite3.Connection:
    db = sqlite3.connect(*args, timeout=10, check_same_thread=False, **kwargs)
    # A shredded key's row is overwritten, not just unlinked: its bytes must not linger in the file.
    db.execute("PRAGMA secure_delete = ON")
    return db


def sqlite_store(path: Path) -> KeyStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return KeyStore(lambda: _sqlite(path), "?", "BLOB")


def postgres_store(dbname: str, **connection) -> KeyStore:
    import psycopg

    return KeyStore(lambda: psycopg.connect(dbname=dbname, **connection), "%s", "BYTEA")


def memory_store() -> KeyStore:
    """A key store that lives as long as this object (tests, an in-memory application)."""
    name = f"file:jww-keys-{secrets.token_hex(8)}?mode=memory&cache=shared"
    anchor = sqlite3.connect(name, uri=True, check_same_thread=False)  # the database lives while it is open
    store = KeyStore(lambda: _sqlite(name, uri=True), "?", "BLOB")
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
