"""Case-conference actions on the agenda (services/referrals/agenda.py): those due in
a period, of the agency or of a worker's clients, and their reminder, raised once."""
import datetime as dt

import pytest

from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import NOW, OTHER_AGENCY

TODAY = NOW.date()


def _conference(world, client_id, *days_due):
    return world.referrals.coordination.hold_conference(
        WORKER, client_id, TODAY, ["apo-sa-1", "lawyer"], ["apply for housing"],
        [{"action": f"secret step {n}", "owner": "apo-sa-1", "due": TODAY + dt.timedelta(days=d)}
         for n, d in enumerate(days_due)])


def test_the_actions_due_in_a_period_for_the_agency_and_for_named_clients(world, clock):
    one, other = world.accepted_client(), world.accepted_client()
    first = _conference(world, one, 2, 20)
    _conference(world, other, 5)
    week = (TODAY, TODAY + dt.timedelta(days=7))
    due = world.referrals.agenda.actions_due(COORDINATOR, *week)
    assert [(i["client_id"], i["what"]["action"], i["when"]) for i in due] == [
        (str(one), 0, (TODAY + dt.timedelta(days=2)).isoformat()),
        (str(other), 0, (TODAY + dt.timedelta(days=5)).isoformat())]
    assert "secret" not in str(due) and "apo-sa-1" not in str(due)  # codes, not the action's words or owner
    assert [i["client_id"] for i in world.referrals.agenda.actions_due(WORKER, *week, client_ids=[other])] == [
        str(other)]
    assert world.referrals.agenda.actions_due(OTHER_AGENCY, *week) == []

    world.referrals.coordination.complete_action(WORKER, first, 0, TODAY)
    assert [i["client_id"] for i in world.referrals.agenda.actions_due(COORDINATOR, *week)] == [str(other)]

    clock.now = NOW + dt.timedelta(days=9)  # the other client's action is overdue: shown in the week from today
    today = clock.now.date()
    (overdue,) = world.referrals.agenda.actions_due(COORDINATOR, today, today + dt.timedelta(days=6))
    assert overdue["client_id"] == str(other) and overdue["what"]["overdue"] is True


def test_an_auditor_reads_no_agenda(world):
    with pytest.raises(Forbidden):
        world.referrals.agenda.actions_due({"user_id": "audit-1", "role": "auditor", "agency": "apo"}, TODAY, TODAY)


def test_an_action_falling_due_is_announced_once(world, clock):
    client_id = world.accepted_client()
    conference = _conference(world, client_id, 3, 4)
    world.referrals.check_time()
    assert world.published("case-conference-action-due") == []
    clock.now = NOW + dt.timedelta(days=2)  # the first is due tomorrow
    world.referrals.check_time()
    world.referrals.check_time()
    (first,) = world.published("case-conference-action-due")
    assert first["data"] == {"client_id": str(client_id), "conference_id": str(conference), "agency": "apo",
                             "index": 0, "due": (TODAY + dt.timedelta(days=3)).isoformat()}
    world.referrals.coordination.complete_action(WORKER, conference, 1, clock.now.date())
    clock.now = NOW + dt.timedelta(days=10)
    world.referrals.check_time()
    assert len(world.published("case-conference-action-due")) == 1  # the second was done before it fell due
