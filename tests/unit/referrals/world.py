"""Referrals on in-memory stores, with intake and guidance upstream: their facts
arrive through real followers."""
import datetime as dt

from services.guidance.application import GuidanceApplication
from services.referrals.application import ReferralsApplication
from shared.config import DEPLOY_DIR
from shared.outbox import Outbox
from tests.support.fakes import IN_MEMORY, Link, deliver, intake as new_intake
from tests.support.partners import know_sample_partners
from tests.support.samples import COORDINATOR, WORKER, registration_args

# The start of the hour the tests run in: the business clock the applications are given
# starts here, and records opened now (their created_on is the wall clock's) are
# never later than it by more than the hour, whatever day the suite runs.
NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
OTHER_AGENCY = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}


class World:
    def __init__(self, clock):
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        know_sample_partners(self.intake)  # as if it had followed referrals' first start
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance"), Link(self.intake, self.referrals, "referrals")]
        self.sync()  # intake learns the partner directory, as referrals published it

    def sync(self):
        deliver(self.links, rounds=2)  # guidance's reactions reach referrals on the second round

    def accepted_client(self, **overrides):
        client_id = self.intake.register_client(WORKER, **registration_args(**overrides))
        self.intake.accept(COORDINATOR, client_id, "apo-sa-1")
        self.sync()
        return client_id

    def consent(self, client_id, partner, purpose="referral"):
        self.intake.give_consent(WORKER, client_id, partner, purpose, ["identity", "help_request"])
        self.sync()

    def published(self, fact):
        return [e for e in Outbox(self.referrals).read(0, 1000) if e["type"].endswith(f".{fact}.v1")]
