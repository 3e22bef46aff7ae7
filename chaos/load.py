"""The well-behaved client: commands over the HTTP API as a careful integrator sends
them, so that what the campaign counts is what such a client would live with.

Each command (record an intervention, plan an appointment) has a fresh
``Idempotency-Key`` and a marker of its own inside the payload (the intervention's
note, the appointment's purpose: both stay in guidance, never in a log line) and a
time of its own (``at``, which guidance publishes), so its effect can be found again
in every store. A command is sent again with the SAME key after an answer that
says "maybe not done" (502, 503, 504, a dropped connection, a timeout) or a 409
from a concurrent command on the same trajectory, after ``Retry-After`` or a
jittered backoff, until a deadline. Every attempt is kept.

The load is paced: command ``i`` is due at ``start + i / rate``; threads that fall
behind send at once, so the achieved rate shows how far the platform kept up.
"""
from __future__ import annotations

import datetime as dt
import http.client
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from tests.support.accounts import credentials
# One HTTP request as the tests make it: (status, headers, answer); no answer raises OSError and its kin.
from tests.support.platform import http as request

WORKERS = ("apo-sa-1", "apo-crim-1")  # caseworkers of APO without a second factor
COORDINATOR = "apo-coord"  # accepts the intakes (with the sample TOTP code)
RETRIED = {409, 502, 503, 504}


@dataclass
class Command:
    index: int
    kind: str  # "intervention" | "appointment"
    client_id: str
    worker: str
    key: str
    marker: str
    at: str  # ISO time, unique in the run
    attempts: list = field(default_factory=list)  # [status or error name, ...]
    outcome: str = ""  # "acknowledged" | "refused" | "gave_up" | "not_sent" (the load's time was up)
    status: int | None = None
    effect_id: str = ""  # intervention_id / appointment_id from the acknowledgement
    seconds: float = 0.0

    def payload(self) -> dict:
        if self.kind == "intervention":
            return {"at": self.at, "minutes": 30, "place": "office", "method": "listening_support",
                    "sub_kind": "listening_ear", "domains": ["housing"], "note": self.marker}
        return {"at": self.at, "with_actor": "justice_assistant", "purpose": self.marker}

    def path(self) -> str:
        return f"/trajectories/{self.client_id}/{self.kind}s"


NO_ANSWER = (OSError, http.client.HTTPException, socket.timeout)


class Tokens:
    """Bearer tokens per user, signed in again when the gateway says 401 (a token
    expires during a long campaign; accounts may not answer during a fault)."""

    def __init__(self, url: str):
        self.url, self._tokens, self._lock = url, {}, threading.Lock()

    def header(self, user: str) -> dict:
        with self._lock:
            if user not in self._tokens:
                self._tokens[user] = self._sign_in(user)
            return {"Authorization": f"Bearer {self._tokens[user]}"}

    def forget(self, user: str) -> None:
        with self._lock:
            self._tokens.pop(user, None)

    def _sign_in(self, user: str, deadline: float = 120) -> str:
        give_up = time.monotonic() + deadline
        while True:
            try:
                status, _, answer = request("POST", self.url + "/auth/token", credentials(user))
                if status == 200:
                    return answer["access_token"]
            except NO_ANSWER:
                status = None
            if time.monotonic() > give_up:
                raise RuntimeError(f"{user} could not sign in (last answer {status})")
            time.sleep(1)


def _must(status_and_answer, expected: tuple[int, ...], what: str):
    status, _, answer = status_and_answer
    if status not in expected:
        raise RuntimeError(f"{what}: {status} {answer}")
    return answer


def open_trajectories(url: str, tokens: Tokens, count: int, say: Callable[[str], None]) -> dict[str, str]:
    """``count`` clients registered, with a help request, accepted by the coordinator
    and assigned to a caseworker, each with its trajectory open in guidance: client id
    -> caseworker."""
    clients: dict[str, str] = {}
    for i in range(count):
        worker = WORKERS[i % len(WORKERS)]
        me = tokens.header(worker)
        client = _must(request("POST", url + "/clients", {
            "given_names": "Chaos", "family_name": f"Client{i:03d}", "birth_date": "1985-07-30",
            "legal_position": "convicted", "situation": "probation", "languages": ["fr", "nl"],
            "preferred_language": "fr"}, me), (201,), "register a client")["client_id"]
        _must(request("POST", f"{url}/clients/{client}/help-requests", {
            "source": "justice_assistant", "domains": ["housing"], "question": "Housing.", "urgency": "normal"},
            me), (200, 201), "record a help request")
        _must(request("POST", f"{url}/clients/{client}/acceptance", {"worker": worker},
                      tokens.header(COORDINATOR)), (200, 201), "accept the intake")
        clients[client] = worker
    say(f"load: {count} clients registered and accepted; waiting for their trajectories")
    for client, worker in clients.items():
        deadline = time.monotonic() + 60
        while request("GET", f"{url}/trajectories/{client}", headers=tokens.header(worker))[0] != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("guidance did not open a trajectory within 60 s")
            time.sleep(0.2)
    return clients


