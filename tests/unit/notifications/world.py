"""Notifications in memory, with the services whose facts it follows: intake's,
guidance's and referrals' facts arrive through real followers."""
import datetime as dt

from services.guidance.application import GuidanceApplication
from services.notifications.application import NotificationsApplication
from services.referrals.application import ReferralsApplication
from shared.config import DEPLOY_DIR
from tests.support.fakes import IN_MEMORY, Link, deliver, intake as new_intake
from tests.support.partners import know_sample_partners
from tests.support.samples import COORDINATOR, WORKER, registration_args

# The start of the hour the tests run in: the business clock the applications are given
# starts here, and records opened now (their created_on is the wall clock's) are
# never later than it by more than the hour, whatever day the suite runs.
NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
CRIMINOLOGIST = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}  # speaks nl, en
ADMIN = {"user_id": "ops", "role": "admin", "agency": "platform"}


class Mailbox:
    """Stands in for the SMTP server in unit tests; tests/integration uses a real one."""

    def __init__(self):
        self.sent, self.failures = [], 0

    def __call__(self, address, subject, body, message_id):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("smtp away")
        self.sent.append((address, subject, body, message_id))


class World:
    def __init__(self, clock, notifications_env=None):
        self.clock = clock
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        know_sample_partners(self.intake)  # as if it had followed referrals' first start
        self.intake.add_staff_member(COORDINATOR, "apo", "apo-en-1", "E. One", "social_assistant", ["ar", "en"])
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.mailbox = Mailbox()
        self.notifications = self.new_notifications(notifications_env or IN_MEMORY)
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")] + self._notification_links()

    def new_notifications(self, env):
        app = NotificationsApplication(env=env, clock=self.clock)
        app.mailer, app.retry_seconds, app.max_attempts, app.waitlist_threshold = self.mailbox, 60, 3, 2
        return app

    def _notification_links(self):
        return [Link(self.notifications, upstream, name) for upstream, name in
                ((self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals"))]

    def restart_notifications(self, env):
        self.notifications = self.new_notifications(env)
        self.links = self.links[:3] + self._notification_links()

    def sync(self):
        deliver(self.links)

    def accepted_client(self, worker="apo-sa-1", **overrides):
        client_id = self.intake.register_client(WORKER, **registration_args(**overrides))
        self.intake.accept(COORDINATOR, client_id, worker)
        self.sync()
        return client_id


def inbox(world, user):
    return world.notifications.inbox({"user_id": user, "role": "social_assistant", "agency": "apo"})


def kinds(world, user):
    return [m["kind"] for m in inbox(world, user)]
