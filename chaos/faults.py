"""The faults, spread over the load: broker restarts (graceful and hard), SIGKILLs of
workers and relays, PostgreSQL connections terminated every few seconds, and one
cluster node stopped.

Restarts, kills and the node stop are placed by the load's progress: fault ``k``
of ``n`` starts once ``k / (n + 1)`` of the commands have been taken up, and no
command past that point is sent before it has started (``gate``), so every fault
falls under load whatever rate the platform reaches. They run one after the other,
as each waits for its node to come back. Connection kills run on their own clock
beside them.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

import psycopg

from chaos.platform import DATABASE_PREFIX, OWN_CONNECTIONS, PG

# Workers and relays of the services the commands touch and of their followers.
KILL_TARGETS = (("guidance", "serve"), ("guidance", "relay"), ("audit", "serve"), ("notifications", "serve"),
                ("audit", "relay"), ("notifications", "relay"))


@dataclass(frozen=True)
class Fault:
    at: float  # share of the commands done
    kind: str  # broker_restart_graceful | broker_restart_hard | process_kill | cluster_node_stop
    target: str = ""


def plan(broker_restarts: int, kills: int, cluster_stop: bool) -> list[Fault]:
    """Graceful and hard restarts alternate (graceful first); kills fall between them."""
    kinds: list[tuple[str, str]] = []
    restarts = [("broker_restart_graceful" if i % 2 == 0 else "broker_restart_hard", "") for i in range(broker_restarts)]
    killing = [("process_kill", " ".join(KILL_TARGETS[i % len(KILL_TARGETS)])) for i in range(kills)]
    while restarts or killing:
        if restarts:
            kinds.append(restarts.pop(0))
        if killing:
            kinds.append(killing.pop(0))
    if cluster_stop:
        kinds.insert(len(kinds) // 2, ("cluster_node_stop", "node 1"))
    return [Fault((k + 1) / (len(kinds) + 1), kind, target) for k, (kind, target) in enumerate(kinds)]


class Faults:
    def __init__(self, faults: list[Fault], platform, broker, progress: Callable[[], float],
                 say: Callable[[str], None], pg_run: str | None = None, pg_every: float = 0.0):
        self.faults, self.platform, self.broker, self.progress, self.say = faults, platform, broker, progress, say
        self.pg_run, self.pg_every = pg_run, pg_every
        self.done: dict[str, int] = {}
        self.log: list[dict] = []  # what was done, when, how long it took
        self.pg_connections_terminated = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._scheduled, name="chaos-faults", daemon=True)]
        if pg_run and pg_every > 0:
            self._threads.append(threading.Thread(target=self._pg_killer, name="chaos-pg-kills", daemon=True))
        self._began = time.monotonic()
        self._stopped_node: int | None = None
        self._cancelled = False
        self.started = 0  # faults started so far, in plan order
        # Why the thread that makes the faults ended before its plan did; the campaign
        # then stops its load at once (``on_failure``) rather than run it out for nothing.
        self.failed: str | None = None
        self.on_failure: Callable[[], None] = lambda: None

    def gate(self, share: float) -> None:
        """Called by the load before it sends the command at ``share`` of the load:
        it waits until every fault placed before that point has started."""
        while (self.started < len(self.faults) and self.faults[self.started].at <= share
               and not self._cancelled):
            time.sleep(0.02)

    def start(self) -> None:
        self._began = time.monotonic()
        for thread in self._threads:
            thread.start()

    def finish(self, timeout: float = 600) -> None:
        """Wait for the scheduled faults still due (the load is over), then stop the
        connection kills; a cluster node still stopped is started again."""
        self._threads[0].join(timeout)
        self._stop.set()
        for thread in self._threads[1:]:
            thread.join(30)
        if self._stopped_node is not None:
            self.broker.start_node(self._stopped_node)
            self._stopped_node = None

    def cancel(self) -> None:
        """The campaign failed: no fault is started any more."""
        self._cancelled = True
        self._stop.set()

    def _count(self, kind: str, target: str, seconds: float) -> None:
        self.done[kind] = self.done.get(kind, 0) + 1
        self.log.append({"kind": kind, "target": target, "at_progress": round(self.progress(), 3),
                         "after_seconds": round(time.monotonic() - self._began, 1), "seconds": round(seconds, 1)})

    def _scheduled(self) -> None:
        try:
            self._make_faults()
        except Exception as error:  # the plan can no longer be kept: the campaign cannot pass
            self.failed = f"{type(error).__name__}: {error}"
            self.say(f"faults: the fault thread failed, the campaign stops: {self.failed}")
            self._cancelled = True
            self.on_failure()

    def _make_faults(self) -> None:
        restarts = 0
        for fault in self.faults:
            while self.progress() < fault.at and not self._cancelled:
                time.sleep(0.1)
            if self._cancelled:
                return
            began = time.monotonic()
            self.started += 1  # the load goes on while it runs
            self.say(f"fault: {fault.kind} {fault.target}".rstrip() + f" at {self.progress():.0%} of the commands")
            if fault.kind.startswith("broker_restart"):
                if self._stopped_node is not None:  # a cluster keeps a majority: bring the stopped node back first
                    self.broker.start_node(self._stopped_node)
                    self._stopped_node = None
                self.broker.restart(hard=fault.kind.endswith("hard"), index=restarts)  # each node in turn
                restarts += 1
            elif fault.kind == "process_kill":
                service, role = fault.target.split()
                self.platform.kill(service, role)
            elif fault.kind == "cluster_node_stop":
                self.broker.stop_node(1)
                self._stopped_node = 1
            self._count(fault.kind, fault.target, time.monotonic() - began)

    def _pg_killer(self) -> None:
        pattern = f"{DATABASE_PREFIX}_{self.pg_run}_%"
        while not self._stop.wait(self.pg_every):
            began = time.monotonic()
            try:
                with psycopg.connect(dbname="postgres", connect_timeout=5, **PG) as conn:
                    rows = conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname LIKE %s AND pid <> pg_backend_pid() AND application_name <> %s",
                        (pattern, OWN_CONNECTIONS)).fetchall()
            except psycopg.Error as error:
                self.say(f"fault: PostgreSQL connection kill failed ({type(error).__name__})")
                continue
            terminated = sum(1 for (ok,) in rows if ok)
            self.pg_connections_terminated += terminated
            self._count("pg_connections_killed", f"{terminated} connections", time.monotonic() - began)
