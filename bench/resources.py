"""Temporary servers' resources for one comparison, all released on exit, even on error.

``Resources`` is a context manager; every vhost, database, folder and platform of
service processes it hands out is registered on its exit stack, so the ``with`` block's end (normal,
exception or SIGTERM turned into SystemExit by ``bench.__main__``) removes it.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Mapping

import psycopg
from psycopg import sql

from shared import config
from tests.support import broker
from tests.support.platform import Platform

PREFIX = "jwwbench"


def settings(service: str, env: Mapping[str, str] | None = None) -> config.Settings:
    """The service's deployed settings with the bench's overrides on top of the
    process environment (so AMQP_URI or JWW_STORE_POSTGRES_HOST still apply)."""
    return config.load(service, {**os.environ, **(env or {})})


class Resources(contextlib.ExitStack):
    def __init__(self) -> None:
        super().__init__()
        self.token = uuid.uuid4().hex[:8]
        self._count = 0

    def _name(self) -> str:
        self._count += 1
        return f"{PREFIX}_{self.token}_{self._count}"

    def tempdir(self) -> Path:
        path = Path(tempfile.mkdtemp(prefix=self._name() + "_"))
        self.callback(shutil.rmtree, path, ignore_errors=True)
        return path

    def vhost(self) -> str:
        """A fresh RabbitMQ vhost (deleted with everything in it on exit) on the broker
        of AMQP_URI, or the deployed default; its URI."""
        name = self._name()
        self.callback(broker.delete_vhost, name)
        return broker.create_vhost(name, settings("intake").broker.address)[1]  # opened to guest, who looks into queues; the processes use their own users

    def postgres_store(self, service: str) -> config.StoreSettings:
        """The service's PostgreSQL store settings, in a database of its own that is
        dropped on exit (the application creates it on first use), as is the database
        of its data keys beside it (``shared.datakeys.for_store``: ``<dbname>_keys``)."""
        dbname = self._name()
        store = settings(service, {"JWW_STORE_KIND": "postgres", "JWW_STORE_POSTGRES_DBNAME": dbname}).store
        self.callback(drop_database, replace(store, postgres_dbname=f"{dbname}_keys"))
        self.callback(drop_database, store)
        return store

    def platform(self) -> Platform:
        """Real service processes, started as ops and the tests start them (``jww serve``,
        ``jww relay``) on a fresh vhost with stores in a temporary folder; stopped on exit."""
        platform = Platform(self.tempdir(), self.vhost())
        self.callback(platform.stop_all)
        return platform

    def closing(self, thing):
        """Close ``thing`` (an application, connection, publisher) on exit."""
        self.callback(_close_quietly, thing)
        return thing


def _close_quietly(thing) -> None:
    with contextlib.suppress(Exception):
        thing.close()


def drop_database(store: config.StoreSettings) -> None:
    with psycopg.connect(
        dbname="postgres",
        host=store.postgres_host,
        port=store.postgres_port,
        user=store.postgres_user,
        password=os.environ.get("PGPASSWORD") or None,
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(store.postgres_dbname))
        )


def postgres_connect(store: config.StoreSettings, **kwargs) -> psycopg.Connection:
    return psycopg.connect(
        dbname=store.postgres_dbname,
        host=store.postgres_host,
        port=store.postgres_port,
        user=store.postgres_user,
        password=os.environ.get("PGPASSWORD") or None,
        **kwargs,
    )