class Load:
    """``commands`` commands over ``clients`` from ``threads`` threads at ``rate`` per
    second. ``taken`` counts the commands taken up (for the fault scheduler), ``done``
    those finished (for the progress lines)."""

    def __init__(self, url: str, tokens: Tokens, clients: dict[str, str], commands: int, threads: int,
                 rate: float, run: str, seed: int, deadline: float = 180.0, load_timeout: float = 3600.0):
        self.url, self.tokens, self.rate, self.deadline = url, tokens, rate, deadline
        # A platform that stops answering altogether would keep every thread retrying
        # for ``deadline`` per command: past ``load_timeout`` nothing more is sent.
        self.load_timeout = load_timeout
        self.threads = threads
        chooser = random.Random(seed)
        ids = list(clients)
        # Past times for interventions (guidance refuses one in the future), future
        # ones for appointments; one second apart, so each is unique in the run.
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        past, future = now - dt.timedelta(days=30), now + dt.timedelta(days=30)
        self.commands: list[Command] = []
        for i in range(commands):
            client = chooser.choice(ids)
            kind = "intervention" if chooser.random() < 0.5 else "appointment"
            at = (past if kind == "intervention" else future) + dt.timedelta(seconds=i)
            self.commands.append(Command(i, kind, client, clients[client], str(uuid.uuid4()),
                                         f"chaos {run} command {i}", at.isoformat()))
        self.done = 0
        self._next = 0  # commands taken up by a thread so far
        self.gate: Callable[[float], None] = lambda share: None  # the fault scheduler's
        self._lock = threading.Lock()
        self._jitter = random.Random(seed + 1)
        self.started = self.finished = self.stop_by = 0.0

    @property
    def taken(self) -> int:
        return self._next

    def stop(self) -> None:
        """Send nothing more: each thread ends after the command it is sending."""
        self.load_timeout = 0.0
        self.stop_by = self.started

    def run(self) -> None:
        self.started = time.monotonic()
        self.stop_by = self.started + self.load_timeout
        workers = [threading.Thread(target=self._work, name=f"chaos-load-{n}", daemon=True)
                   for n in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.finished = time.monotonic()

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._next >= len(self.commands):
                    return
                command = self.commands[self._next]
                self._next += 1
                if time.monotonic() > self.stop_by:
                    command.outcome = "not_sent"
                    self.done += 1
                    continue
            self.gate(command.index / len(self.commands))
            due = self.started + command.index / self.rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            self.send(command)
            with self._lock:
                self.done += 1

    def send(self, command: Command) -> None:
        began = time.monotonic()
        backoff = 0.2
        while True:
            headers = {**self.tokens.header(command.worker), "Idempotency-Key": command.key}
            retry_after = None
            try:
                status, answer_headers, answer = request("POST", self.url + command.path(), command.payload(), headers)
                command.attempts.append(status)
                retry_after = answer_headers.get("Retry-After")
            except NO_ANSWER as error:
                command.attempts.append(type(error).__name__)
                status, answer_headers, answer = None, None, None
            if status is not None and 200 <= status < 300:
                command.outcome, command.status = "acknowledged", status
                command.effect_id = str((answer or {}).get(f"{command.kind}_id", ""))
                break
            if status == 401:
                self.tokens.forget(command.worker)  # expired: sign in again, same key
            elif status is not None and status not in RETRIED:
                command.outcome, command.status = "refused", status
                break
            if time.monotonic() > min(began + self.deadline, self.stop_by):  # stop_by moves on a stop
                command.outcome, command.status = "gave_up", status
                break
            time.sleep(self._pause(retry_after, backoff))
            backoff = min(backoff * 2, 5.0)
        command.seconds = time.monotonic() - began

    def _pause(self, retry_after, backoff: float) -> float:
        try:
            asked = float(retry_after) if retry_after else 0.0
        except ValueError:
            asked = 0.0
        with self._lock:
            jitter = self._jitter.uniform(0.5, 1.5)
        return max(asked, backoff * jitter)

    def figures(self) -> dict:
        seconds = sorted(c.seconds for c in self.commands if c.outcome == "acknowledged")
        duration = max(self.finished - self.started, 1e-9)

        def percentile(p: float):
            return round(seconds[min(len(seconds) - 1, int(p * len(seconds)))], 3) if seconds else None

        return {
            "planned": len(self.commands),
            "sent": sum(c.outcome != "not_sent" for c in self.commands),
            "acknowledged": sum(c.outcome == "acknowledged" for c in self.commands),
            "refused": sum(c.outcome == "refused" for c in self.commands),
            "gave_up": sum(c.outcome == "gave_up" for c in self.commands),
            "not_sent": sum(c.outcome == "not_sent" for c in self.commands),
            "retried": sum(len(c.attempts) > 1 for c in self.commands),
            # Retried after an answer that left the effect unknown (a 503, a timeout, a cut
            # connection), then acknowledged: the stored outcome of the first attempt, or
            # its first effect, and never a second (the checks count effects).
            "retried_then_acknowledged": sum(len(c.attempts) > 1 and c.outcome == "acknowledged"
                                             for c in self.commands),
            "attempt_statuses": _tally(a for c in self.commands for a in c.attempts),
            "refused_statuses": _tally(c.status for c in self.commands if c.outcome == "refused"),
            "rate_asked": self.rate,
            "rate_achieved": round(len(self.commands) / duration, 1),
            "p50_seconds": percentile(0.5),
            "p99_seconds": percentile(0.99),
            "load_seconds": round(duration, 1),
        }


def _tally(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[str(value)] = out.get(str(value), 0) + 1
    return dict(sorted(out.items()))
