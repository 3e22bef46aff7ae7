"""``python -m chaos``: the fault campaign (issue 18). Full size by default, as
``make chaos`` runs it; every figure can be made smaller for a quick look.

    python -m chaos                                   10,000 commands, both stores, a cluster
    python -m chaos --commands 300 --broker-restarts 2 --kills 1 --store sqlite --no-cluster

Progress goes to stderr, one line at a time; the JSON summary goes to stdout (and
to ``--json PATH``). The exit status is 0 only when the campaign passed: no command
lost, doubled or ghost, every follower equal to a fresh replay, redeliveries seen,
every planned fault done and the platform settled.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

STORES = {"sqlite": ("sqlite",), "postgres": ("postgres",), "both": ("sqlite", "postgres")}


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=10_000, help="commands to send (default 10000)")
    parser.add_argument("--threads", type=int, default=20, help="client threads (default 20)")
    # 100 clients: about 100 facts each over the run, a year of a busy trajectory; with
    # fewer, each command loads a trajectory far longer than any caseworker's.
    parser.add_argument("--clients", type=int, default=100, help="clients the commands are about (default 100)")
    parser.add_argument("--rate", type=float, default=100.0, help="commands per second asked (default 100)")
    parser.add_argument("--broker-restarts", type=int, default=20,
                        help="broker restarts, graceful and hard in turn (default 20)")
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs of workers and relays (default 10)")
    parser.add_argument("--pg-kill-every", type=float, default=5.0,
                        help="seconds between PostgreSQL connection kills, 0 for none (default 5; PostgreSQL only)")
    parser.add_argument("--store", choices=sorted(STORES), default="both", help="store kind (default both)")
    parser.add_argument("--cluster", action=argparse.BooleanOptionalAction, default=True,
                        help="a 3-node cluster, one node stopped under load (default on)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the commands' order and targets")
    parser.add_argument("--deadline", type=float, default=180.0,
                        help="seconds a client keeps retrying one command (default 180)")
    parser.add_argument("--load-timeout", type=float,
                        help="seconds after which no more commands are sent (default: ten times the paced "
                             "duration, plus a minute per fault)")
    parser.add_argument("--settle-timeout", type=float, default=300.0,
                        help="seconds to wait for the followers to catch up at the end (default 300)")
    parser.add_argument("--json", type=Path, help="also write the JSON summary here")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs, SQLite stores) and the PostgreSQL databases")
    args = parser.parse_args(argv)
    for name in ("commands", "threads", "clients"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    for name in ("broker_restarts", "kills", "pg_kill_every"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    if args.rate <= 0:
        parser.error("--rate must be above 0")
    if args.load_timeout is None:
        args.load_timeout = 10 * args.commands / args.rate + 60 * (args.broker_restarts + args.kills + 1)
    return args


class Say:
    """Progress lines on stderr, each with the seconds since the campaign began."""

    def __init__(self):
        self.began = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            print(f"[{time.monotonic() - self.began:7.1f} s] {line}", file=sys.stderr, flush=True)


def campaign(args: argparse.Namespace, store: str, say: Say) -> dict:
    from chaos import checks, faults, load, platform
    from chaos.broker import Broker
    from shared import config

    run = platform.new_run_id()
    workdir = Path(tempfile.mkdtemp(prefix=f"jww-chaos-{run}-"))
    say(f"campaign {run} on {store}: {args.commands} commands, {args.broker_restarts} broker restarts, "
        f"{args.kills} kills{', a cluster' if args.cluster else ''}; working folder {workdir}")
    platform.prepare_environment(workdir, run)
    began = time.monotonic()
    broker = Broker(args.cluster, say)
    the_platform = the_faults = None
    summary: dict = {"run": run, "store": store, "cluster": args.cluster}
    passed = False
    try:
        broker.start()
        say(f"broker: {'3-node cluster' if args.cluster else 'throw-away node'} up and provisioned")
        the_platform = platform.SupervisedPlatform(
            workdir, broker.amqp_uri, broker.address, platform.postgres_store(run) if store == "postgres" else None,
            say)
        the_platform.start_services(*config.SERVICES)
        url = the_platform.start_gateway()
        say(f"platform: {len(the_platform.processes)} processes up")
        tokens = load.Tokens(url)
        clients = load.open_trajectories(url, tokens, args.clients, say)
        the_load = load.Load(url, tokens, clients, args.commands, args.threads, args.rate, run, args.seed,
                             args.deadline, args.load_timeout)
        scheduled = faults.plan(args.broker_restarts, args.kills, args.cluster)
        the_faults = faults.Faults(scheduled, the_platform, broker, lambda: the_load.taken / args.commands, say,
                                   pg_run=run if store == "postgres" else None, pg_every=args.pg_kill_every)
        the_load.gate = the_faults.gate
        the_faults.on_failure = the_load.stop
        reporting = threading.Event()
        threading.Thread(target=_progress, args=(the_load, the_faults, say, reporting), daemon=True).start()
        the_faults.start()
        the_load.run()
        reporting.set()
        if the_faults.failed:
            raise RuntimeError(f"the fault thread failed: {the_faults.failed}")
        say(f"load: done, {the_load.figures()['rate_achieved']} commands/s; finishing the faults")
        the_faults.finish()
        say("checks: the load and the faults are over")
        behind = checks.settle(the_platform, say, args.settle_timeout)
        effects = checks.count_effects(the_platform, the_load.commands, run)
        followers = checks.followers_equal(the_platform, say)
        redeliveries = broker.redeliveries()
        planned: dict[str, int] = {}
        for fault in scheduled:
            planned[fault.kind] = planned.get(fault.kind, 0) + 1
        figures = the_load.figures()
        summary.update({
            "commands": {k: figures[k] for k in ("planned", "sent", "acknowledged", "refused", "gave_up", "not_sent",
                                                 "retried", "retried_then_acknowledged")},
            "lost": effects["lost"], "doubled": effects["doubled"], "ghost": effects["ghost"],
            "lost_by_service": effects["lost_by_service"], "doubled_by_service": effects["doubled_by_service"],
            "ghosts": effects["ghosts"],
            "followers_equal": {name: result["equal"] for name, result in followers.items()},
            "followers": followers,
            "redeliveries": redeliveries,
            "faults_planned": planned,
            "faults_done": the_faults.done,
            "pg_connections_terminated": the_faults.pg_connections_terminated,
            "process_restarts": the_platform.restarts,
            "settled": not behind, "still_behind": behind,
            "rate_asked": figures["rate_asked"], "rate_achieved": figures["rate_achieved"],
            "p50_seconds": figures["p50_seconds"], "p99_seconds": figures["p99_seconds"],
            "attempt_statuses": figures["attempt_statuses"], "refused_statuses": figures["refused_statuses"],
            "load_seconds": figures["load_seconds"],
            "fault_log": the_faults.log,
            "broker_timings": [(what, round(seconds, 1)) for node in broker.nodes for what, seconds in node.timings],
        })
        passed = verdict(summary)
    except (Exception, SystemExit, KeyboardInterrupt) as error:  # a stop signal too: clean up, then tell
        summary["error"] = f"{type(error).__name__}: {error}"
        summary["interrupted"] = not isinstance(error, Exception)
        say(f"campaign {run} failed: {summary['error']}")
        if the_faults is not None:
            the_faults.cancel()
        if the_platform is not None:
            say("last lines of the processes' logs:\n" + the_platform.log_tails(1500))
    finally:
        summary["duration_seconds"] = round(time.monotonic() - began, 1)
        summary["passed"] = passed
        try:
            if the_platform is not None:
                the_platform.stop_all()
        finally:
            broker.close()  # whatever happened: no throw-away node is left running
            if store == "postgres" and not args.keep:
                platform.drop_databases(run)
        if args.keep or not passed:
            summary["working_folder"] = str(workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    say(f"campaign {run} on {store}: {'passed' if passed else 'FAILED'} in {summary['duration_seconds']} s")
    return summary


def verdict(summary: dict) -> bool:
    return (summary["lost"] == summary["doubled"] == summary["ghost"] == 0
            and summary["commands"]["not_sent"] == 0
            and all(summary["followers_equal"].values()) and summary["redeliveries"] > 0
            and all(summary["faults_done"].get(kind, 0) == count for kind, count in summary["faults_planned"].items())
            and summary["settled"])


def _progress(the_load, the_faults, say: Say, done: threading.Event) -> None:
    while not done.wait(5):
        faults_done = sum(the_faults.done.values())
        say(f"load: {the_load.done}/{len(the_load.commands)} commands, "
            f"{the_load.done / max(time.monotonic() - the_load.started, 1e-9):.1f}/s; {faults_done} faults done")


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through every cleanup: processes, nodes, databases


def main(argv: list[str]) -> int:
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("amqp", "kombu", "nameko"):  # the campaign's own health checks meet restarting nodes
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    signal.signal(signal.SIGTERM, _terminate)
    args = arguments(argv)
    say = Say()
    summaries = []
    for store in STORES[args.store]:
        summaries.append(campaign(args, store, say))
        if summaries[-1].get("interrupted"):
            break
    summary = summaries[0] if len(summaries) == 1 else {s["store"]: s for s in summaries}
    text = json.dumps(summary, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0 if all(s["passed"] for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
