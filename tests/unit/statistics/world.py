"""Statistics in memory, with the services whose facts it follows: intake's,
guidance's and referrals' facts arrive through real followers."""
from __future__ import annotations

import datetime as dt

from services.guidance.application import GuidanceApplication
from services.referrals.application import ReferralsApplication
from services.statistics.application import StatisticsApplication
from shared.config import DEPLOY_DIR
from tests.support.fakes import IN_MEMORY, Clock, Link, deliver, intake as new_intake
from tests.support.partners import know_sample_partners
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

FUNDER = {"user_id": "funder-1", "role": "funder", "agency": "platform"}
SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}
SAB_WORKER = {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}
# Intake records on the wall clock: the business clock starts at this hour, and the
# period asked for is its month.
NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


THIS_MONTH = month_of(NOW.date())


class World:
    def __init__(self, clock: Clock | None = None):
        self.clock = clock or Clock(NOW)
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        know_sample_partners(self.intake)
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=self.clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=self.clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.statistics = StatisticsApplication(env=IN_MEMORY)
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")]
        self.links += [Link(self.statistics, upstream, name) for upstream, name in
                       ((self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals"))]

    def sync(self):
        deliver(self.links)

    def accepted_client(self, worker=WORKER, coordinator=COORDINATOR, **overrides):
        client_id = self.intake.register_client(worker, **registration_args(**overrides))
        self.intake.accept(coordinator, client_id, worker["user_id"])
        return client_id

    def clients(self, n: int, **overrides) -> list:
        ids = [self.accepted_client(**overrides) for _ in range(n)]
        self.sync()
        return ids

    def intervene(self, client_id, actor=WORKER, at=None, **overrides):
        return self.guidance.record_intervention(actor, client_id,
                                                 **intervention_args(at or self.clock(),
                                                                     **overrides))

    def figures(self, actor=FUNDER, period=THIS_MONTH, **query):
        self.sync()
        return self.statistics.figures(actor, *period, **query)


def cell(answer: dict, table: str, row: str, column: str) -> dict:
    for found in answer["tables"][table]["cells"]:
        if (found["row"], found["column"]) == (row, column):
            return found
    return {"persons": 0}
