"""Run every comparison in order, then print the summary.

    python -m bench                 all comparisons
    python -m bench append relay    only those named

Exits non-zero only when a comparison could not run (an error), never because a
target was missed.
"""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback
import warnings

from bench import (append, audit, idle, latency, pages, relay, report, sealing, sharing, signatures, snapshots,
                   statistics, throughput, unsigned, verification)
from bench.resources import Resources
from shared import config, datakeys, keys

# Name -> function of the Resources returning result rows. Add new comparisons here.
COMPARISONS = {
    "append": append.compare,
    "signatures": signatures.compare,
    "relay": relay.compare,
    "latency": latency.compare,
    "unsigned": unsigned.compare,
    "snapshots": snapshots.compare,
    "audit": audit.compare,
    "sealing": sealing.compare,
    "verification": verification.compare,
    "sharing": sharing.compare,
    "statistics": statistics.compare,
    "throughput": throughput.compare,
    "pages": pages.compare,
    "idle": idle.compare,
}


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through every cleanup


def _load(when: str) -> str:
    """Other work on this machine skews every figure: say how busy it was."""
    one, five, _ = os.getloadavg()
    return f"load average {when}: {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str]) -> int:
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    signal.signal(signal.SIGTERM, _terminate)
    unknown = [name for name in argv if name not in COMPARISONS]
    if unknown:
        print(f"unknown comparison(s) {unknown}; choose from {list(COMPARISONS)}", file=sys.stderr)
        return 2
    keys.ensure_development_keys(keys.platform_key_names())  # the relays sign, as in production
    datakeys.ensure_development_keks(list(config.SERVICES))  # every store seals, as in production
    started = time.monotonic()
    print(_load("at start"), flush=True)
    rows: list[report.Row] = []
    errors: list[str] = []
    for name in argv or list(COMPARISONS):
        try:
            with Resources() as resources:
                rows.extend(COMPARISONS[name](resources))
        except Exception as error:  # report it, run the rest, exit non-zero at the end
            traceback.print_exc()
            errors.append(f"{name}: {type(error).__name__}: {error}")
        except (KeyboardInterrupt, SystemExit):
            print(f"\ninterrupted during {name}; its servers' resources were released", file=sys.stderr)
            raise
    print(report.summary(rows, errors))
    print(f"\nTotal time {time.monotonic() - started:.0f} s; {_load('at end')}", flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
