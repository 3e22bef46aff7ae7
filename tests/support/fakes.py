"""In-memory stand-ins for unit tests of pure logic: eventsourcing's own in-memory
(POPO) persistence instead of a database, and plain lists instead of the broker."""
from __future__ import annotations

from services.guidance.application import GuidanceApplication
from services.intake.application import IntakeApplication
from services.intake.domain import Client
from shared.contracts import encode
from shared.follower import Follower
from shared.messaging import feed_parts
from shared.outbox import Outbox
from tests.support.samples import registration_args

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
ACTOR = {"user_id": "sa-1", "role": "social_assistant", "agency": "apo"}


class IntakeKeepingLanguagesPrivate(IntakeApplication):
    """Intake as if a language change were private: it leaves positions in the log
    that hold no published event, as confidential notes will."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.publications = {c: f for c, f in self.publications.items() if c is not Client.LanguagesRecorded}


def intake(private_languages: bool = False, clients: int = 0) -> IntakeApplication:
    """An in-memory intake, with ``clients`` sample clients registered."""
    app = (IntakeKeepingLanguagesPrivate if private_languages else IntakeApplication)(env=IN_MEMORY)
    for _ in range(clients):
        register(app)
    return app


def guidance() -> GuidanceApplication:
    return GuidanceApplication(env=IN_MEMORY)


def register(app: IntakeApplication):
    return app.register_client(ACTOR, **registration_args(languages=["nl", "fr"], preferred_language="nl"))


def change_languages(app: IntakeApplication, client_id) -> None:
    version = app.repository.get(client_id).version
    app.record_languages(ACTOR, client_id, version, ["fr"], "fr", True)


class DeadLetters(list):
    def __call__(self, body, reason):
        self.append((body, reason))


class Clock:
    """Time that a test moves by hand; services take it as their clock."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class Link:
    """One service following another in memory: what a consumer does over RabbitMQ,
    without the broker. ``deliver`` hands over what the upstream published since."""

    def __init__(self, app, upstream, feed: str):
        self.outbox = Outbox(upstream)
        self.streams = (feed_parts(feed)[1],)
        self.follower = Follower(
            app, app.service_name, feed, app.reactions(),
            pull=lambda after, until: self.outbox.read(after=after, until=until, limit=100, streams=self.streams),
            dead_letter=DeadLetters(),
        )

    def deliver(self) -> None:
        self.follower.receive_many([encode(e) for e in self.outbox.read(
            after=self.follower.position, limit=5000, streams=self.streams)])


def deliver(links: list[Link], rounds: int = 3) -> None:
    """Rounds, so that a reaction downstream (guidance -> referrals) arrives too."""
    for _ in range(rounds):
        for link in links:
            link.deliver()


def take_checkpoint(app, path=None) -> dict:
    """What the service's relay does a few seconds after new events: a signed checkpoint
    of its log (shared.checkpoints), its file at ``path`` or in a folder of its own."""
    import tempfile
    from pathlib import Path

    from shared import checkpoints, keys

    path = path or Path(tempfile.mkdtemp(prefix="jww-checkpoints-")) / "checkpoints.jsonl"
    key = keys.signing_key(keys.events_key_name(app.service_name))
    return checkpoints.Checkpointer(app, key, path, every_seconds=0).take()


def accounts(clock):
    """Accounts in memory on ``clock``, with the sample users file loaded (directory
    members get their accounts when it follows intake)."""
    from services.accounts.application import AccountsApplication
    from shared.config import DEPLOY_DIR

    app = AccountsApplication(env=IN_MEMORY, clock=clock)
    app.load_users(DEPLOY_DIR / "accounts" / "sample-users.json")
    return app


def services(clock) -> dict:
    """The eight services in memory on ``clock``, with the sample directory and partners
    loaded, before any link between them: intake, guidance, referrals, notifications, audit,
    sharing, accounts, statistics."""
    from services.audit.application import AuditApplication
    from services.notifications.application import NotificationsApplication
    from services.referrals.application import ReferralsApplication
    from services.sharing.application import SharingApplication
    from services.statistics.application import StatisticsApplication
    from shared.config import DEPLOY_DIR
    from tests.support.partners import know_sample_partners

    the_intake = intake()
    the_intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    know_sample_partners(the_intake)  # as if it had followed referrals' first start
    referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
    referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
    return {"intake": the_intake, "guidance": GuidanceApplication(env=IN_MEMORY, clock=clock), "referrals": referrals,
            "notifications": NotificationsApplication(env=IN_MEMORY, clock=clock),
            "audit": AuditApplication(env=IN_MEMORY, clock=clock), "sharing": SharingApplication(env=IN_MEMORY),
            "accounts": accounts(clock), "statistics": StatisticsApplication(env=IN_MEMORY)}
