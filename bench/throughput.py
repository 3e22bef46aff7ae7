"""Commands per second through the HTTP API: "record an intervention" beside the
cheapest authenticated request through the same gateway and RPC path.

Ours: the real processes (``jww serve`` and ``jww relay`` of every service, or of
those ``BENCH_THROUGHPUT_SERVICES`` names, and ``jww serve gateway``) on a fresh vhost
with SQLite stores in a temporary folder. ``CLIENTS`` clients are registered,
accepted and assigned to the sample caseworkers over the API (chaos/load.py's
well-behaved client); then ``THREADS`` threads, each with its own keep-alive
connection and a caseworker's bearer token, POST
``/trajectories/{client_id}/interventions`` with a fresh ``Idempotency-Key``, paced
at ``PACED_RATE`` per second and then as fast as the platform answers.

Baseline: the platform has no no-op command (WAVE2 26 asks for one; issue 21), so
the baseline is the cheapest authenticated request that crosses the same path:
``GET /agencies`` (token check, revocation copy, actor assertion, one RPC to
intake answering its staff directory, whose size does not grow with the load),
from the same threads in the same run. ``GET /trajectories/{client_id}`` is not
used: its answer lists every intervention, so its cost grows with the commands.
Baseline and ours alternate ``ROUNDS`` times, so a neighbour's load on the
machine falls on both.
"""
from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench import report
from bench.resources import Resources
from chaos.load import Tokens, open_trajectories
from shared import config

CLIENTS = 20
THREADS = 16
PACED_RATE = 100.0  # the rate the fault campaign asked for (issue 18)
SECONDS = 15.0  # measured per phase
ROUNDS = 2  # baseline and ours alternate this many times at saturation
# The whole stack by default, every follower taking its share of the CPU (issue 21);
# BENCH_THROUGHPUT_SERVICES=intake,guidance,accounts measures the path alone.
SERVICES = tuple(filter(None, os.environ.get("BENCH_THROUGHPUT_SERVICES", "").split(","))) or config.SERVICES
TARGET_RATIO = 0.5  # of the baseline (issue 21)


