"""Guidance follows intake's change of where a client stands (issue 20): the open
trajectory and guidance's record show the current legal position and situation."""
from services.guidance.domain import ClientOnRecord
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.guidance.world import accepted_client


def test_a_change_of_situation_in_intake_shows_on_the_open_trajectory_once(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    assert guidance.trajectory(WORKER, client_id)["situation"] == "probation"
    intake.change_legal_situation(WORKER, client_id, intake.today(), "the court granted conditional release",
                                  situation="conditional_release")
    sync()
    sync()  # delivered again: nothing new
    trajectory = guidance.trajectory(WORKER, client_id)
    assert (trajectory["legal_position"], trajectory["situation"]) == ("convicted", "conditional_release")
    noted = [n for n in guidance.recorder.select_notifications(1, 1000) if n.topic.endswith("LegalSituationNoted")]
    assert len(noted) == 1


def test_a_new_legal_position_is_noted_on_guidance_s_record_of_the_client(world):
    intake, guidance, sync = world
    client_id = accepted_client(world, legal_position="interned", situation="internee_on_leave")
    intake.change_legal_situation(WORKER, client_id, intake.today(), "released on trial",
                                  situation="released_internee_on_trial")
    intake.change_legal_situation(WORKER, client_id, intake.today(), "sentenced meanwhile", legal_position="convicted",
                                  situation="conditional_release")
    sync()
    record = guidance.repository.get(ClientOnRecord.create_id(client_id))
    assert record.legal_position == "convicted"
    assert guidance.trajectory(WORKER, client_id)["situation"] == "conditional_release"


def test_a_closed_trajectory_keeps_what_it_said_when_it_closed(world):
    intake, guidance, sync = world
    client_id = accepted_client(world)
    guidance.close_trajectory(COORDINATOR, client_id, "goals_reached", "All went well.")
    intake.change_legal_situation(WORKER, client_id, intake.today(), "sentence served", situation="sentence_served")
    sync()
    trajectory = guidance.trajectory(WORKER, client_id)
    assert (trajectory["status"], trajectory["situation"]) == ("closed", "probation")
