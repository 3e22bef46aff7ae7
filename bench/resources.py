"""Temporary servers' resources for one comparison, all released on exit, even on error.

``Resources`` is a context manager; every vhost, database, folder and child process
it hands out is registered on its exit stack, so the ``with`` block's end (normal,
exception or SIGTERM turned into SystemExit by ``bench.__main__``) removes it.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote, unquote, urlparse, urlunparse

import amqp
import psycopg
from psycopg import sql

from shared import config
from shared.messaging import connection_params

PREFIX = "jwwbench"


def settings(service: str, env: Mapping[str, str] | None = None) -> config.Settings:
    """The service's deployed settings with the bench's overrides on top of the
    process environment (so AMQP_URI or JWW_STORE_POSTGRES_HOST still apply)."""
    return config.load(service, {**os.environ, **(env or {})})


def vhost_uri(base_uri: str, vhost: str) -> str:
    parts = urlparse(base_uri)
    return urlunparse(parts._replace(path="/" + quote(vhost, safe="")))


def rabbitmqctl(*args: str, attempts: int = 1) -> None:
    for attempt in range(attempts):
        try:
            subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60)
            return
        except subprocess.CalledProcessError:
            if attempt == attempts - 1:
                raise
            time.sleep(2)  # the broker may be restarting: let it come back


def delete_vhost(name: str) -> None:
    rabbitmqctl("delete_vhost", name, attempts=5)


def amqp_connect(uri: str, **kwargs) -> amqp.Connection:
    connection = amqp.Connection(**connection_params(uri), connect_timeout=5, **kwargs)
    connection.connect()
    return connection


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


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
        """A fresh RabbitMQ vhost (deleted with everything in it on exit); its URI."""
        name = self._name()
        rabbitmqctl("add_vhost", name)
        self.callback(delete_vhost, name)
        broker = settings("intake").amqp_uri  # AMQP_URI, or the deployed default
        user = unquote(urlparse(broker).username or "guest")
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        return vhost_uri(broker, name)

    def postgres_store(self, service: str) -> config.StoreSettings:
        """The service's PostgreSQL store settings, in a database of its own that is
        dropped on exit (the application creates it on first use)."""
        dbname = self._name()
        store = settings(service, {"JWW_STORE_KIND": "postgres", "JWW_STORE_POSTGRES_DBNAME": dbname}).store
        self.callback(drop_database, store)
        return store

    def process(self, args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
        """A child process, stopped (SIGTERM, then SIGKILL) on exit."""
        with open(log, "ab") as out:
            child = subprocess.Popen(args, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        self.callback(stop_process, child)
        return child

    def jww(self, role: str, service: str, env: Mapping[str, str], logdir: Path) -> subprocess.Popen:
        """``jww <role> <service>``, started as ops and the tests start it."""
        return self.process(
            [sys.executable, "-m", "jww", role, service], env, logdir / f"{service}-{role}.log"
        )

    def closing(self, thing):
        """Close ``thing`` (an application, connection, publisher) on exit."""
        self.callback(_close_quietly, thing)
        return thing


def _close_quietly(thing) -> None:
    with contextlib.suppress(Exception):
        thing.close()


def stop_process(child: subprocess.Popen, timeout: float = 10.0) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


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
