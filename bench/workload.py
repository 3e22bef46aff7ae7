"""What every comparison writes: intake registrations of the tests' sample person, by
intake's own command, as a worker would make them."""
from __future__ import annotations

import time
from typing import Iterator

from services.intake.application import IntakeApplication
from tests.support.samples import WORKER, registration_args


class BenchIntake(IntakeApplication):
    """Intake as it is, noting the log position of what its last save stored; while
    ``held`` is a list, what a command would save is kept there instead, so that many
    registrations can be stored in one save."""

    last_position = 0
    held: list | None = None

    def save(self, *objs, **kwargs):
        if self.held is not None:
            self.held.extend(obj for obj in objs if obj is not None)
            return []
        recordings = super().save(*objs, **kwargs)
        if recordings:
            self.last_position = recordings[-1].notification.id
        return recordings


def register(app: IntakeApplication):
    """One registration through the command, as the RPC would call it."""
    return app.register_client(WORKER, **registration_args())


def new_clients(app: BenchIntake, count: int) -> list:
    """``count`` clients registered by the command but not yet saved (each one's
    event is pending)."""
    app.held = []
    try:
        for _ in range(count):
            register(app)
        return app.held
    finally:
        app.held = None


def prestore(app: BenchIntake, count: int, per_save: int = 500) -> None:
    """Store ``count`` registrations quickly, ``per_save`` aggregates per transaction."""
    for start in range(0, count, per_save):
        app.save(*new_clients(app, min(per_save, count - start)))


def paced(rate: float, seconds: float) -> Iterator[int]:
    """Yield 0, 1, 2, ... at a steady ``rate`` per second for ``seconds``: each is
    yielded at its scheduled time (at once when late, so the offered rate holds)."""
    interval = 1.0 / rate
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield i
