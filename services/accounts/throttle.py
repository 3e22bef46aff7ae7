"""Safe sign-in: how often a username and a client address may fail, and how many
passwords are checked at once.

A key (a username's keyed hash, a client address) fails freely a few times; each
further failure doubles the wait before the next attempt (exponential backoff), and
after ``lockout_after`` failures the key is locked for ``lockout_seconds``. A
success clears the username's count, not the address's (one address may be many
people behind one proxy, so its limits are wider). An attempt that must wait is
answered without checking the password at all.

The state is this process's: with several accounts instances behind the queue, an
attacker gets at most the limits times the instances (stated in deploy/README.md).
"""
from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass, field
from typing import Callable

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Limits:
    free: int  # failures allowed before any wait
    lockout_after: int  # failures that lock the key
    base_seconds: float = 1.0  # the first wait; doubled at each further failure
    max_wait_seconds: float = 300.0
    lockout_seconds: float = 900.0
    forget_seconds: float = 3600.0  # a key that did not fail for this long starts afresh


USERNAME_LIMITS = Limits(free=3, lockout_after=10)
ADDRESS_LIMITS = Limits(free=20, lockout_after=100)


@dataclass
class _Failures:
    count: int = 0
    last: dt.datetime | None = None
    until: dt.datetime | None = None  # no attempt before this


@dataclass
class Throttle:
    """Failures per key, in memory; bounded: the oldest keys go first when full."""

    limits: Limits
    clock: Clock
    max_keys: int = 100_000
    _keys: dict[str, _Failures] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str) -> int:
        """Seconds before ``key`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            failures = self._fresh(key, now)
            if failures is None or failures.until is None or failures.until <= now:
                return 0
            return max(1, math.ceil((failures.until - now).total_seconds()))

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            failures = self._fresh(key, now) or _Failures()
            failures.count += 1
            failures.last = now
            if failures.count >= self.limits.lockout_after:
                failures.until = now + dt.timedelta(seconds=self.limits.lockout_seconds)
            elif failures.count > self.limits.free:
                doubling = self.limits.base_seconds * 2 ** (failures.count - self.limits.free - 1)
                failures.until = now + dt.timedelta(seconds=min(doubling, self.limits.max_wait_seconds))
            self._keys.pop(key, None)
            self._keys[key] = failures  # most recent last
            while len(self._keys) > self.max_keys:
                self._keys.pop(next(iter(self._keys)))

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def _fresh(self, key: str, now: dt.datetime) -> _Failures | None:
        failures = self._keys.get(key)
        if failures is None:
            return None
        quiet_since = max(failures.last, failures.until or failures.last)
        if (now - quiet_since).total_seconds() > self.limits.forget_seconds:
            del self._keys[key]
            return None
        return failures


class PasswordChecks:
    """At most ``limit`` argon2 checks at once (each takes 64 MiB): one more is not
    queued but answered at once, so a burst cannot push the process past its memory."""

    def __init__(self, limit: int):
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self.in_progress = 0
        self.refused = 0  # how many found every slot taken (also a metric)

    def run(self, check: Callable[[], bool]) -> bool | None:
        """The check's result, or None when every slot is taken."""
        if not self._slots.acquire(blocking=False):
            self.refused += 1
            return None
        self.in_progress += 1
        try:
            return check()
        finally:
            self.in_progress -= 1
            self._slots.release()
