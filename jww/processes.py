"""The platform's processes: ``jww serve``, ``jww relay`` and ``jww run``.

    jww serve SERVICE   one service's RPC workers and followers (scale these out);
                        `jww serve gateway`: the HTTP API
    jww relay SERVICE   one service's outbox relay (exactly one per service)
    jww run [SERVICE ...]
                        every service (or those named) with its relay, and the
                        gateway, each in a child process, until Ctrl-C; the
                        terminal shows where each one is, their JSON log lines
                        go to var/log/ (``--logs``: to the terminal); a process
                        that dies is started again (``jww.supervisor``)
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from jww import broker
from jww.lookup import application_class, service_class
from jww.supervisor import Child, Supervisor
from shared import config, datakeys, keys, production, recipients

STOP_GRACE_SECONDS = 10
# jww run's wait for its children after SIGTERM: their own grace, and some to spare.
STOP_WAIT_SECONDS = 15
LOG_DIR = Path(os.environ.get("JWW_LOG_DIR") or config.PROJECT_ROOT / "var" / "log")


def add_commands(sub) -> None:
    p = sub.add_parser("run", help="start services with their relays, until Ctrl-C")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES, config.GATEWAY], metavar="SERVICE")
    p.add_argument("--logs", action="store_true",
                   help=f"show every process's JSON log lines here, not only in {_relative(LOG_DIR)}/")
    p.set_defaults(run=lambda args: run(args.services, show_logs=args.logs))
    p = sub.add_parser("serve", help="start one service's RPC workers and followers")
    p.add_argument("service", choices=(*config.SERVICES, config.GATEWAY))
    p.set_defaults(run=lambda args: serve(args.service))
    p = sub.add_parser("relay", help="start one service's outbox relay")
    p.add_argument("service", choices=config.SERVICES)
    p.set_defaults(run=lambda args: relay(args.service))


RELAY_POOL = {"POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "2"}


def serve(service: str) -> int:
    settings = config.load(service)
    # A missing key (in production: any secret not properly mounted, a sample file)
    # stops the process here, in one sentence, not in a traceback from inside a
    # starting container.
    if service == config.GATEWAY:
        production.check_gateway(settings)
    else:
        production.check_service(settings, "serve")
        datakeys.load_keks(service)
        keys.signing_key(keys.events_key_name(service))
        config.export_postgres_password()  # the gateway opens no store
    # Before psycopg is imported: its default wait blocks eventlet's hub, so one
    # slow query would stall every worker of the process (DESIGN §10).
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import eventlet

    eventlet.monkey_patch()  # done already by jww.main for `jww serve`; here for a caller of serve() itself
    from nameko.runners import ServiceRunner

    from shared import diagnostics, logs, messaging, metrics, watchdog
    from shared.service import SETTINGS_KEY

    logs.configure(service, settings.log_level)
    messaging.passive_rpc_exchange()
    messaging.transient_rpc()
    runner = ServiceRunner(config={**settings.nameko_config, SETTINGS_KEY: settings})
    runner.add_service(service_class(service))

    def stop_or_kill():
        # A graceful stop lets running workers finish. It can hang when the broker
        # is gone (nameko waits for consumers that cannot cancel), so after a grace
        # period the container is killed; acknowledgements come only after commits,
        # so a kill loses nothing.
        try:
            with eventlet.Timeout(STOP_GRACE_SECONDS):
                runner.stop()
        except eventlet.Timeout:
            runner.kill()

    stopping = []

    def shutdown(signum, frame):
        # Ctrl-C reaches every process of the terminal's group, and `jww run` then
        # sends SIGTERM too: stop once.
        if not stopping:
            stopping.append(signum)
            eventlet.spawn_n(stop_or_kill)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    diagnostics.install()
    runner.start()
    for container in runner.containers:
        watchdog.watch(container)
    # Only now: /metrics doubles as the readiness probe, so it must not answer
    # before the RPC consumers are up.
    metrics.serve(settings.metrics_addr, settings.metrics_port)
    runner.wait()
    return 0


def relay(service: str) -> int:
    from shared import checkpoints, logs, metrics
    from shared.messaging import STREAMS, ConfirmingPublisher, exchange_name
    from shared.relay import Relay
    from shared.singleton import sole_relay

    settings = config.load(service)
    production.check_service(settings, "relay")
    config.export_postgres_password()
    logs.configure(f"{service}-relay", settings.log_level)
    # One reader and one writer at a time: the connections PostgreSQL has to give are for the workers.
    app = application_class(service)(store=settings.store, env=RELAY_POOL)
    the_relay = Relay(
        app.outbox,
        ConfirmingPublisher(settings.relay_amqp_uri, tuple(exchange_name(service, s) for s in STREAMS),
                            ca_file=settings.broker.ca_file),
        batch=settings.relay_batch,
        poll_seconds=settings.relay_poll_seconds,
        checkpoints=checkpoints.Checkpointer(app, app.outbox.key, settings.checkpoint_path,
                                             settings.checkpoint_seconds),
    )
    metrics.serve(settings.metrics_addr, settings.relay_metrics_port)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: the_relay.stopping.set())
    with sole_relay(settings, the_relay.stopping) as active:
        if active:
            the_relay.resume()  # a standby's position is stale by the time it takes over
            the_relay.run()
    return 0


def broker_problem(uri: str) -> str | None:
    """One sentence saying what to do if RabbitMQ cannot be reached (no node of a
    failover list answers), else None."""
    from shared.messaging import connect, connection_params

    try:
        connection, _ = connect(uri, connect_timeout=3)
        connection.close()
        return None
    except Exception as error:
        params = connection_params(uri)
        vhost = "/" if params["virtual_host"] == "/" else "/" + params["virtual_host"]
        where = f"{'amqps' if params['ssl'] else 'amqp'}://{params['host']}{vhost}"
        return (
            f"RabbitMQ is not reachable at {where} ({type(error).__name__}): install and start it "
            "(on Debian: 'apt-get install rabbitmq-server' then 'rabbitmq-server -detached'), "
            "or set AMQP_URI to a running broker."
        )


def run(services: list[str], show_logs: bool = False) -> int:
    """Every process in the foreground: the terminal shows where each service is and
    what to do next; the JSON log lines go to a file per process (``--logs``: here)."""
    services = services or [*config.SERVICES, config.GATEWAY]
    production.no_development_keys()  # jww run makes development keys: a developer's machine only
    settings = {name: config.load(name) for name in services}
    problem = broker_problem(next(iter(settings.values())).amqp_uri)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    created = keys.ensure_development_keys(keys.platform_key_names())
    created += datakeys.ensure_development_keks(list(config.SERVICES))
    # Each organisation of the sample directory stands in for a partner holding its
    # own key pair: its feed is sealed to the public half.
    created += recipients.ensure_development_keys(broker.directory_organisations(os.environ))
    if created:
        print(f"Created development keys under {_relative(keys.keys_dir())}/ (for this machine only; "
              "production mounts its own).", flush=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    children = [
        _child(name, role, show_logs)
        for name in services
        for role in (("serve",) if name == config.GATEWAY else ("serve", "relay"))
    ]
    supervisor = Supervisor(children, say=lambda child, line, final=False: _say(child, line, final, show_logs))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, supervisor.request_stop)
    supervisor.start()
    _print_addresses(settings)
    print("All services started; Ctrl-C stops them.", flush=True)
    if not show_logs:
        print(f"Logs: {_relative(LOG_DIR)}/<service>-<serve|relay>.log (or jww run --logs). "
              "Next: the README's walk-through, signed in as apo-sa-1.", flush=True)
    if "accounts" in settings:  # WAVE2 7: the sample users' second factors are published too
        print("Sample users: password sample-<username>; coordinators, auditor-1 and admin-1 also "
              "give their one-time code: jww totp <username>. funder-1 reads the figures (GET /figures, or "
              "the pages: /app/figures).",
              flush=True)

    failing = supervisor.watch()
    supervisor.stop(grace=STOP_WAIT_SECONDS)
    print("Stopped.", flush=True)
    return 1 if failing else 0


def _child(name: str, role: str, show_logs: bool) -> Child:
    log_path = LOG_DIR / f"{name}-{role}.log"

    def start() -> subprocess.Popen:
        if show_logs:
            return subprocess.Popen([sys.executable, "-m", "jww", role, name])
        with log_path.open("a") as output:  # the child holds its own copy of the file
            return subprocess.Popen([sys.executable, "-m", "jww", role, name], stdout=output,
                                    stderr=subprocess.STDOUT)

    return Child(f"{name} {role}", start, None if show_logs else _relative(log_path))


def _say(child: Child, line: str, final: bool, show_logs: bool) -> None:
    """One line per restart; the log's last lines too when the platform gives up."""
    print(line, file=sys.stderr, flush=True)
    if final and not show_logs:
        print(f"Its last log lines ({child.log_path}):\n{_tail(child.log_path)}", file=sys.stderr, flush=True)


def _relative(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def _tail(path: Path, lines: int = 10) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(none)"


def _print_addresses(settings: dict[str, config.Settings]) -> None:
    for name, s in settings.items():
        if name == config.GATEWAY:
            print(f"{name:<14} API {s.url}/  document {s.url}/openapi.json"
                  f"  metrics http://127.0.0.1:{s.metrics_port}/metrics", flush=True)
            print(f"{'pages':<14} {s.url}/app/  (sign in in a browser)", flush=True)
            continue
        where = s.store.sqlite_path if s.store.kind == "sqlite" else f"postgres database {s.store.postgres_dbname}"
        print(
            f"{name:<14} metrics http://127.0.0.1:{s.metrics_port}/metrics"
            f"  relay http://127.0.0.1:{s.relay_metrics_port}/metrics  store {where}",
            flush=True,
        )
