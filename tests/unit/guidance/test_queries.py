"""What guidance answers: a trajectory (notes only for the staff on the case), caseloads, activity."""
import datetime as dt

import pytest

from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import NOW, COLLEAGUE, OTHER_AGENCY, GOALS, accepted_client, intervention


def test_the_confidential_note_is_read_only_by_the_staff_on_the_case(world):
    intake, guidance, _ = world
    client_id = accepted_client(world)
    intervention(guidance, client_id)
    assert guidance.trajectory(WORKER, client_id)["interventions"][0]["note"] == "Spoke about fears of the hearing."
    assert guidance.trajectory(COORDINATOR, client_id)["interventions"][0]["note"] is not None
    assert guidance.trajectory(COLLEAGUE, client_id)["interventions"][0]["note"] is None
    with pytest.raises(Forbidden):
        guidance.trajectory(OTHER_AGENCY, client_id)


def test_the_caseload_shows_when_each_client_is_next_due(world, clock):
    _, guidance, _ = world
    first, second = accepted_client(world), accepted_client(world)
    guidance.agree_plan(WORKER, first, GOALS, "weekly", 12)
    guidance.agree_plan(WORKER, second, GOALS, "monthly", 12)
    intervention(guidance, second)
    clock.now = NOW + dt.timedelta(days=10)
    rows = guidance.caseload(WORKER)
    assert [r["client_id"] for r in rows] == [str(first), str(second)]
    assert [r["overdue"] for r in rows] == [True, False]
    with pytest.raises(Forbidden):
        guidance.caseload(WORKER, worker="apo-crim-1")
    assert len(guidance.caseload(COORDINATOR, worker="apo-sa-1")) == 2


def test_the_activity_report_counts_per_domain_and_method(world):
    _, guidance, _ = world
    first, second = accepted_client(world), accepted_client(world)
    intervention(guidance, first, domains=["housing", "work"], minutes=30)
    intervention(guidance, second, method="listening_support", sub_kind="listening_ear", domains=["housing"])
    report = guidance.activity(COORDINATOR, (NOW - dt.timedelta(days=1)).date(), NOW.date())
    assert (report["interventions"], report["minutes"]) == (2, 75)
    assert report["by_domain"] == {"housing": 2, "work": 1}
    assert report["by_method"] == {"information_guidance": 1, "listening_support": 1}
    with pytest.raises(Forbidden):
        guidance.activity(WORKER, NOW.date(), NOW.date())


def test_a_long_trajectory_is_snapshotted_and_loads_the_same(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    for n in range(205):
        intervention(guidance, client_id, at=NOW - dt.timedelta(minutes=n + 1))
    assert list(guidance.snapshots.get(guidance.current_trajectory(client_id).id))  # taken at version 200
    assert guidance.trajectory(WORKER, client_id)["interventions"][-1]["note"] == "Spoke about fears of the hearing."
    assert len(guidance.trajectory(WORKER, client_id)["interventions"]) == 205
