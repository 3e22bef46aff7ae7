"""What each agency reads of guidance's trajectories after a transfer (issue 16, item 5):
the agency the client left, the trajectory it ran; the agency that received the
client, the earlier trajectory only in the categories of the transfer consent."""
import pytest

from shared import access_log
from shared.consented import NOT_CONSENTED, uncategorised
from shared.contracts.guidance_answers import Trajectory as TrajectoryShown
from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import GOALS, accepted_client, intervention

SAB_WORKER = {"user_id": "sab-sa-1", "role": "social_assistant", "agency": "sab"}
DSR_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}


def guided_by_apo(world, categories=("identity", "help_request")):
    intake, guidance, sync = world
    client_id = accepted_client(world, languages=["fr", "ar"], preferred_language="fr")
    guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 12)
    intervention(guidance, client_id, note="Talked about the rent.")
    intake.give_consent(WORKER, client_id, "sab", "transfer", list(categories))
    return client_id


def test_the_old_agency_reads_the_trajectory_it_ran_and_not_the_new_one(world):
    intake, guidance, sync = world
    client_id = guided_by_apo(world)
    intake.transfer(COORDINATOR, client_id, "sab", "sab-sa-1")
    sync()
    guidance.agree_plan(SAB_WORKER, client_id, GOALS, "fortnightly", 8)  # the new agency's own
    theirs = guidance.trajectory(WORKER, client_id)
    assert (theirs["agency"], theirs["status"]) == ("apo", "closed")
    assert theirs["plan"]["intensity"] == "weekly" and len(theirs["interventions"]) == 1
    assert theirs["withheld"] == {}
    assert TrajectoryShown().validate(theirs) == {}
    with pytest.raises(Forbidden):  # nor the earlier ones, which are for the new agency
        guidance.earlier_trajectories(WORKER, client_id)


def test_the_new_agency_reads_the_earlier_trajectory_in_the_consented_categories(world):
    intake, guidance, sync = world
    client_id = guided_by_apo(world)
    intake.transfer(COORDINATOR, client_id, "sab", "sab-sa-1")
    sync()
    (earlier,) = guidance.earlier_trajectories(SAB_WORKER, client_id)
    assert earlier["agency"] == "apo"
    assert earlier["domains"] == ["housing", "work"]  # help request: consented
    assert earlier["interventions"] is None and earlier["plan"] is None and earlier["languages"] is None
    assert earlier["withheld"]["interventions"] == NOT_CONSENTED
    assert "domains" not in earlier["withheld"]
    assert TrajectoryShown().validate(earlier) == {}
    # Its own trajectory is its own; what it took over on opening is read as the earlier file.
    own = guidance.trajectory(SAB_WORKER, client_id)
    assert own["agency"] == "sab" and own["interventions"] == []
    assert own["languages"] is None and own["domains"] == ["housing", "work"]
    assert set(own["withheld"]) == {"legal_position", "situation", "languages"}


def test_on_the_new_agency_s_waitlist_it_reads_the_earlier_trajectory_as_the_client_s_last(world):
    intake, guidance, sync = world
    client_id = guided_by_apo(world, categories=("identity", "interventions"))
    intake.transfer(COORDINATOR, client_id, "sab")
    sync()
    earlier = guidance.trajectory(SAB_WORKER, client_id)
    assert earlier["agency"] == "apo"
    assert earlier["interventions"][0]["note"] is None  # consented, but a note is for those on the case
    assert earlier["interventions"][0]["method"] == "information_guidance"
    assert earlier["domains"] is None and earlier["withheld"]["domains"] == NOT_CONSENTED
    assert guidance.trajectory(WORKER, client_id)["withheld"] == {}  # apo's own, whole


def test_an_agency_the_client_never_was_with_reads_nothing(world):
    intake, guidance, sync = world
    client_id = guided_by_apo(world)
    intake.transfer(COORDINATOR, client_id, "sab", "sab-sa-1")
    sync()
    with pytest.raises(Forbidden):
        guidance.trajectory(DSR_WORKER, client_id)
    with pytest.raises(Forbidden):
        guidance.earlier_trajectories(DSR_WORKER, client_id)


def test_each_read_is_on_the_access_log(world):
    intake, guidance, sync = world
    client_id = guided_by_apo(world)
    intake.transfer(COORDINATOR, client_id, "sab", "sab-sa-1")
    sync()
    guidance.trajectory(WORKER, client_id)
    guidance.earlier_trajectories(SAB_WORKER, client_id)
    reads = [(e.agency, e.query) for e in guidance.stored(access_log.FileRead.Recorded)]
    assert reads[-2:] == [("apo", "trajectory"), ("sab", "earlier_trajectories")]


def test_every_field_of_the_trajectory_declares_its_category():
    assert uncategorised(TrajectoryShown) == []
