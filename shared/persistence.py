"""Where a service's events are kept: chosen by settings, an SQLite file under
``var/<service>/`` by default, PostgreSQL (the service's own database and schema)
in production; and how values the library does not know are stored."""
from __future__ import annotations

import datetime as dt
import os

from eventsourcing.persistence import Transcoding

from shared.config import StoreSettings


def store_env(store: StoreSettings) -> dict[str, str]:
    if store.kind == "sqlite":
        store.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(store.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    ensure_postgres_database(store)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": store.postgres_dbname,
        "POSTGRES_HOST": store.postgres_host,
        "POSTGRES_PORT": str(store.postgres_port),
        "POSTGRES_USER": store.postgres_user,
        "POSTGRES_PASSWORD": os.environ.get("PGPASSWORD", ""),
        "POSTGRES_SCHEMA": store.postgres_schema,
        # Connections each process keeps open, and more under load: PostgreSQL's
        # max_connections is shared by every process of every service.
        "POSTGRES_POOL_SIZE": os.environ.get("JWW_STORE_POSTGRES_POOL_SIZE", "5"),
        "POSTGRES_MAX_OVERFLOW": os.environ.get("JWW_STORE_POSTGRES_MAX_OVERFLOW", "10"),
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


def ensure_postgres_database(store: StoreSettings, dbname: str | None = None, schema: str | None = "") -> None:
    """Create the service's own database and schema (or ``dbname`` and ``schema``;
    no schema when None) if they are missing.

    In production ops create them with least-privilege roles; creating them here
    keeps a developer's first run and every isolated test database one step.
    """
    import psycopg
    import psycopg.errors
    from psycopg import sql

    common = dict(
        host=store.postgres_host,
        port=store.postgres_port,
        user=store.postgres_user,
        password=os.environ.get("PGPASSWORD") or None,
        autocommit=True,
    )
    # A service's workers and its relay start together and may race to create them.
    races = (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema)
    dbname = dbname or store.postgres_dbname
    schema = store.postgres_schema if schema == "" else schema
    with psycopg.connect(dbname="postgres", **common) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)
        ).fetchone()
        if not exists:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            except races:
                pass
    if schema is None:
        return
    with psycopg.connect(dbname=dbname, **common) as conn:
        try:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        except races:
            pass


class DateAsISO(Transcoding):
    """Calendar dates (a birth date, the end of a probation period) as ISO strings."""

    type = dt.date
    name = "date_iso"

    def encode(self, obj: dt.date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> dt.date:
        return dt.date.fromisoformat(data)
