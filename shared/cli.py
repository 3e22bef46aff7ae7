"""``jww``: the platform's command line.

    jww run [SERVICE ...]   every service (or those named) with its relay, and the
                            gateway (the HTTP API), until Ctrl-C
    jww serve SERVICE       one service's RPC workers and followers (scale these out);
                            `jww serve gateway`: the HTTP API
    jww relay SERVICE       one service's outbox relay (exactly one per service)
    jww catalogue           print the AsyncAPI catalogue of integration events
    jww verify [SERVICE ...] recompute every hash chain in the services' stores
    jww catalogue --publish record new event versions as published
    jww login | api | register-client | ...
                            the platform through its HTTP API (see shared/api_client.py)
    jww timeline | replay | changes | export CLIENT ...
                            an auditor's reading of one client's history
                            (see services/audit/cli.py)

Settings come from ``deploy/<service>/service.toml`` and the environment (see
``shared/config.py``).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import os
import signal
import subprocess
import sys
import time
import warnings

from shared import api_client, config
from services.audit import cli as audit_cli

STOP_GRACE_SECONDS = 10


def _find(module_name: str, predicate):
    module = importlib.import_module(module_name)
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ == module_name and predicate(obj):
            return obj
    raise LookupError(f"nothing suitable in {module_name}")


def serve(service: str) -> int:
    # Before psycopg is imported: its default wait blocks eventlet's hub, so one
    # slow query would stall every worker of the process (DESIGN §10).
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import eventlet

    eventlet.monkey_patch()
    from nameko.runners import ServiceRunner

    from shared import logs, metrics
    from shared.service import SETTINGS_KEY

    settings = config.load(service)
    logs.configure(service, settings.log_level)
    service_cls = _find(f"services.{service}.service", lambda c: getattr(c, "name", None) == service)
    runner = ServiceRunner(config={**settings.nameko_config, SETTINGS_KEY: settings})
    runner.add_service(service_cls)

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
    runner.start()
    # Only now: /metrics doubles as the readiness probe, so it must not answer
    # before the RPC consumers are up.
    metrics.serve(settings.metrics_addr, settings.metrics_port)
    runner.wait()
    return 0


def relay(service: str) -> int:
    from shared import checkpoints, logs, metrics
    from shared.messaging import ConfirmingPublisher, exchange_name
    from shared.outbox import Outbox
    from shared.relay import Relay
    from shared.singleton import sole_relay
    from shared.store import ServiceApplication

    settings = config.load(service)
    logs.configure(f"{service}-relay", settings.log_level)
    app_cls = _find(
        f"services.{service}.application",
        lambda c: issubclass(c, ServiceApplication) and c.service_name == service,
    )
    app = app_cls(store=settings.store)
    the_relay = Relay(
        Outbox(app),
        ConfirmingPublisher(settings.amqp_uri, exchange_name(service)),
        batch=settings.relay_batch,
        poll_seconds=settings.relay_poll_seconds,
        checkpoint=lambda: checkpoints.take(app.recorder, settings.checkpoint_path),
        checkpoint_seconds=settings.checkpoint_minutes * 60,
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
    """One sentence saying what to do if RabbitMQ cannot be reached, else None."""
    import amqp

    from shared.messaging import connection_params

    params = connection_params(uri)
    try:
        connection = amqp.Connection(**params, connect_timeout=3)
        connection.connect()
        connection.close()
        return None
    except Exception as error:
        where = f"amqp://{params['host']}{'/' if params['virtual_host'] == '/' else '/' + params['virtual_host']}"
        return (
            f"RabbitMQ is not reachable at {where} ({type(error).__name__}): install and start it "
            "(on Debian: 'apt-get install rabbitmq-server' then 'rabbitmq-server -detached'), "
            "or set AMQP_URI to a running broker."
        )


def run(services: list[str]) -> int:
    services = services or [*config.SERVICES, config.GATEWAY]
    settings = {name: config.load(name) for name in services}
    problem = broker_problem(next(iter(settings.values())).amqp_uri)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    children: list[tuple[str, subprocess.Popen]] = []
    for name in services:
        for role in ("serve",) if name == config.GATEWAY else ("serve", "relay"):
            process = subprocess.Popen([sys.executable, "-m", "shared.cli", role, name])
            children.append((f"{name} {role}", process))
    for name, s in settings.items():
        if name == config.GATEWAY:
            print(f"{name:<14} API {s.url}/  document {s.url}/openapi.json"
                  f"  metrics http://127.0.0.1:{s.metrics_port}/metrics", flush=True)
            continue
        where = s.store.sqlite_path if s.store.kind == "sqlite" else f"postgres database {s.store.postgres_dbname}"
        print(
            f"{name:<14} metrics http://127.0.0.1:{s.metrics_port}/metrics"
            f"  relay http://127.0.0.1:{s.relay_metrics_port}/metrics  store {where}",
            flush=True,
        )
    print("All services started; Ctrl-C stops them.", flush=True)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for label, process in children:
            if process.poll() is not None:
                print(f"{label} exited with code {process.returncode}; stopping the platform.", file=sys.stderr)
                stopping, exit_code = True, 1
                break
        time.sleep(0.2)
    for _, process in children:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, process in children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    print("Stopped.", flush=True)
    return exit_code


def catalogue(publish: bool) -> int:
    import json

    from shared.contracts import catalogue as the_catalogue

    if publish:
        added = the_catalogue.publish()
        print(f"published: {', '.join(added) or 'nothing new'}")
    else:
        print(json.dumps(the_catalogue.asyncapi(), indent=2))
    return 0


def verify(services: list[str]) -> int:
    """Exit 0 when every chain holds; otherwise name each broken link and exit 1."""
    from shared import chain, checkpoints
    from shared.progress import Bar
    from shared.store import ServiceApplication

    failed = False
    for service in services or list(config.SERVICES):
        settings = config.load(service)
        app_cls = _find(f"services.{service}.application",
                        lambda c: issubclass(c, ServiceApplication) and c.service_name == service)
        try:
            app = app_cls(store=settings.store)
        except Exception as error:
            print(f"{service}: cannot open its store ({type(error).__name__})", file=sys.stderr)
            failed = True
            continue

        bar = Bar(f"{service}: records", total=app.recorder.max_notification_id() or 0)
        found = [f"BROKEN {link}" for link in chain.verify(app.recorder, bar)]
        found += [f"CHECKPOINT {problem}" for problem in checkpoints.check(app.recorder, settings.checkpoint_path)]
        bar.close()
        if found:
            failed = True
            for problem in found:
                print(f"{service}: {problem}")
        else:
            print(f"{service}: every chain holds, and every signed checkpoint")
        app.close()
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    # nameko 2 needs eventlet; its deprecation notice says nothing an operator can act on.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    parser = argparse.ArgumentParser(prog="jww", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="start services with their relays, until Ctrl-C")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES, config.GATEWAY], metavar="SERVICE")
    for name, text in (("serve", "start one service's RPC workers and followers"), ("relay", "start one service's outbox relay")):
        p = sub.add_parser(name, help=text)
        p.add_argument("service", choices=config.SERVICES if name == "relay" else (*config.SERVICES, config.GATEWAY))
    p = sub.add_parser("verify", help="recompute every hash chain in the services' stores")
    p.add_argument("services", nargs="*", choices=[[], *config.SERVICES], metavar="SERVICE")
    audit_cli.add_commands(sub)
    p = sub.add_parser("catalogue", help="print the AsyncAPI catalogue of integration events")
    p.add_argument("--publish", action="store_true", help="record new event versions as published")
    api_client.add_commands(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run(args.services)
        if args.command == "catalogue":
            return catalogue(args.publish)
        if args.command == "verify":
            return verify(args.services)
        if args.command in api_client.COMMANDS:
            return api_client.run(args)
        if args.command in audit_cli.COMMANDS:
            return audit_cli.run(args)
        return {"serve": serve, "relay": relay}[args.command](args.service)
    except config.ConfigError as error:
        print(f"jww: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
