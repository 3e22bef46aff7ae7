"""Joint guidance (issue 16, item 4): under the client's consent for coordination,
another agency joins the coordination plan; its staff read the plan and the case
conferences it took part in, nothing of the client's referrals, and it leaves the
plan when the client withdraws that consent."""
from types import SimpleNamespace

import pytest

from services.referrals.domain import (
    AgencyGuidesAlready, AgencyInPlanAlready, NoCoordinationConsent, NoSuchCoordinatingAgency,
)
from services.referrals.service import ReferralsService
from shared.contracts.base import ACCESS
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import NOW

DSR = {"user_id": "dsr-coord", "role": "coordinator", "agency": "dsr"}
DSR_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
SAB = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}
DSR_AUDITOR = {"user_id": "dsr-funder", "role": "funder", "agency": "dsr"}


def service(world) -> ReferralsService:
    """The RPC edge, which maps refusals and records refused attempts."""
    return SimpleNamespace(app=world.referrals)


def call(world, rpc: str, **payload):
    return getattr(ReferralsService, rpc)(service(world), payload)


def access_events(world, fact: str) -> list[dict]:
    return [e for e in Outbox(world.referrals).read(0, 1000, streams=(ACCESS,)) if e["type"].split(".")[3] == fact]


def joined_client(world):
    """A client apo guides, with dsr in the plan, and two case conferences: one dsr took part in."""
    client_id = world.accepted_client()
    world.consent(client_id, "dsr", "coordination")
    coordination = world.referrals.coordination
    coordination.add_actor(WORKER, client_id, "lawyer", "Bar of Brussels", "defence")
    assert coordination.add_agency(COORDINATOR, client_id, "dsr", "looks for a home with the client") == "dsr"
    with_dsr = coordination.hold_conference(WORKER, client_id, NOW.date(), ["apo-sa-1", " DSR ", "Transit"],
                                            ["apply for social housing"], [])
    without = coordination.hold_conference(WORKER, client_id, NOW.date(), ["apo-sa-1", "lawyer"],
                                           ["prepare the hearing"], [])
    return client_id, with_dsr, without


def test_an_agency_joins_only_under_a_consent_for_coordination_and_the_refusal_names_it(world):
    client_id = world.accepted_client()
    world.consent(client_id, "dsr", "referral")  # another purpose is not enough
    with pytest.raises(NoCoordinationConsent) as refused:
        world.referrals.coordination.add_agency(WORKER, client_id, "dsr", "housing")
    assert refused.value.details == {"consent": ["no consent in force for recipient dsr, purpose coordination"]}
    with pytest.raises(Conflict) as answered:  # 409 at the API
        call(world, "add_coordinating_agency", actor=WORKER, client_id=str(client_id), agency="dsr", does="housing")
    assert answered.value.details == refused.value.details
    assert world.published("coordinating-agency-joined") == []


def test_the_plan_s_own_rules_on_agencies(world):
    client_id, _, _ = joined_client(world)
    coordination = world.referrals.coordination
    world.consent(client_id, "apo", "coordination")
    with pytest.raises(AgencyGuidesAlready):
        coordination.add_agency(WORKER, client_id, "apo", "itself")
    with pytest.raises(AgencyInPlanAlready):
        coordination.add_agency(WORKER, client_id, "dsr", "again")
    with pytest.raises(NoSuchCoordinatingAgency):
        coordination.remove_agency(WORKER, client_id, "sab")
    with pytest.raises(InvalidInput) as bad:
        call(world, "add_coordinating_agency", actor=WORKER, client_id=str(client_id), agency="D S R", does="")
    assert set(bad.value.details) == {"agency", "does"}


