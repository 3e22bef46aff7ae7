"""Keeps ``jww run``'s child processes running.

A child that exits while the platform is not stopping is started again after a
backoff that doubles from ``first_delay`` up to ``max_delay``, and is quick again
once the child had stayed up for ``steady_after`` seconds. The platform stops only
on Ctrl-C or SIGTERM, or when one child keeps failing at start: ``give_up_after``
exits in a row, each within ``quick_exit`` seconds of its start (a broken setting or
a missing key, which no restart mends).

This is for ``make run`` and small sites on one machine. In production Kubernetes
restarts containers (with a backoff of its own) and nothing here runs.

The clock and the sleep are passed in, so the restart policy is tested without
waiting and with stand-ins for the processes.
"""
from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol


class Process(Protocol):
    """What the supervisor needs of a child: ``subprocess.Popen`` has it."""

    returncode: int | None

    def poll(self) -> int | None: ...

    def send_signal(self, signum: int) -> None: ...

    def kill(self) -> None: ...

    def wait(self) -> int: ...


@dataclass(frozen=True)
class Policy:
    first_delay: float = 0.5
    max_delay: float = 30.0
    steady_after: float = 60.0
    quick_exit: float = 5.0
    give_up_after: int = 5


@dataclass
class Child:
    label: str  # "guidance serve"
    start: Callable[[], Process]
    log_path: Path | None = None  # None: its output goes to the terminal
    process: Process | None = None
    started_at: float = 0.0
    restart_at: float | None = None  # set while it waits for its backoff
    restarts: int = 0
    quick_exits: int = 0  # in a row
    delay: float | None = None  # the next backoff


class Supervisor:
    def __init__(self, children: list[Child], policy: Policy = Policy(), *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 say: Callable[[Child, str, bool], None] = lambda child, line, final: print(line)):
        self.children = children
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.say = say
        self.stopping = False  # set from a signal handler: checked before every restart

    def request_stop(self, *_signal_handler_args) -> None:
        self.stopping = True

    def start(self) -> None:
        for child in self.children:
            self._start(child)

    def watch(self, interval: float = 0.2) -> Child | None:
        """Restart what exits until a stop is asked for; the child that kept failing
        at start, if that is why it returned."""
        while not self.stopping:
            failing = self.check()
            if failing:
                return failing
            self.sleep(interval)
        return None

    def check(self) -> Child | None:
        """One look at every child: note exits, start those whose backoff is over."""
        policy = self.policy
        for child in self.children:
            if self.stopping:  # a Ctrl-C reaches the children too: their exit is no crash
                return None
            now = self.clock()
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self._start(child)
                continue
            code = child.process.poll()
            if code is None:
                continue
            uptime = now - child.started_at
            if child.delay is None or uptime >= policy.steady_after:
                child.delay = policy.first_delay
            child.quick_exits = child.quick_exits + 1 if uptime < policy.quick_exit else 0
            if child.quick_exits >= policy.give_up_after:
                where = f"log: {child.log_path}" if child.log_path else "its output is above"
                self.say(child, f"{child.label} exited within {policy.quick_exit:g} s of starting "
                                f"{child.quick_exits} times in a row ({where}); stopping the platform.", True)
                return child
            child.restarts += 1
            child.restart_at = now + child.delay
            self.say(child, f"{child.label} exited (code {code}); restarting in {child.delay:g} s "
                            f"(restart {child.restarts})")
            child.delay = min(child.delay * 2, policy.max_delay)
        return None

    def stop(self, grace: float) -> None:
        """SIGTERM to every running child, and a kill for those still there after the grace."""
        self.stopping = True
        running = [c.process for c in self.children
                   if c.process is not None and c.restart_at is None and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = self.clock() + grace
        while any(p.poll() is None for p in running) and self.clock() < deadline:
            self.sleep(0.1)
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()

    def _start(self, child: Child) -> None:
        child.process = child.start()
        child.started_at = self.clock()
        child.restart_at = None
