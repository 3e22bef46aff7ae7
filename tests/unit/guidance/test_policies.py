"""What intake's facts do in guidance, delivered through an in-memory follower."""
import datetime as dt

import pytest

from shared.domain import NotPermitted
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import NOW, OTHER_AGENCY, accepted_client


def test_an_accepted_intake_opens_one_trajectory_however_often_it_arrives(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    sync()  # delivered again: nothing new
    trajectory = guidance.trajectory(WORKER, client_id)
    assert (trajectory["agency"], trajectory["worker"], trajectory["status"]) == ("apo", "apo-sa-1", "open")
    assert trajectory["domains"] == ["housing", "work"]
    opened = [n for n in guidance.recorder.select_notifications(1, 100) if n.topic.endswith("Trajectory.Opened")]
    assert len(opened) == 1


def test_a_reassignment_in_intake_changes_the_worker_here(world):
    intake, guidance, sync = world
    client_id = accepted_client(world, languages=["fr"], preferred_language="fr")
    intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    sync()
    assert guidance.trajectory(COORDINATOR, client_id)["worker"] == "apo-crim-1"


def test_a_transfer_closes_the_trajectory_and_the_new_agency_opens_its_own(world):
    intake, guidance, sync = world
    client_id = accepted_client(world, languages=["nl", "fr"], preferred_language="nl")
    intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    intake.transfer(COORDINATOR, client_id, "dsr", "dsr-sa-1")
    sync()
    new = guidance.trajectory(OTHER_AGENCY, client_id)
    assert (new["agency"], new["worker"], new["status"]) == ("dsr", "dsr-sa-1", "open")
    # The old agency reads the trajectory it ran, closed, not the new one (issue 16, item 5).
    old = guidance.trajectory(WORKER, client_id)
    assert (old["agency"], old["status"]) == ("apo", "closed") and old["trajectory_id"] != new["trajectory_id"]


def test_the_family_is_involved_only_with_the_clients_consent(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    member = guidance.add_network_member(WORKER, client_id, "partner", "Amina")
    with pytest.raises(NotPermitted) as refused:
        guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "phone", "talked about return")
    assert "consent" in refused.value.details
    intake.give_consent(WORKER, client_id, "apo", "family_involvement", ["guidance_progress"])
    sync()
    guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "phone", "talked about return")
    guidance.prepare_return_home(WORKER, client_id, member, {
        "starts": NOW + dt.timedelta(days=7), "ends": NOW + dt.timedelta(days=9)}, "room ready")
    intake.withdraw_consent(WORKER, client_id, "apo", "family_involvement")
    sync()
    with pytest.raises(NotPermitted):
        guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "visit")
    assert len(guidance.trajectory(WORKER, client_id)["network"][0]["contacts"]) == 2