def test_the_joined_agency_reads_the_plan_and_only_the_conferences_it_took_part_in(world):
    client_id, with_dsr, without = joined_client(world)
    plan = world.referrals.coordination.plan(DSR, client_id)
    assert [c["conference_id"] for c in plan["case_conferences"]] == [str(with_dsr)]
    assert plan["agencies"] == [{"agency": "dsr", "does": "looks for a home with the client"}]
    assert [a["role"] for a in plan["actors"]] == ["lawyer"]
    # Its caseworkers too; the guiding agency still sees every conference.
    assert len(world.referrals.coordination.plan(DSR_WORKER, client_id)["case_conferences"]) == 1
    guiding = world.referrals.coordination.plan(WORKER, client_id)
    assert [c["conference_id"] for c in guiding["case_conferences"]] == [str(with_dsr), str(without)]
    reads = [(e["jwwactor"], e["jwwagency"], e["data"]["query"]) for e in access_events(world, "client-file-read")]
    assert ("dsr-coord", "dsr", "coordination") in reads and ("dsr-sa-1", "dsr", "coordination") in reads


def test_the_joined_agency_keeps_neither_the_plan_nor_the_conferences_nor_the_referrals(world):
    client_id, with_dsr, _ = joined_client(world)
    world.consent(client_id, "transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["housing"], "a home")
    coordination = world.referrals.coordination
    for attempt in (
        lambda: coordination.add_actor(DSR, client_id, "lawyer", "Bar", "defence"),
        lambda: coordination.add_agency(DSR, client_id, "sab", "x"),
        lambda: coordination.remove_agency(DSR, client_id, "dsr"),
        lambda: coordination.hold_conference(DSR, client_id, NOW.date(), ["dsr", "apo"], ["d"], []),
        lambda: coordination.complete_action(DSR, with_dsr, 0, NOW.date()),
        lambda: world.referrals.referral_history(DSR, client_id),
        lambda: world.referrals.record_step(DSR, referral_id, "sent"),
        lambda: world.referrals.add_note(DSR, referral_id, "a note"),
        lambda: coordination.plan(SAB, client_id),  # an agency not in the plan
        lambda: coordination.plan(DSR_AUDITOR, client_id),  # not a casework role
    ):
        with pytest.raises(Forbidden):
            attempt()
    # Refused at the RPC edge: on the access log, under the client.
    with pytest.raises(Forbidden):
        call(world, "referral_history", actor=DSR, client_id=str(client_id))
    (refused,) = access_events(world, "client-access-refused")
    assert (refused["jwwactor"], refused["data"]["what"], refused["data"]["rule"], refused["subject"]) == (
        "dsr-coord", "referral_history", "agency", str(client_id))


def test_withdrawing_the_consent_takes_the_agency_out_of_the_plan(world):
    client_id, _, _ = joined_client(world)
    world.intake.withdraw_consent(WORKER, client_id, "dsr", "coordination")
    world.sync()
    assert world.referrals.coordination.plan(WORKER, client_id)["agencies"] == []
    (left,) = world.published("coordinating-agency-left")
    assert left["data"] == {"client_id": str(client_id), "agency": "dsr", "why": "consent_withdrawn"}
    assert "jwwactor" not in left or left["jwwactor"] is None
    with pytest.raises(Forbidden):
        call(world, "coordination", actor=DSR, client_id=str(client_id))
    assert [e["data"]["what"] for e in access_events(world, "client-access-refused")] == ["coordination"]
    # Given again, the consent lets it join again; nothing rejoins by itself.
    world.consent(client_id, "dsr", "coordination")
    assert world.referrals.coordination.plan(WORKER, client_id)["agencies"] == []
    world.referrals.coordination.add_agency(WORKER, client_id, "dsr", "housing again")
    assert len(world.referrals.coordination.plan(DSR, client_id)["case_conferences"]) == 1


def test_the_guiding_agency_removes_an_agency(world):
    client_id, _, _ = joined_client(world)
    assert call(world, "remove_coordinating_agency", actor=COORDINATOR, client_id=str(client_id),
                agency="dsr") == {"agency": "dsr"}
    (left,) = world.published("coordinating-agency-left")
    assert left["data"]["why"] == "removed" and left["jwwactor"] == COORDINATOR["user_id"]
    with pytest.raises(NotFound):
        call(world, "remove_coordinating_agency", actor=COORDINATOR, client_id=str(client_id), agency="dsr")
    with pytest.raises(Forbidden):
        world.referrals.coordination.plan(DSR, client_id)
    (joined,) = world.published("coordinating-agency-joined")
    assert joined["data"] == {"client_id": str(client_id), "agency": "dsr"}
    assert "home" not in str(joined)  # what it does stays here
