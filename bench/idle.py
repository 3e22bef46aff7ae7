"""What an idle platform costs: every service's workers and relay and the gateway,
started and settled, then left alone; their CPU time over a quiet stretch, as a share
of one core. Beside it, in the same stretch, the system RabbitMQ broker's own idle
CPU: the raw cost of a process that only keeps its connections alive.

Goal (issue 21): at most 2% of one core for the whole platform. Each process's share
is printed, so the one that spends it is named."""
from __future__ import annotations

import os
import time
from pathlib import Path

from bench import report
from bench.resources import Resources
from bench.throughput import CpuShare, cpu_seconds
from shared import config

SETTLE_SECONDS = float(os.environ.get("BENCH_IDLE_SETTLE", "20"))  # first-start work done: directories, queues
QUIET_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
GOAL_PERCENT = 2.0


def broker_pid() -> int | None:
    """The system broker's Erlang VM, from the pid file Debian's rabbitmq-server keeps."""
    for pid_file in Path("/var/lib/rabbitmq/mnesia").glob("rabbit@*.pid"):
        try:
            return int(pid_file.read_text().strip())
        except (OSError, ValueError):
            continue
    return None


def compare(res: Resources) -> list[report.Row]:
    report.section(f"An idle platform ({len(config.SERVICES)} services with their relays, and the gateway): "
                   f"CPU over {QUIET_SECONDS:g} s after {SETTLE_SECONDS:g} s to settle")
    platform = res.platform()
    platform.start_services(*config.SERVICES)
    platform.start_gateway()
    time.sleep(SETTLE_SECONDS)
    broker = broker_pid()
    broker_before = cpu_seconds(broker) if broker else 0.0
    with CpuShare(platform) as cpu:
        time.sleep(QUIET_SECONDS)
    broker_used = (cpu_seconds(broker) - broker_before) if broker else float("nan")
    share = {name: 100 * used / QUIET_SECONDS for name, used in cpu.used.items()}
    top = sorted(share.items(), key=lambda item: -item[1])[:8]
    report.detail("busiest: " + ", ".join(f"{name} {percent:.2f}%" for name, percent in top))
    return [report.latency_row("idle platform, CPU (% of one core)", sum(share.values()),
                               "idle RabbitMQ broker", 100 * broker_used / QUIET_SECONDS, max_ours=GOAL_PERCENT,
                               unit="%")]
