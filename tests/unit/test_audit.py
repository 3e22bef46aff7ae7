"""The audit timeline, replay and access log, on in-memory stores fed by real followers."""
import datetime as dt

import pytest

from services.audit.application import AuditApplication
from services.guidance.application import GuidanceApplication
from services.referrals.application import ReferralsApplication
from shared.config import DEPLOY_DIR
from shared.errors import Forbidden, NotFound
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.fakes import IN_MEMORY, Link, deliver, intake as new_intake

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


class World:
    def __init__(self):
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = GuidanceApplication(env=IN_MEMORY)
        self.referrals = ReferralsApplication(env=IN_MEMORY)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.audit = AuditApplication(env=IN_MEMORY)
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")]
        self.links += [Link(self.audit, up, name) for up, name in
                       ((self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals"))]

    def sync(self):
        deliver(self.links)


@pytest.fixture
def case():
    world = World()
    client_id = world.intake.register_client(WORKER, **registration_args())
    world.intake.accept(COORDINATOR, client_id, "apo-sa-1")
    world.sync()
    middle = dt.datetime.now(dt.timezone.utc)
    now = dt.datetime.now(dt.timezone.utc)
    world.guidance.record_intervention(WORKER, client_id, now - dt.timedelta(minutes=5), 30, "office",
                                       "listening_support", "listening_ear", ["housing"], None, "secret note", "")
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    return world, client_id, middle


def test_the_timeline_says_who_did_what_when_in_which_agency_in_causal_order(case):
    world, client_id, _ = case
    timeline = world.audit.timeline(AUDITOR, client_id, "yearly audit")
    facts = [(e["source"], e["type"].split(".")[3]) for e in timeline["entries"]]
    assert facts == [
        ("intake", "client-registered"), ("intake", "intake-accepted"), ("guidance", "trajectory-opened"),
        ("guidance", "intervention-recorded"), ("guidance", "psychologist-recommended"),
        ("referrals", "referral-proposed"),
    ]
    registered = timeline["entries"][0]
    assert (registered["actor"], registered["actor_role"], registered["agency"]) == ("apo-sa-1", "social_assistant", "apo")
    assert "secret note" not in str(timeline)


def test_a_replay_rebuilds_the_file_as_it_stood_at_an_instant(case):
    world, client_id, middle = case
    then = world.audit.replay(AUDITOR, client_id, middle, "check the file before guidance")
    now = world.audit.replay(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc), "check the file now")
    assert then["file"]["intake"]["status"] == "accepted" and then["file"]["trajectory"]["interventions"] == 0
    assert now["file"]["trajectory"]["interventions"] == 1
    assert now["file"]["trajectory"]["psychologist_recommended"] is True
    assert [r["partner"] for r in now["file"]["referrals"].values()] == ["apo-psychologist"]


def test_every_read_is_recorded_with_its_purpose_and_is_itself_audited(case):
    world, client_id, middle = case
    world.audit.replay(AUDITOR, client_id, middle, "court request 2026/123")
    log = world.audit.timeline(AUDITOR, client_id, "second look")["access_log"]
    assert [(r["reader"], r["purpose"], r["query"]) for r in log] == [
        ("audit-1", "court request 2026/123", "replay"), ("audit-1", "second look", "timeline")]
    from shared import chain

    assert list(chain.verify(world.audit.recorder)) == []  # the reads are in the chained stream


def test_only_auditors_read_and_an_unknown_client_is_not_found(case):
    world, client_id, _ = case
    with pytest.raises(Forbidden):
        world.audit.timeline(WORKER, client_id, "curious")
    with pytest.raises(NotFound):
        world.audit.timeline(AUDITOR, "00000000-0000-4000-8000-000000000000", "purpose")
