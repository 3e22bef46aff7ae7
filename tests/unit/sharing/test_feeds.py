"""Each organisation's feed, on in-memory stores with intake, guidance and referrals
upstream: a copy of a fact goes to an organisation only while the client's consent
to it is in force for a purpose that covers the fact, with the consented categories
only, sealed to the organisation; a withdrawal is told and stops the flow."""
import datetime as dt
import json

import pytest

from services.guidance.application import GuidanceApplication
from services.referrals.application import ReferralsApplication
from services.sharing.application import SharingApplication
from services.sharing.domain import Feed
from shared import recipients
from shared.config import DEPLOY_DIR
from shared.outbox import Outbox
from tests.support.fakes import IN_MEMORY, Clock, Link, deliver, intake as new_intake
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
ORGANISATIONS = ["transit", "dsr", "sab"]


class World:
    def __init__(self):
        clock = Clock(NOW)
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.sharing = SharingApplication(env=IN_MEMORY)
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance"), Link(self.sharing, self.intake, "intake"),
                      Link(self.sharing, self.guidance, "guidance"), Link(self.sharing, self.referrals, "referrals")]
        if "referrals" in getattr(self.intake, "follows", ()) or hasattr(self.intake, "is_active_partner"):
            self.links.insert(0, Link(self.intake, self.referrals, "referrals"))  # who the partners are
        self.sync()

    def sync(self):
        deliver(self.links, rounds=3)

    def accepted_client(self):
        client_id = self.intake.register_client(WORKER, **registration_args())
        self.intake.accept(COORDINATOR, client_id, "apo-sa-1")
        self.sync()
        return client_id

    def feed(self, organisation: str) -> list[dict]:
        """What the organisation's queue receives, its blocks opened with its private key."""
        entries = [e for e in Outbox(self.sharing).read(0, 10000) if e.get("jwwrecipient") == organisation]
        key = recipients.private_key(organisation)
        for entry in entries:
            entry["opened"] = {c: json.loads(recipients.open_sealed(key, token))
                               for c, token in entry["data"].get("categories", {}).items()}
        return entries


@pytest.fixture(scope="module", autouse=True)
def organisation_keys():
    recipients.ensure_development_keys(ORGANISATIONS)


@pytest.fixture
def world():
    return World()


def types(entries):
    return [e["type"].removeprefix("be.jww.share.") for e in entries]


def test_nothing_is_shared_without_a_consent(world):
    client_id = world.accepted_client()
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(NOW - dt.timedelta(hours=1)))
    world.sync()
    assert all(world.feed(o) == [] for o in ORGANISATIONS)


def test_a_referral_consent_lets_intake_s_facts_and_the_partner_s_referrals_through_with_its_categories(world):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["help_request", "referrals"])
    world.sync()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["addiction"], "Je cherche de l'aide.")
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(NOW - dt.timedelta(minutes=30)))
    world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "support with use")
    world.referrals.propose_referral(WORKER, client_id, "de-sleutel", ["addiction"], "support with use")
    world.sync()

    feed = world.feed("transit")
    assert types(feed) == ["intake.help-request-received.v1", "referrals.referral-proposed.v1"]
    assert [e["jwwsequence"] for e in feed] == [1, 2] and [e["data"]["sequence"] for e in feed] == [1, 2]
    help_request, referral = feed
    assert help_request["opened"] == {"help_request": {"domains": ["addiction"], "source": "justice_assistant",
                                                      "urgency": "normal"}}
    assert help_request["data"]["purposes"] == ["referral"] and help_request["subject"] == str(client_id)
    assert referral["opened"]["referrals"]["partner"] == "transit"
    assert "Je cherche" not in json.dumps(feed)  # the question is not published at all
    assert world.feed("dsr") == [] and world.feed("sab") == []


def test_blocks_are_sealed_to_the_organisation_alone(world):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["help_request"])
    world.sync()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["addiction"], "?")
    world.sync()
    (entry,) = world.feed("transit")
    token = entry["data"]["categories"]["help_request"]
    with pytest.raises(Exception):
        recipients.open_sealed(recipients.private_key("dsr"), token)
    assert "addiction" not in json.dumps(entry["data"])


def test_narrowing_changes_what_later_copies_hold_and_a_withdrawal_is_told_and_stops_the_flow(world):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["help_request", "interventions"])
    world.sync()
    at = NOW - dt.timedelta(minutes=50)
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(at))
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["help_request"])  # narrowed
    world.sync()
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(at))
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "?")
    world.sync()
    world.intake.withdraw_consent(WORKER, client_id, "dsr", "coordination")
    world.sync()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "?")
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(at))
    world.sync()

    feed = world.feed("dsr")
    assert types(feed) == ["guidance.intervention-recorded.v1", "intake.help-request-received.v1",
                           "consent-withdrawn.v1"]
    assert set(feed[0]["opened"]) == {"interventions"}
    assert feed[2]["data"]["purpose"] == "coordination" and [e["jwwsequence"] for e in feed] == [1, 2, 3]


def test_an_organisation_without_a_key_gets_nothing_until_its_feed_is_provisioned(world, monkeypatch):
    provisioned = recipients.public_key
    monkeypatch.setattr(recipients, "public_key", lambda o: None if o == "wsw" else provisioned(o))
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "wsw", "coordination", ["help_request"])
    world.sync()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "?")
    world.sync()
    assert not [e for e in Outbox(world.sharing).read(0, 1000) if e.get("jwwrecipient") == "wsw"]
    assert not list(world.sharing.stored(Feed.EntryShared))


def test_a_fact_of_guidance_waits_while_intake_has_facts_not_applied_here(world):
    """A withdrawal recorded by intake before an intervention must be applied before
    the intervention is copied: until intake's queue is drained, the copy is refused
    and nothing is stored (the message comes back later)."""
    from services.sharing.policies import IntakeNotDrained

    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["interventions"])
    world.sync()
    world.sharing.intake_drained = lambda after: False
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(NOW - dt.timedelta(minutes=5)))
    guidance_link = next(link for link in world.links if link.follower.app is world.sharing
                         and link.follower.upstream == "guidance")
    with pytest.raises(IntakeNotDrained):
        guidance_link.deliver()
    assert world.feed("dsr") == []
    world.sharing.intake_drained = lambda after: True
    guidance_link.deliver()
    assert types(world.feed("dsr")) == ["guidance.intervention-recorded.v1"]


def test_an_erasure_is_told_to_every_organisation_the_client_consented_to_and_erases_what_waits(world):
    dpo = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["help_request"])
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["help_request"])
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "?")
    world.sync()
    world.intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    world.intake.approve_erasure(dpo, client_id)
    world.sync()
    assert types(world.feed("dsr")) == ["intake.help-request-received.v1", "client-erased.v1"]
    assert types(world.feed("transit")) == ["consent-withdrawn.v1", "client-erased.v1"]
    # The copy kept here was sealed under the client's keys: erased with them, it goes
    # out (again) with its ids only.
    assert world.feed("dsr")[0]["data"]["categories"] == {}
