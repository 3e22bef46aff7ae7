"""The platform under the campaign: every service's ``jww serve`` and ``jww relay`` and
the gateway, on the campaign's own broker (throw-away nodes, chaos/nodes.py) and its
own stores (SQLite files in the campaign's folder, or PostgreSQL databases
``jwwchaos_<run>_<service>``), with keys and broker users of its own.

It reuses the tests' ``Platform`` (tests/support/platform.py: the same commands and
environment the integration tests start processes with) and adds what a supervisor
adds: a process that dies is started again, as ``jww run`` or Kubernetes would,
so that the campaign measures the platform's recovery, not a runner's absence.
"""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

import psycopg

from jww.broker import directory_organisations
from shared import datakeys, keys, recipients
from tests.support.platform import Platform

PG = dict(host="127.0.0.1", port=5432, user="postgres", autocommit=True)
DATABASE_PREFIX = "jwwchaos"
# The campaign's own connections (its checks read the stores) carry this name, so
# that the connection kills, meant for the platform's, spare them.
OWN_CONNECTIONS = "jww-chaos-campaign"


def new_run_id() -> str:
    return uuid.uuid4().hex[:8]


def prepare_environment(workdir: Path, run: str) -> None:
    """Development keys and broker-user names of the campaign's own, in the
    environment every process it starts inherits (as the test session's fixtures
    do), so a campaign never changes the developer's keys or another run's users."""
    folder = workdir / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["JWW_KEYS_DIR"] = str(folder)
    os.environ["PGAPPNAME"] = OWN_CONNECTIONS  # libpq's default application_name, for this process
    os.environ["JWW_BROKER_USER_PREFIX"] = f"jwwc{run}"
    os.environ["JWW_BROKER_SECRETS_DIR"] = str(workdir / "broker")
    (workdir / "broker").mkdir(exist_ok=True)
    keys.ensure_development_keys(keys.platform_key_names(), folder)
    from shared import config

    datakeys.ensure_development_keks(list(config.SERVICES), folder)
    recipients.ensure_development_keys(directory_organisations(os.environ))


class SupervisedPlatform(Platform):
    """The tests' platform with a watcher that starts a dead process again after a
    short backoff. ``address`` is the AMQP address the processes get (several
    ``;``-separated nodes on a cluster); ``amqp_uri`` (with guest's credentials) is
    what the campaign's own RPC proxies use."""

    def __init__(self, workdir: Path, amqp_uri: str, address: str, store: dict[str, str] | None = None,
                 say: Callable[[str], None] = lambda line: None, restart_delay: float = 0.5):
        super().__init__(workdir, amqp_uri, store)
        self.address = address
        self.say = say
        self.restart_delay = restart_delay
        self.restarts: dict[str, int] = {}
        self._roles: dict[tuple[str, str], str] = {}
        self._stopping = threading.Event()
        self._watching = threading.Lock()  # a restart and a kill never cross
        self._watcher = threading.Thread(target=self._watch, name="chaos-supervisor", daemon=True)
        self._watcher.start()

    def env(self, service: str) -> dict[str, str]:
        env = super().env(service)
        env["AMQP_URI"] = self.address
        env.pop("PGAPPNAME", None)  # the platform's connections are fair game for the faults
        return env

    def start(self, service: str, role: str = "serve", label: str | None = None):
        self._roles[(service, label or role)] = role
        return super().start(service, role, label)

    def kill(self, service: str, role: str) -> int:
        """SIGKILL, as the kernel's OOM killer or a crash would; the watcher starts it
        again. The killed process's id."""
        with self._watching:
            process = self.processes[(service, role)]
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            return process.pid

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            with self._watching:
                dead = [(key, p) for key, p in list(self.processes.items()) if p.poll() is not None]
            for (service, label), process in dead:
                if self._stopping.is_set():
                    return
                time.sleep(self.restart_delay)
                with self._watching:
                    if self._stopping.is_set() or self.processes.get((service, label)) is not process:
                        continue
                    name = f"{service} {label}"
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    self.say(f"supervisor: {name} exited ({process.returncode}); starting it again")
                    super().start(service, self._roles.get((service, label), label), label)

    def stop_all(self, timeout: float = 20) -> None:
        self._stopping.set()
        self._watcher.join(5)
        super().stop_all(timeout)


def postgres_store(run: str) -> dict[str, str]:
    """The tests' ``Platform`` names each service's database ``<prefix>_<service>``."""
    return {"JWW_STORE_KIND": "postgres", "dbname_prefix": f"{DATABASE_PREFIX}_{run}"}


def drop_databases(run: str) -> None:
    with psycopg.connect(dbname="postgres", **PG) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            (f"{DATABASE_PREFIX}_{run}_%",))]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
