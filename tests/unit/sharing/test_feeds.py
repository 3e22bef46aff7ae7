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


def test_a_consent_that_shares_the_history_sends_the_earlier_facts_it_covers_once(world):
    def upstream_log(service, after, limit):
        return Outbox(getattr(world, service)).read(after=after, limit=limit)

    world.sharing.upstream_log = upstream_log
    client_id = world.accepted_client()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing"], "?")
    world.guidance.record_intervention(WORKER, client_id, **intervention_args(NOW - dt.timedelta(minutes=40)))
    world.sync()
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["help_request", "languages"],
                              share_history=True)
    world.sync()
    world.intake.receive_help_request(WORKER, client_id, "justice_assistant", ["work"], "?")
    world.sync()
    assert types(world.feed("dsr")) == ["intake.help-request-received.v1"]  # only what came after, so far

    assert world.sharing.share_history() == 4
    assert world.sharing.share_history() == 0  # done once
    feed = world.feed("dsr")
    assert types(feed) == ["intake.help-request-received.v1", "intake.client-registered.v1",
                           "intake.intake-accepted.v1", "intake.help-request-received.v1",
                           "guidance.intervention-recorded.v1"]
    assert [e["jwwsequence"] for e in feed] == [1, 2, 3, 4, 5]
    assert feed[3]["opened"]["help_request"]["domains"] == ["housing"]  # the earlier one
    assert set(feed[4]["opened"]) == {"languages"}  # the interpreter's language; its domains are not consented

    # Given again (narrowed) with the history: nothing is sent twice, nothing before
    # the first period was missed.
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["help_request"], share_history=True)
    world.sync()
    assert world.sharing.share_history() == 0


def test_the_history_of_a_consent_withdrawn_before_the_job_is_not_sent(world):
    world.sharing.upstream_log = lambda service, after, limit: Outbox(getattr(world, service)).read(
        after=after, limit=limit)
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["languages"], share_history=True)
    world.intake.withdraw_consent(WORKER, client_id, "dsr", "coordination")
    world.sync()
    assert world.sharing.share_history() == 0
    assert types(world.feed("dsr")) == ["consent-withdrawn.v1"]


def test_an_organisation_catches_up_from_its_last_sequence_number_and_only_with_its_own_feed(world):
    from services.sharing.service import SharingService
    from shared.errors import Forbidden
    from types import SimpleNamespace

    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "dsr", "coordination", ["help_request"])
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["help_request"])
    world.sync()
    for domain in ("housing", "work", "addiction"):
        world.intake.receive_help_request(WORKER, client_id, "justice_assistant", [domain], "?")
    world.sync()
    dsr_coordinator = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}

    def feed(actor, **query):
        return SharingService.feed(SimpleNamespace(app=world.sharing, name="sharing"),
                                   {"actor": actor, **query})

    whole = feed(dsr_coordinator, organisation="dsr")
    assert [e["jwwsequence"] for e in whole["entries"]] == [1, 2, 3] and whole["next"] is None
    published = [{k: v for k, v in e.items() if k != "opened"} for e in world.feed("dsr")]
    assert [e["id"] for e in whole["entries"]] == [e["id"] for e in published]  # the same entries, as published
    assert all(e["jwwsignature"] and set(e["data"]["categories"]) == {"help_request"} for e in whole["entries"])
    page = feed(dsr_coordinator, organisation="dsr", after=1, limit=1)
    assert [e["jwwsequence"] for e in page["entries"]] == [2] and page["next"] == 2
    assert [e["jwwsequence"] for e in feed(dsr_coordinator, organisation="dsr", after=2)["entries"]] == [3]
    assert feed(dsr_coordinator, organisation="dsr", after=3)["entries"] == []
    transit = {"user_id": "transit-1", "role": "partner", "agency": "transit"}
    assert {e["jwwrecipient"] for e in feed(transit, organisation="transit")["entries"]} == {"transit"}
    for actor in (transit, WORKER, {**dsr_coordinator, "role": "social_assistant"}):
        with pytest.raises(Forbidden):
            feed(actor, organisation="dsr")
