"""A verification of a service's store as a job (WAVE2 23): an auditor starts it, gets
its id, asks how far it got, and receives a result the service signed.

Starting it is a fact of the service's log (``VerificationStarted``: who asked, up to
which log position, against which of audit's checkpoints), and so is its outcome
(``Finished``); what it read so far is known to the process that runs it. It runs
``shared.evidence.verify`` up to the position the log had when it started: what is
written meanwhile is left for the next one, and the result says up to where it holds.
"""
from __future__ import annotations

import datetime as dt
import threading
from uuid import UUID

import rfc8785
from eventsourcing.domain import event

from shared import checkpoints, evidence, keys
from shared.domain import NotNow, ServiceAggregate


class VerificationStarted(ServiceAggregate):
    """One verification of this store, from the request to its signed outcome."""

    @event("Started")
    def __init__(self, requested_by: dict, up_to: int, witnessed_last: dict | None):
        self.requested_by, self.up_to, self.witnessed_last = requested_by, up_to, witnessed_last
        self.result: dict | None = None

    def finish(self, result: dict) -> None:
        if self.result is not None:
            raise NotNow("this verification has finished already", {"job_id": ["finished"]})
        self._finished(result=result)

    @event("Finished")
    def _finished(self, result: dict):
        self.result = result


def signed(app, job: VerificationStarted, problems: list[str], records: int) -> dict:
    """The outcome, signed by the service's key (a detached JWS over its RFC 8785 JSON)."""
    body = {
        "service": app.service_name, "job_id": str(job.id), "up_to": job.up_to, "records": records,
        "holds": not problems, "problems": problems, "witnessed": job.witnessed_last,
        "requested_by": job.requested_by["user_id"],
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(),
    }
    return checkpoints.sign(body, app.outbox.key, rfc8785.dumps)


def signature_problem(result: dict, public_keys: dict | None = None) -> str | None:
    """Why a kept result does not hold under its service's public keys (those given,
    or this machine's), or None."""
    if public_keys is None:
        public_keys = keys.public_keys(keys.events_key_name(result.get("service", "")))
    return checkpoints.signature_problem(result, public_keys, rfc8785.dumps)


class Jobs:
    """The verifications this process runs: what each has read so far."""

    def __init__(self) -> None:
        self.read: dict[UUID, int] = {}
        self._lock = threading.Lock()

    def start(self, app, checkpoint_path, actor: dict, witnessed_last: dict | None, spawn) -> UUID:
        job = VerificationStarted(requested_by=actor, up_to=app.head(), witnessed_last=witnessed_last)
        app.save(job)
        with self._lock:
            self.read[job.id] = 0
        spawn(lambda: self._run(app, checkpoint_path, job))
        return job.id

    def _run(self, app, checkpoint_path, job: VerificationStarted) -> None:
        def progress(count: int) -> None:
            with self._lock:
                self.read[job.id] = count
            yielding()  # a page read: let the process answer meanwhile

        try:
            problems = evidence.verify(app, checkpoint_path, progress=progress, until=job.up_to,
                                       witnessed_last=job.witnessed_last)
        except Exception as error:  # the store cannot be read: that is the outcome, not silence
            problems = [f"the store could not be read to the end ({type(error).__name__})"]
        job.finish(signed(app, job, problems, self.read.get(job.id, 0)))
        app.save(job)
        with self._lock:
            self.read.pop(job.id, None)

    def status(self, app, job_id: UUID) -> dict:
        job: VerificationStarted = app.repository.get(job_id)
        if job.result is not None:
            return {"job_id": str(job_id), "status": "finished", "up_to": job.up_to, "read": job.result["records"],
                    "result": job.result}
        with self._lock:
            read = self.read.get(job_id)
        # Running here, or in another process of the service (then how far it got is not known here).
        return {"job_id": str(job_id), "status": "running", "up_to": job.up_to, "read": read, "result": None}


def yielding() -> None:
    """Give other green threads of the process their turn (nameko runs on eventlet)."""
    try:
        import eventlet
    except ImportError:  # outside a nameko process: nothing to share
        return
    eventlet.sleep(0)
