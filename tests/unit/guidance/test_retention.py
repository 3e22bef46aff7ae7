"""Guidance's retention (storage limitation): some time after a trajectory closed,
guidance destroys its keys of the client's file and notes, records that it did, and
its part of the file reads as erased; intake's part follows intake's own rules."""
import datetime as dt

import pytest

from shared import chain
from shared.config import DEPLOY_DIR
from shared.errors import Forbidden
from tests.support.fakes import Link, guidance as new_guidance, intake as new_intake
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}


def test_a_trajectory_closed_long_enough_loses_its_personal_data_here_and_only_here():
    intake, guidance = new_intake(), new_guidance()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    link = Link(guidance, intake, "intake")
    closed, open_ = (intake.register_client(WORKER, **registration_args()) for _ in range(2))
    for client_id in (closed, open_):
        intake.accept(COORDINATOR, client_id, "apo-sa-1")
    link.deliver()
    now = dt.datetime.now(dt.timezone.utc)
    for client_id in (closed, open_):
        guidance.record_intervention(WORKER, client_id, **intervention_args(now - dt.timedelta(hours=1),
                                                                             note="what we said"))
    guidance.close_trajectory(WORKER, closed, "goals_reached", "a home, a job")

    assert guidance.apply_retention(DPO) == []  # closed a moment ago: five years to go
    guidance.closed_retention = dt.timedelta(0)  # the policy moved instead of the clock
    with pytest.raises(Forbidden):
        guidance.apply_retention(WORKER)
    (due,) = guidance.apply_retention(DPO)  # a dry run: nothing changes
    assert due["client_id"] == str(closed) and due["rule"] == "closed trajectory"
    assert guidance.trajectory(COORDINATOR, closed)["interventions"][0]["note"] == "what we said"

    assert len(guidance.apply_retention(DPO, dry_run=False)) == 1
    assert guidance.apply_retention(DPO) == []  # done: nothing is due twice
    assert guidance.trajectory(COORDINATOR, closed)["interventions"][0]["note"] is None
    assert guidance.trajectory(COORDINATOR, open_)["interventions"][0]["note"] == "what we said"
    assert intake.client_file(COORDINATOR, closed)["personal"]["family_name"] == "Testperson"  # intake's rules
    assert any(n.topic.endswith("ErasureCarriedOut.Recorded") for n in guidance.recorder.select_notifications(1, 999))
    assert list(chain.verify(guidance.recorder)) == []
