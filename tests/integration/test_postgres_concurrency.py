"""One slow query must not stall a whole `jww serve` process on PostgreSQL.

`jww serve` sets ``PSYCOPG_WAIT_FUNC=wait_select`` before psycopg is imported:
psycopg 3's default wait (``wait_c``, its C extension, chosen whenever the binary
package is installed and gevent is not patched in) waits for the socket outside of
eventlet's hub, so one query waiting on the database freezes every green thread
of the process, health checks included.

The scenario, against the real PostgreSQL and RabbitMQ: the intake service runs on
a PostgreSQL database of the test's own; the test takes the same lock on the
events table that eventsourcing takes to insert events (``LOCK TABLE ... IN
EXCLUSIVE MODE``), so commands wait on it while plain SELECTs still run. While the
lock is held, concurrent ``register_client`` commands are fired and ``health``
(a SELECT on the store) is called again and again.

* With the setting ``jww serve`` makes, health answers at once while every command
  waits, and every command succeeds once the lock is released.
* With psycopg's default wait put back (negative control), the first waiting
  command freezes the process: health answers only after the lock is released.
"""
from __future__ import annotations

import threading
import time

import psycopg
import pytest

from shared import config
from tests.support.platform import Platform, count_events, signed_rpc
from tests.support.samples import WORKER, registration_payload

pytestmark = [pytest.mark.broker, pytest.mark.postgres]

PG = dict(host="127.0.0.1", port=5432, user="postgres")
EVENTS_TABLE = "intakeapplication_events"  # eventsourcing: <application class name>_events
LOCK_SECONDS = 2.0
REGISTRATION = registration_payload(WORKER)

# A `jww serve` process runs at most `max_workers` RPC workers ([service]
# max_workers in its settings) and takes at most that many messages from its RPC
# queue at a time. With that many commands waiting on the lock, health would wait for a free
# worker whatever the database driver does (measured: 10 commands, health answered
# only at release, 2.0 s). So the test fires one command fewer and measures the
# driver, not the worker pool.
MAX_WORKERS = config.load("intake", {}).max_workers
COMMANDS = MAX_WORKERS - 1


@pytest.fixture
def pg_platform(tmp_path, amqp_uri, pg_prefix, request):
    the_platform = Platform(tmp_path, amqp_uri, store={"JWW_STORE_KIND": "postgres", "dbname_prefix": pg_prefix})
    yield the_platform
    # Wait for the process to stop before the vhost and database are dropped.
    for service, role in list(the_platform.processes):
        if the_platform.processes[(service, role)].poll() is None:
            the_platform.stop(service, role)
    the_platform.stop_all()
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        for log in sorted(tmp_path.glob("*.log")):
            print(f"----- {log.name}\n{log.read_text()[-4000:]}")


def start_intake(platform: Platform, wait_func: str | None) -> None:
    """Start `jww serve intake` (no relay), with PSYCOPG_WAIT_FUNC unset (so serve's
    own default applies) or set to ``wait_func``."""
    base_env = platform.env

    def env(service: str) -> dict[str, str]:
        values = base_env(service)
        values.pop("PSYCOPG_WAIT_FUNC", None)
        # One service alone: the pool a process has in production, so that every
        # command can wait on the lock with a connection of its own.
        values["JWW_STORE_POSTGRES_POOL_SIZE"], values["JWW_STORE_POSTGRES_MAX_OVERFLOW"] = "5", "10"
        if wait_func is not None:
            values["PSYCOPG_WAIT_FUNC"] = wait_func
        return values

    platform.env = env
    platform.start("intake", "serve")
    platform.wait_healthy("intake")
    # One health round trip more, so the store's connection pool is open and warm.
    with platform.rpc() as rpc:
        rpc.intake.health()


def waiting_on_lock(conn: psycopg.Connection) -> int:
    """How many sessions wait for a lock on the events table."""
    return conn.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = %s AND NOT l.granted",
        (EVENTS_TABLE,),
    ).fetchone()[0]


