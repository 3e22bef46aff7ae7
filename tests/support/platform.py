"""Real service processes for integration and fault tests.

Each test gets its own RabbitMQ vhost and its own stores (SQLite files in the
test's temporary folder, or a PostgreSQL database of its own), and starts the
processes it needs with the same command ops use: ``jww serve`` / ``jww relay``.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

import shared.rpc  # noqa: F401  (registers refusals so RPC callers get them back intact)
from shared import assertions, config
from shared.store import ServiceApplication
from tests.support.broker import wait_until

START_SECONDS = 90.0


class Platform:
    def __init__(self, workdir: Path, amqp_uri: str, store: dict[str, str] | None = None):
        self.workdir = workdir
        self.amqp_uri = amqp_uri
        self.store = store or {}  # extra JWW_STORE_* settings, e.g. for PostgreSQL
        self.processes: dict[tuple[str, str], subprocess.Popen] = {}
        self.extra_env: dict[str, dict[str, str]] = {}  # per service, for one test's needs
        self._applications: dict[str, ServiceApplication] = {}
        self._lock = threading.Lock()  # a writer thread and the test may ask at once
        self.gateway_url = ""

    def env(self, service: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            AMQP_URI=config.without_user(self.amqp_uri),  # each process kind connects as its own broker user
            JWW_STORE_SQLITE_PATH=str(self.workdir / f"{service}.sqlite"),
            JWW_RELAY_CHECKPOINT_PATH=str(self.workdir / f"{service}-checkpoints.jsonl"),
            JWW_METRICS_PORT="0",
            JWW_METRICS_RELAY_PORT="0",
            JWW_SERVICE_LOG_LEVEL="INFO",
        )
        if self.store.get("JWW_STORE_KIND") == "postgres":
            env["JWW_STORE_POSTGRES_DBNAME"] = f"{self.store['dbname_prefix']}_{service}"
            env["JWW_STORE_KIND"] = "postgres"
            # Every process of the seven services on one test server: small pools, so
            # they and the test's own readers stay within its max_connections.
            env.setdefault("JWW_STORE_POSTGRES_POOL_SIZE", "2")
            env.setdefault("JWW_STORE_POSTGRES_MAX_OVERFLOW", "4")
        env.update(self.extra_env.get(service, {}))
        return env

    def settings(self, service: str) -> config.Settings:
        return config.load(service, self.env(service))

    def start(self, service: str, role: str = "serve", label: str | None = None) -> subprocess.Popen:
        """Start ``jww <role> <service>``; ``label`` names a second instance of the same role."""
        label = label or role
        log = open(self.workdir / f"{service}-{label}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "jww", role, service],
            env=self.env(service), stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes[(service, label)] = process
        return process

    def start_services(self, *services: str) -> None:
        for service in services:
            self.start(service, "serve")
            self.start(service, "relay")
        for service in services:
            self.wait_healthy(service)
        if {"intake", "referrals"} <= set(services):
            # Intake learns the partner organisations from referrals' directory facts,
            # published at referrals' first start: a consent to a partner needs them.
            directory = last_published(self.application("referrals"))
            wait_until(lambda: self.application("intake").position_of("referrals") >= directory,
                       timeout=START_SECONDS,
                       what="intake to hear of referrals' partner directory")

    # Waits for start-up are long: fifteen processes importing at once on a busy
    # 2-core machine can take a minute; a process that exits fails at once anyway.
    def wait_healthy(self, service: str, timeout: float = START_SECONDS) -> dict:
        def healthy():
            for (name, role), process in self.processes.items():
                if name == service and process.poll() is not None:
                    raise AssertionError(f"{service} {role} exited:\n{self.logs(service, role)[-3000:]}")
            try:
                with self.rpc(timeout=2) as rpc:
                    return getattr(rpc, service).health()
            except Exception:
                return None

        return wait_until(healthy, timeout=timeout, interval=0.2, what=f"{service} to answer health")

    def start_gateway(self, timeout: float = START_SECONDS, **env: str) -> str:
        """Start ``jww serve gateway`` on a free port; its base URL once it answers.
        People sign in through accounts (WAVE2 7): it is started too when no test
        started it, and, with intake, waits until it knows intake's directory."""
        if ("accounts", "serve") not in self.processes:
            self.start_services("accounts")
        if ("intake", "serve") in self.processes or ("intake", "relay") in self.processes:
            directory = last_published(self.application("intake"))
            wait_until(lambda: self.application("accounts").position_of("intake") >= directory,
                       timeout=START_SECONDS,
                       what="accounts to hear of intake's staff directory")
        port = free_port()
        self.extra_env["gateway"] = {"JWW_GATEWAY_PORT": str(port), **env}
        self.start("gateway")
        self.gateway_url = f"http://127.0.0.1:{port}"

        def answers():
            process = self.processes[("gateway", "serve")]
            if process.poll() is not None:
                raise AssertionError(f"the gateway exited:\n{self.logs('gateway', 'serve')[-3000:]}")
            try:
                return http("GET", self.gateway_url + "/health")[0] == 200
            except OSError:
                return False

        wait_until(answers, timeout=timeout, interval=0.2, what="the gateway to answer")
        return self.gateway_url

    def signal(self, service: str, role: str, signum: int) -> None:
        self.processes[(service, role)].send_signal(signum)

    def kill(self, service: str, role: str) -> None:
        process = self.processes.pop((service, role))
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self, service: str, role: str, timeout: float = 15) -> int:
        process = self.processes.pop((service, role))
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"{service} {role} did not stop within {timeout}s on SIGTERM") from None

    def stop_all(self, timeout: float = 20) -> None:
        for app in self._applications.values():
            app.close()
        self._applications.clear()
        processes = list(self.processes.values())
        self.processes.clear()
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()  # never leave a process behind, whatever state it is in
                process.wait()

    def rpc(self, timeout: float = 10, correlation_id: str | None = None):
        """A proxy to the services that asserts each call's actor as the gateway would."""
        return signed_rpc(self.amqp_uri, timeout, correlation_id)

    def application(self, service: str) -> ServiceApplication:
        """The service's own store, opened from the test to count what it holds."""
        with self._lock:
            return self._application(service)

    def _application(self, service: str) -> ServiceApplication:
        if service not in self._applications:
            from jww.lookup import application_class

            # A test reads: a small pool, so that the processes under test keep PostgreSQL's connections.
            self._applications[service] = application_class(service)(
                store=self.settings(service).store, env={"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "4"})
        return self._applications[service]

    def logs(self, service: str, role: str) -> str:
        path = self.workdir / f"{service}-{role}.log"
        return path.read_text() if path.exists() else ""

    def log_tails(self, chars: int = 4000) -> str:
        """The end of every process's log, to print when a test or a comparison fails."""
        logs = sorted(self.workdir.glob("*.log"))
        return "\n".join(f"----- {log.name}\n{log.read_text()[-chars:]}" for log in logs)


ACTOR_FIELDS = ("user_id", "role", "agency")
SIGNED_IN = {"user_id": "signed-in-user", "role": "coordinator", "agency": "agency-test"}


@contextmanager
def signed_rpc(amqp_uri: str, timeout: float = 10, correlation_id: str | None = None):
    """``ClusterRpcProxy`` whose every call carries an actor assertion signed with the
    session's development gateway key: for the payload's ``actor``, or the gateway's
    system actor when the payload names none (health, a pull)."""
    context = {"correlation_id": correlation_id} if correlation_id else None
    nameko = config.nameko_amqp(amqp_uri, config.amqp_ca_file())
    with ClusterRpcProxy(nameko, timeout=timeout, context_data=context) as proxy:
        yield _Signing(proxy, assertions.Signer(assertions.GATEWAY))


class _Signing:
    def __init__(self, proxy, signer: assertions.Signer, service: str | None = None,
                 lock: threading.Lock | None = None):
        self._proxy, self._signer, self._service = proxy, signer, service
        # Calls from several threads share the proxy's context data between setting
        # the assertion and publishing; the reply is awaited outside the lock.
        self._lock = lock or threading.Lock()

    def __getattr__(self, name: str):
        if self._service is None:
            return _Signing(getattr(self._proxy, name), self._signer, name, self._lock)
        return _SignedMethod(getattr(self._proxy, name), self._signer, self._service, name, self._lock)

    __getitem__ = __getattr__


class _SignedMethod:
    def __init__(self, method, signer: assertions.Signer, service: str, name: str, lock: threading.Lock):
        self.method, self.signer, self.service, self.name, self.lock = method, signer, service, name, lock

    def __call__(self, *args, **kwargs):
        return self.call_async(*args, **kwargs).result()

    def call_async(self, *args, **kwargs):
        actor = self._actor(args[0] if args else None)
        data = self.method.worker_ctx.data
        with self.lock:
            data[assertions.ASSERTION_KEY] = self.signer.assertion(
                actor, self.service, self.name, args, kwargs, data.get("correlation_id") or "")
            try:
                return self.method.call_async(*args, **kwargs)
            finally:
                data.pop(assertions.ASSERTION_KEY, None)

    def _actor(self, payload) -> dict:
        if self.name in assertions.SYSTEM_METHODS:
            return assertions.system_actor(assertions.GATEWAY)
        named = payload.get("actor") if isinstance(payload, dict) else None
        if isinstance(named, dict) and all(isinstance(named.get(key), str) for key in ACTOR_FIELDS):
            return named
        # A payload that names no whole actor is one a test means the contract to refuse:
        # a person signed in at the gateway sends it.
        return SIGNED_IN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body=None, headers: dict | None = None, raw: bytes | None = None):
    """``(status, headers, answer)`` of one HTTP request; error answers are returned, not raised."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer_headers, content = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, content = error.code, error.headers, error.read()
    try:
        answer = json.loads(content) if content else None
    except ValueError:
        answer = content.decode(errors="replace")
    return status, answer_headers, answer


def last_published(app: ServiceApplication) -> int:
    """The position a follower of ``app`` reaches when it has applied everything: that
    of the newest published event (a private one, like a request's marker, may follow)."""
    from shared.outbox import Outbox

    return Outbox(app).last_published_at_or_before(app.head())


def count_events(app: ServiceApplication, topic_suffix: str) -> int:
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
    return sum(1 for n in notifications if n.topic.endswith(topic_suffix))
