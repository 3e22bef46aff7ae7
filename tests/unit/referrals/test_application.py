"""Referral rules, on in-memory stores: intake's and guidance's facts arrive
through real followers."""
import datetime as dt

import pytest

from services.guidance.application import GuidanceApplication
from services.referrals.application import ReferralsApplication
from shared.config import DEPLOY_DIR
from shared.contracts import CATALOGUE
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.support.fakes import IN_MEMORY, Clock, Link, deliver, intake as new_intake

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
OTHER_AGENCY = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}



@pytest.fixture
def clock():
    return Clock(NOW)


class World:
    def __init__(self, clock):
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")]

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


@pytest.fixture
def world(clock):
    return World(clock)


def published(app, fact):
    return [e for e in Outbox(app).read(0, 1000) if e["type"].endswith(f".{fact}.v1")]


def test_a_psychologist_recommendation_proposes_the_agencys_own_psychologist(world):
    client_id = world.accepted_client()
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    world.sync()  # delivered again: still one
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert (referral["partner"], referral["state"]) == ("apo-psychologist", "proposed")
    (proposed,) = published(world.referrals, "referral-proposed")
    assert proposed["data"]["from_psychologist_recommendation"] is True


def test_without_a_psychologist_inside_one_speaking_the_clients_language_is_proposed(world):
    client_id = world.intake.register_client(
        {**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"}, **registration_args(languages=["tr", "nl"],
                                                                               preferred_language="tr"))
    world.intake.accept({"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}, client_id, "dsr-sa-1")
    world.sync()
    world.guidance.recommend_psychologist(OTHER_AGENCY, client_id, "anxiety")
    world.sync()
    (referral,) = world.referrals.referral_history(OTHER_AGENCY, client_id)
    assert referral["partner"] == "ssm-nord"  # the external one that speaks Turkish


def test_sending_without_consent_is_refused_naming_the_missing_consent(world):
    client_id = world.accepted_client()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    with pytest.raises(Forbidden) as refused:
        world.referrals.record_step(WORKER, referral_id, "sent")
    assert refused.value.details == {"consent": ["no consent in force for recipient projet-lama, purpose referral"]}
    world.consent(client_id, "transit")  # another partner does not count
    with pytest.raises(Forbidden):
        world.referrals.record_step(WORKER, referral_id, "sent")


def test_with_consent_a_referral_goes_through_its_whole_lifecycle(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "projet-lama")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    for step in ("sent", "acknowledged", "waitlisted", "accepted", "started"):
        clock.now += dt.timedelta(days=1)
        assert world.referrals.record_step(WORKER, referral_id, step) == step
    clock.now += dt.timedelta(days=30)
    world.referrals.record_step(WORKER, referral_id, "completed", outcome="partly_effective")
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert [h["state"] for h in referral["history"]] == [
        "proposed", "sent", "acknowledged", "waitlisted", "accepted", "started", "completed"]
    assert referral["outcome"] == "partly_effective"
    steps = published(world.referrals, "referral-step-recorded")
    assert [e["data"]["answered"] for e in steps] == [False, False, True, True, False, False]


def test_an_illegal_transition_names_the_current_state(world):
    client_id = world.accepted_client()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(Conflict) as refused:
        world.referrals.record_step(WORKER, referral_id, "accepted")
    assert refused.value.details == {"step": ["the referral is proposed; next can be: sent"]}


def test_a_withdrawn_consent_flags_the_referral_and_stops_what_goes_to_the_partner(world):
    client_id = world.accepted_client()
    world.consent(client_id, "projet-lama")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "reason")
    world.referrals.record_step(WORKER, referral_id, "sent")
    world.intake.withdraw_consent(WORKER, client_id, "projet-lama", "referral")
    world.sync()
    (referral,) = world.referrals.referral_history(WORKER, client_id)
    assert referral["consent_withdrawn"] is True
    with pytest.raises(Forbidden):
        world.referrals.record_step(WORKER, referral_id, "acknowledged")
    assert len(published(world.referrals, "referral-consent-withdrawn")) == 1


def test_a_stalled_referral_raises_its_fact_once(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    world.referrals.record_step(WORKER, referral_id, "sent")
    clock.now += dt.timedelta(days=4)
    assert world.referrals.check_time() == 0
    clock.now += dt.timedelta(days=2)  # sent six days ago, five expected
    assert world.referrals.check_time() == 1
    assert world.referrals.check_time() == 0
    (stalled,) = published(world.referrals, "referral-stalled")
    assert stalled["data"]["state"] == "sent" and stalled["data"]["expected_days"] == 5


def test_another_agency_cannot_touch_the_referrals(world):
    client_id = world.accepted_client()
    with pytest.raises(Forbidden):
        world.referrals.propose_referral(OTHER_AGENCY, client_id, "transit", ["addiction"], "reason")
    with pytest.raises(NotFound):
        world.referrals.propose_referral(WORKER, client_id, "no-such-partner", ["addiction"], "reason")


def test_a_case_conference_records_decisions_and_actions_with_owners(world, clock):
    client_id = world.accepted_client()
    lawyer = world.referrals.add_coordination_actor(WORKER, client_id, "lawyer", "Bar of Brussels",
                                                    "defence at the hearing", "Me X")
    world.referrals.add_coordination_actor(WORKER, client_id, "justice_assistant", "Justice house Brussels",
                                           "supervises the conditions")
    conference_id = world.referrals.hold_case_conference(
        WORKER, client_id, NOW.date(), ["worker apo-sa-1", "justice assistant", "Transit"],
        ["start residential treatment in January"],
        [{"action": "ask for a bed", "owner": "Transit", "due": NOW.date() + dt.timedelta(days=7)}])
    with pytest.raises(Conflict):
        world.referrals.hold_case_conference(WORKER, client_id, NOW.date() + dt.timedelta(days=1), ["a", "b"],
                                             ["d"], [])
    world.referrals.complete_conference_action(WORKER, conference_id, 0, NOW.date())
    with pytest.raises(Conflict):
        world.referrals.complete_conference_action(WORKER, conference_id, 0, NOW.date())
    with pytest.raises(NotFound):
        world.referrals.complete_conference_action(WORKER, conference_id, 3, NOW.date())
    world.referrals.remove_coordination_actor(WORKER, client_id, lawyer)
    plan = world.referrals.coordination(WORKER, client_id)
    assert [a["role"] for a in plan["actors"]] == ["justice_assistant"]
    (conference,) = plan["case_conferences"]
    assert conference["decisions"] == ["start residential treatment in January"]
    assert conference["actions"][0]["done"] == NOW.date().isoformat()
    assert published(world.referrals, "case-conference-held")[0]["data"]["actions_due"] == ["2026-12-07"]


def test_partner_figures_for_a_period(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    accepted = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    declined = world.referrals.propose_referral(WORKER, client_id, "transit", ["housing"], "r")
    for step in ("sent", "acknowledged", "accepted"):
        world.referrals.record_step(WORKER, accepted, step)
    for step in ("sent", "acknowledged"):
        world.referrals.record_step(WORKER, declined, step)
    world.referrals.record_step(WORKER, declined, "declined", reason="no place")
    clock.now += dt.timedelta(days=6)
    world.referrals.record_step(WORKER, accepted, "started")
    (row,) = world.referrals.partner_figures(WORKER, NOW.date(), NOW.date())
    assert (row["partner"], row["sent"], row["acceptance_rate"], row["median_days_to_start"]) == ("transit", 2, 0.5, 6.0)


def test_steps_need_their_reason_or_outcome():
    from shared.contracts import referrals as contracts
    from shared.contracts import validate_command

    base = {"actor": WORKER, "referral_id": "00000000-0000-4000-8000-000000000000"}
    for payload, field in (({"step": "declined"}, "reason"), ({"step": "completed"}, "outcome"),
                           ({"step": "sent", "outcome": "effective"}, "outcome")):
        with pytest.raises(InvalidInput) as refused:
            validate_command(contracts.RecordReferralStep, {**base, **payload})
        assert field in refused.value.details


def test_every_referrals_event_type_is_published_in_a_run(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    world.referrals.record_step(WORKER, referral_id, "sent")
    clock.now += dt.timedelta(days=10)
    world.referrals.check_time()
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    world.referrals.hold_case_conference(WORKER, client_id, NOW.date(), ["a", "b"], ["d"], [])
    world.referrals.referral_history(WORKER, client_id)
    types = {e["type"] for e in Outbox(world.referrals).read(0, 1000)}
    assert types == {t for t in CATALOGUE if t.startswith("be.jww.referrals.")}
