"""At most one active relay per service, enforced rather than hoped for.

Two relays would publish every event twice and fight over the saved position.
The active relay holds a lock in the service's own store (a PostgreSQL advisory
lock, or a file lock beside the SQLite file); a second relay waits for it as a hot
standby and takes over when the first one dies, since the lock goes with its
connection or process.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import zlib
from contextlib import contextmanager
from typing import Iterator

from shared.config import Settings

log = logging.getLogger(__name__)


@contextmanager
def sole_relay(settings: Settings, stopping: threading.Event, poll_seconds: float = 1.0) -> Iterator[bool]:
    """Wait until this process is the service's only relay; yields False if asked to
    stop while still waiting."""
    store = settings.store
    if store.kind == "postgres":
        import psycopg

        key = zlib.crc32(f"jww-relay:{settings.service}".encode())
        connection = psycopg.connect(
            host=store.postgres_host, port=store.postgres_port, user=store.postgres_user,
            password=os.environ.get("PGPASSWORD") or None, dbname=store.postgres_dbname, autocommit=True,
        )
        acquire = lambda: connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]  # noqa: E731
        release = connection.close
    else:
        handle = open(store.sqlite_path.with_name(store.sqlite_path.name + ".relay-lock"), "w")

        def acquire() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        release = handle.close
    try:
        announced = False
        # A poll at a steady pace, not kombu's retry_over_time or eventsourcing's
        # retry: those retry after exceptions with pauses that grow (or are fixed
        # and deaf to a stop), while a standby must look again every poll_seconds,
        # so that it takes over soon after the active relay dies, and hear a stop.
        while not acquire():
            if not announced:
                log.info("another relay is active for this service; standing by")
                announced = True
            if stopping.wait(poll_seconds):
                yield False
                return
        yield True
    finally:
        release()