@dataclass
class Phase:
    name: str
    rate: float | None  # None: as fast as answered
    seconds: float = SECONDS
    latencies: list[float] = field(default_factory=list)  # seconds, answered 2xx
    statuses: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def achieved(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        ms = [s * 1000 for s in self.latencies] or [float("nan")]
        one, five, _ = os.getloadavg()
        asked = f"{self.rate:.0f}/s" if self.rate else "saturation"
        return (f"{self.name:<44} asked {asked:<10} achieved {self.achieved:6.1f}/s  "
                f"p50 {report.percentile(ms, 50):6.1f} ms  p99 {report.percentile(ms, 99):7.1f} ms  "
                f"statuses {dict(sorted(self.statuses.items()))}  load {one:.2f}/{five:.2f}")


class Driver:
    """``THREADS`` threads, one keep-alive connection each, sending ``request(i)``
    (method, path, body, user) paced at ``phase.rate`` (request ``i`` due at
    ``start + i / rate``) or back to back, for ``phase.seconds``."""

    def __init__(self, url: str, tokens: Tokens, threads: int = THREADS):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.tokens, self.threads = tokens, threads

    def run(self, phase: Phase, request) -> Phase:
        counter = itertools.count()
        lock = threading.Lock()
        started = time.monotonic()
        stop = started + phase.seconds

        def work() -> None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                while True:
                    i = next(counter)
                    if phase.rate:
                        due = started + i / phase.rate
                        if due > time.monotonic():
                            time.sleep(due - time.monotonic())
                    if time.monotonic() >= stop:
                        return
                    method, path, body, user = request(i)
                    headers = {**self.tokens.header(user), "Content-Type": "application/json"}
                    if method == "POST":
                        headers["Idempotency-Key"] = uuid.uuid4().hex
                    began = time.monotonic()
                    try:
                        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
                        response = connection.getresponse()
                        response.read()
                        status = str(response.status)
                    except (OSError, http.client.HTTPException) as error:
                        connection.close()  # a fresh connection for the next one
                        status = type(error).__name__
                    took = time.monotonic() - began
                    with lock:
                        phase.statuses[status] = phase.statuses.get(status, 0) + 1
                        if status.startswith("2"):
                            phase.latencies.append(took)
            finally:
                connection.close()

        workers = [threading.Thread(target=work, name=f"bench-http-{n}", daemon=True) for n in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        phase.elapsed = time.monotonic() - started
        report.detail(phase.line())
        return phase


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuShare:
    """Each platform process's CPU time over a phase, per request answered: where a
    CPU-bound platform spends its time, whatever else runs on the machine."""

    def __init__(self, platform):
        self.pids = {f"{service} {role}": p.pid for (service, role), p in platform.processes.items()}

    def __enter__(self) -> "CpuShare":
        self.start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def __exit__(self, *exc) -> None:
        self.used = {name: cpu_seconds(pid) - self.start[name] for name, pid in self.pids.items()}

    def line(self, phase: Phase) -> str:
        answered = max(len(phase.latencies), 1)
        top = sorted(self.used.items(), key=lambda item: -item[1])[:6]
        total = sum(self.used.values())
        return (f"CPU ms per request ({phase.name}): all {1000 * total / answered:.1f}; "
                + ", ".join(f"{name} {1000 * used / answered:.1f}" for name, used in top))


def requests(clients: dict[str, str]):
    """``(read, command)``: functions of ``i`` giving each phase's ``i``-th request."""
    ids = list(clients)
    past = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=30)
    times = itertools.count()  # every intervention a time of its own, as a caseworker's would be

    def read(i: int):
        return "GET", "/agencies", None, clients[ids[i % len(ids)]]

    def command(i: int):
        client = ids[i % len(ids)]
        at = (past + dt.timedelta(seconds=next(times))).isoformat()
        return "POST", f"/trajectories/{client}/interventions", {
            "at": at, "minutes": 30, "place": "office", "method": "listening_support",
            "sub_kind": "listening_ear", "domains": ["housing"], "note": "bench"}, clients[client]

    return read, command


def start(res: Resources):
    platform = res.platform()
    platform.start_services(*SERVICES)
    url = platform.start_gateway()
    report.detail("process ids (for a profiler): " + ", ".join(
        f"{service} {role} {process.pid}" for (service, role), process in sorted(platform.processes.items())))
    return platform, url


def compare(res: Resources) -> list[report.Row]:
    report.section(f"Commands through the HTTP API ({THREADS} threads, {CLIENTS} clients, {SECONDS:g} s a phase, "
                   f"{len(SERVICES)} services)")
    platform, url = start(res)
    try:
        tokens = Tokens(url)
        clients = open_trajectories(url, tokens, CLIENTS, report.detail)
        read, command = requests(clients)
        driver = Driver(url, tokens)
        driver.run(Phase("warm-up (commands)", None, seconds=3), command)
        paced = driver.run(Phase("record an intervention", PACED_RATE), command)
        reads, commands = [], []
        for _ in range(ROUNDS):
            for phases, phase, request in ((reads, Phase("baseline: GET /agencies", None), read),
                                           (commands, Phase("record an intervention", None), command)):
                with CpuShare(platform) as cpu:
                    phases.append(driver.run(phase, request))
                report.detail(cpu.line(phase))
    except Exception:
        report.detail("process logs:\n" + platform.log_tails(2000))
        raise
    ours = sum(p.achieved for p in commands) / len(commands)
    base = sum(p.achieved for p in reads) / len(reads)
    saturated = [s * 1000 for p in commands for s in p.latencies]
    paced_ms = [s * 1000 for s in paced.latencies]
    base_ms = [s * 1000 for p in reads for s in p.latencies]
    return [
        report.rate_row("record an intervention, HTTP API, saturation", ours,
                        "authenticated GET /agencies", base, TARGET_RATIO),
        report.rate_row(f"record an intervention, HTTP API, paced at {PACED_RATE:g}/s", paced.achieved,
                        "rate asked", PACED_RATE, 0.95),
        report.latency_row(f"record an intervention p50 at {PACED_RATE:g}/s", report.percentile(paced_ms, 50),
                           "GET p50 at saturation", report.percentile(base_ms, 50)),
        report.latency_row(f"record an intervention p99 at {PACED_RATE:g}/s", report.percentile(paced_ms, 99),
                           "GET p99 at saturation", report.percentile(base_ms, 99)),
        report.latency_row("record an intervention p99 at saturation", report.percentile(saturated, 99),
                           "GET p99 at saturation", report.percentile(base_ms, 99)),
    ]
