"""What every comparison writes: intake client registrations, as a worker would make them."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Iterator

from services.intake.application import IntakeApplication
from services.intake.domain import Client

ACTOR = {"user_id": "bench-sa-1", "role": "social_assistant", "agency": "apo"}
REGISTRATION = {
    "given_names": "Bench",
    "family_name": "Person",
    "birth_date": dt.date(1985, 7, 30),
    "legal_position": "convicted",
    "situation": "probation",
    "languages": ["fr", "ar"],
    "preferred_language": "ar",
    "interpreter_needed": True,
}


def register(app: IntakeApplication):
    """One registration through the command, as the RPC would call it."""
    return app.register_client(ACTOR, **REGISTRATION)


def new_client() -> Client:
    """A registered client not yet saved (its one event is pending)."""
    person = {k: REGISTRATION[k] for k in ("given_names", "family_name")}
    rest = {k: v for k, v in REGISTRATION.items() if k not in ("given_names", "family_name", "birth_date")}
    return Client(
        client_id=uuid.uuid4(), agency=ACTOR["agency"], registered_by=ACTOR, mandating_actor=None,
        personal={**person, "birth_date": REGISTRATION["birth_date"].isoformat(), "national_number": None, "contact": {}},
        **rest,
    )


def prestore(app: IntakeApplication, count: int, per_save: int = 500) -> None:
    """Store ``count`` registrations quickly, ``per_save`` aggregates per transaction."""
    for start in range(0, count, per_save):
        app.save(*(new_client() for _ in range(min(per_save, count - start))))


class RecordingIntake(IntakeApplication):
    """Intake as it is, noting the log position of what its last save stored."""

    last_position = 0

    def save(self, *objs, **kwargs):
        recordings = super().save(*objs, **kwargs)
        if recordings:
            self.last_position = recordings[-1].notification.id
        return recordings


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
