"""What every nameko service shares: its event-sourced application as a dependency,
its followers of upstream services, and the health and outbox RPCs; and the
retention job of those that keep a retention policy."""
from __future__ import annotations

import datetime as dt
import logging

from eventsourcing.application import AggregateNotFoundError
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.timer import timer

from shared import assertions, context, erasure, subject_access
from shared.access import allow
from shared.contracts.base import ApplyRetention, GetVerification, StartVerification, SubjectAccess
from shared.config import Settings
from shared.errors import Forbidden, NotFound
from shared.messaging import ACCESS, ACCESS_READER, EVENTS
from shared.consumer import UpstreamConsumer
from shared.rpc import Observed, command, rpc
from shared.verification import Jobs

SETTINGS_KEY = "JWW_SETTINGS"  # where the runner puts the Settings in nameko's config
RETENTION_EVERY_SECONDS = 24 * 3600
log = logging.getLogger(__name__)
# Who may verify a store and read the outcome.
AUDITORS = frozenset({"auditor"})


class EventStore(DependencyProvider):
    """Builds the service's application once per container and runs one follower per
    upstream named in the settings, each in its own managed green thread."""

    def __init__(self, application_cls, on_start=None):
        self.application_cls = application_cls
        self.on_start = on_start  # f(app, settings), e.g. to load reference data

    def setup(self):
        self.settings: Settings = self.container.config[SETTINGS_KEY]
        self.app = self.application_cls(store=self.settings.store)
        if "access_log_retention_days" in self.settings.options:
            self.app.access_log_retention = dt.timedelta(days=float(self.settings.options["access_log_retention_days"]))
        if self.on_start is not None:
            self.on_start(self.app, self.settings)
        self.app.outbox.key  # a missing signing key stops the service at start, not at a pull
        self.consumers = [UpstreamConsumer(self.settings, upstream, self.app) for upstream in self.settings.follows]

    def start(self):
        self.threads = [
            self.container.spawn_managed_thread(consumer.run, identifier=f"follow-{consumer.upstream}")
            for consumer in self.consumers
        ]

    def stop(self):
        # A follower may be waiting on the broker or on an upstream's RPC; killing
        # it there is safe, since a message is acknowledged only after its effect
        # is committed, and the broker redelivers the rest.
        for consumer in self.consumers:
            consumer.stop()
        for thread in getattr(self, "threads", []):
            thread.kill()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.app


class Verifications(DependencyProvider):
    """Runs verifications of the service's store as jobs, in this process's managed
    threads (shared.verification), and knows how far each has read."""

    def setup(self):
        self.jobs = Jobs()
        self.settings: Settings = self.container.config[SETTINGS_KEY]

    def get_dependency(self, worker_ctx):
        return self

    def begin(self, app, actor: dict, witnessed_last: dict | None):  # (start is the container's)
        return self.jobs.start(app, self.settings.checkpoint_path, actor, witnessed_last,
                               lambda run: self.container.spawn_managed_thread(run, identifier="verification"))

    def status(self, app, job_id):
        return self.jobs.status(app, job_id)


class ServiceBase:
    """Mixin of the RPCs every service answers. A subclass sets ``name`` and
    ``app = EventStore(ItsApplication)``."""

    observed = Observed()
    config = Config()
    verifications = Verifications()

    @rpc
    @command()
    def health(self, _=None) -> dict:
        """Liveness and readiness in one: answering proves the broker and the worker
        pool; the store round trip proves the database."""
        return {
            "service": self.name,
            "status": "ok",
            "position": self.app.head(),
            "following": {
                upstream: self.app.position_of(upstream) for upstream in self.config[SETTINGS_KEY].follows
            },
        }

    @rpc
    @command(SubjectAccess)
    def subject_access(self, data: dict) -> list:
        """Everything this service holds about a client (shared.subject_access); the
        gateway assembles every service's into one document."""
        return subject_access.gather(self.app, data["actor"], data["client_id"])

    @rpc
    @command(StartVerification)
    def start_verification(self, data: dict) -> dict:
        """Start verifying this service's store (an auditor); the job's id to ask after."""
        allow(data["actor"], AUDITORS, "start_verification")
        return {"job_id": str(self.verifications.begin(self.app, data["actor"], data["witnessed_last"]))}

    @rpc
    @command(GetVerification)
    def verification(self, data: dict) -> dict:
        """How far a verification got; once finished, its result as this service signed it."""
        allow(data["actor"], AUDITORS, "read_verification")
        try:
            return self.verifications.status(self.app, data["job_id"])
        except AggregateNotFoundError:
            raise NotFound("no such verification here", {"job_id": ["not found"]}) from None

    @rpc
    def integration_events(self, after: int, until: int | None = None, limit: int = 500) -> list[dict]:
        """The integration events this service published after a position: what a
        follower pulls when it finds a gap in what it received."""
        return self._published(EVENTS, after, until, limit)

    @rpc
    def access_events(self, after: int, until: int | None = None, limit: int = 500) -> list[dict]:
        """Who read a client's file here, after a position: what audit pulls when it
        finds a gap in this service's access stream. Audit's own system actor only."""
        if context.current().actor != assertions.system_actor(ACCESS_READER):
            raise Forbidden("only the audit service reads the access stream", {"actor": ["not audit"]})
        return self._published(ACCESS, after, until, limit)

    def _published(self, stream: str, after: int, until: int | None, limit: int) -> list[dict]:
        limit = max(1, min(int(limit), 1000))
        return self.app.outbox.read(after=int(after), until=None if until is None else int(until), limit=limit,
                                    streams=(stream,))



class RetentionJob:
    """Mixin of a service whose application applies a retention policy
    (``apply_retention(actor, dry_run)``): the RPC ops and the HTTP API call, and the
    daily job, which lists what is due, then applies it."""

    @rpc
    @command(ApplyRetention)
    def apply_retention(self, data: dict) -> dict:
        """What the retention policy makes due (a dry run, by default), or apply it."""
        return {"due": self.app.apply_retention(**data), "dry_run": data["dry_run"]}

    @timer(interval=RETENTION_EVERY_SECONDS)
    def retention_daily(self) -> None:
        due = self.app.apply_retention(erasure.RETENTION_POLICY, dry_run=True)
        if due:
            log.info("retention: applying what is due", extra={"due": len(due)})  # counts, never ids
            self.app.apply_retention(erasure.RETENTION_POLICY, dry_run=False)
