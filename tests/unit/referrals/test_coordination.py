"""Coordination use cases: the plan of who does what, and case conferences."""
import datetime as dt
import uuid

import pytest

from services.referrals.domain import ActionAlreadyDone, ConferenceNotHeldYet, NoSuchAction, NoSuchCoordinationActor
from shared.errors import Forbidden, NotFound
from tests.support.samples import WORKER
from tests.unit.referrals.world import NOW, OTHER_AGENCY


def test_a_case_conference_records_decisions_and_actions_with_owners(world):
    client_id = world.accepted_client()
    coordination = world.referrals.coordination
    lawyer = coordination.add_actor(WORKER, client_id, "lawyer", "Bar of Brussels", "defence at the hearing", "Me X")
    coordination.add_actor(WORKER, client_id, "justice_assistant", "Justice house Brussels",
                           "supervises the conditions")
    conference_id = coordination.hold_conference(
        WORKER, client_id, NOW.date(), ["worker apo-sa-1", "justice assistant", "Transit"],
        ["start residential treatment in January"],
        [{"action": "ask for a bed", "owner": "Transit", "due": NOW.date() + dt.timedelta(days=7)}])
    with pytest.raises(ConferenceNotHeldYet):
        coordination.hold_conference(WORKER, client_id, NOW.date() + dt.timedelta(days=1), ["a", "b"], ["d"], [])
    coordination.complete_action(WORKER, conference_id, 0, NOW.date())
    with pytest.raises(ActionAlreadyDone):
        coordination.complete_action(WORKER, conference_id, 0, NOW.date())
    with pytest.raises(NoSuchAction):
        coordination.complete_action(WORKER, conference_id, 3, NOW.date())
    coordination.remove_actor(WORKER, client_id, lawyer)
    with pytest.raises(NoSuchCoordinationActor):
        coordination.remove_actor(WORKER, client_id, lawyer)
    plan = coordination.plan(WORKER, client_id)
    assert [a["role"] for a in plan["actors"]] == ["justice_assistant"]
    (conference,) = plan["case_conferences"]
    assert conference["decisions"] == ["start residential treatment in January"]
    assert conference["actions"][0]["done"] == NOW.date().isoformat()
    assert world.published("case-conference-held")[0]["data"]["actions_due"] == [
        (NOW.date() + dt.timedelta(days=7)).isoformat()]


def test_a_plan_is_empty_until_its_first_actor(world):
    client_id = world.accepted_client()
    assert world.referrals.coordination.plan(WORKER, client_id) == {
        "client_id": str(client_id), "actors": [], "agencies": [], "case_conferences": []}
    with pytest.raises(NoSuchCoordinationActor):
        world.referrals.coordination.remove_actor(WORKER, client_id, "nobody")


def test_another_agency_cannot_coordinate_or_read_the_plan(world):
    client_id = world.accepted_client()
    coordination = world.referrals.coordination
    with pytest.raises(Forbidden):
        coordination.add_actor(OTHER_AGENCY, client_id, "lawyer", "Bar", "defence")
    with pytest.raises(Forbidden):
        coordination.plan(OTHER_AGENCY, client_id)
    conference_id = coordination.hold_conference(WORKER, client_id, NOW.date(), ["a", "b"], ["d"],
                                                 [{"action": "x", "owner": "a", "due": NOW.date()}])
    with pytest.raises(Forbidden):
        coordination.complete_action(OTHER_AGENCY, conference_id, 0, NOW.date())
    with pytest.raises(NotFound) as unknown:
        coordination.complete_action(WORKER, uuid.uuid4(), 0, NOW.date())
    assert unknown.value.details == {"conference_id": ["not found"]}
