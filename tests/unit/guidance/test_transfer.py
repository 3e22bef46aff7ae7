"""After a transfer, the old agency no longer acts on the client's trajectory (issue 16,
item 5): its trajectory closes and cannot be reopened there."""
import pytest

from shared.domain import NotPermitted
from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import OTHER_AGENCY, accepted_client


def test_a_trajectory_closed_by_a_transfer_to_the_waitlist_is_not_reopened_by_the_old_agency(world):
    intake, guidance, sync = world
    client_id = accepted_client(world, languages=["nl", "fr"], preferred_language="nl")
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    intake.transfer(COORDINATOR, client_id, "dsr")  # no worker there yet: the client waits at dsr
    sync()
    with pytest.raises(NotPermitted) as refused:
        guidance.reopen_trajectory(COORDINATOR, client_id, "we still see them")
    assert refused.value.details == {"status": ["closed on transfer"]}
    with pytest.raises(Forbidden):
        guidance.record_intervention(OTHER_AGENCY, client_id, **{})  # the old trajectory is not the new agency's


def test_a_trajectory_closed_by_its_worker_can_still_be_reopened(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    guidance.close_trajectory(COORDINATOR, client_id, "goals_reached", "done")
    guidance.reopen_trajectory(COORDINATOR, client_id, "back again")
    assert guidance.trajectory(COORDINATOR, client_id)["status"] == "open"