def run_scenario(platform: Platform) -> dict:
    """Hold the events table lock for LOCK_SECONDS while COMMANDS commands are fired
    and health is called in a loop; then release it and collect what happened."""
    dbname = platform.settings("intake").store.postgres_dbname
    results: list = [None] * COMMANDS
    health_calls: list[tuple[float, float]] = []  # (started, answered), monotonic
    ready = threading.Barrier(COMMANDS + 2)  # every RPC proxy connected, and the test
    fire, probe, released = threading.Event(), threading.Event(), threading.Event()
    timeout = LOCK_SECONDS + 15

    def register(index: int) -> None:
        try:
            with signed_rpc(platform.amqp_uri, timeout=timeout) as rpc:
                ready.wait(10)
                fire.wait(10)
                results[index] = rpc.intake.register_client(REGISTRATION)
        except Exception as error:  # noqa: BLE001 (reported by the assertions)
            results[index] = error

    def probe_health() -> None:
        with signed_rpc(platform.amqp_uri, timeout=timeout) as rpc:
            rpc.intake.health()  # the reply queue is set up before the clock runs
            ready.wait(10)
            probe.wait(10)
            while not released.is_set():
                started = time.monotonic()
                rpc.intake.health()
                health_calls.append((started, time.monotonic()))
                time.sleep(0.05)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(COMMANDS)]
    threads.append(threading.Thread(target=probe_health))
    for thread in threads:
        thread.start()
    ready.wait(15)
    with psycopg.connect(dbname=dbname, autocommit=True, **PG) as observer, psycopg.connect(dbname=dbname, **PG) as locker:
        locker.execute(f"LOCK TABLE public.{EVENTS_TABLE} IN EXCLUSIVE MODE")  # opens a transaction
        locked_at = time.monotonic()
        fire.set()
        most_waiting = 0
        while most_waiting == 0 and time.monotonic() < locked_at + LOCK_SECONDS / 2:
            most_waiting = waiting_on_lock(observer)
            time.sleep(0.01)
        assert most_waiting >= 1, "no command reached the events table lock"
        probe.set()
        while time.monotonic() < locked_at + LOCK_SECONDS:
            most_waiting = max(most_waiting, waiting_on_lock(observer))
            time.sleep(0.05)
        done_while_locked = sum(1 for r in results if r is not None)
        released_at = time.monotonic()
        locker.commit()
    released.set()
    for thread in threads:
        thread.join(timeout + 5)

    app = platform.application("intake")
    try:
        registrations = count_events(app, "Client.Registered")
    finally:
        app.close()
    return dict(
        locked_at=locked_at,
        released_at=released_at,
        health_calls=health_calls,
        most_waiting=most_waiting,
        done_while_locked=done_while_locked,
        results=results,
        registrations=registrations,
    )


def test_health_answers_while_commands_wait_on_the_database(pg_platform):
    start_intake(pg_platform, wait_func=None)  # as ops run it: serve picks wait_select
    outcome = run_scenario(pg_platform)

    during = [(s, a) for s, a in outcome["health_calls"] if a < outcome["released_at"]]
    durations = [round(a - s, 3) for s, a in during]
    # Every command was in the database at once, waiting on the lock ...
    assert outcome["most_waiting"] == COMMANDS
    assert outcome["done_while_locked"] == 0
    # ... and meanwhile the same process answered health, again and again, at once.
    assert len(during) >= 3, durations
    assert max(durations) < 1.0, durations
    # Once the lock is released every command succeeds, each stored exactly once.
    errors = [r for r in outcome["results"] if not (isinstance(r, dict) and "client_id" in r)]
    assert errors == []
    assert len({r["client_id"] for r in outcome["results"]}) == COMMANDS
    assert outcome["registrations"] == COMMANDS


def test_negative_control_psycopg_default_wait_freezes_the_process(pg_platform):
    """psycopg's default wait_c (what an unset PSYCOPG_WAIT_FUNC gives under
    eventlet) put back into the service's environment: the test must see it."""
    from psycopg import waiting

    assert hasattr(waiting, "wait_c"), "psycopg's C wait function is gone; revisit this control"
    start_intake(pg_platform, wait_func="wait_c")
    outcome = run_scenario(pg_platform)

    calls = outcome["health_calls"]
    assert calls, "health never answered"
    first_started, first_answered = calls[0]
    # The first command to wait on the lock froze the whole process: the other
    # commands never reached the database, and health answered only after release.
    assert outcome["most_waiting"] == 1
    assert first_answered >= outcome["released_at"]
    assert first_answered - first_started > LOCK_SECONDS / 2
    # Nothing is lost, it is only serialised.
    assert all(isinstance(r, dict) and "client_id" in r for r in outcome["results"])
    assert outcome["registrations"] == COMMANDS
