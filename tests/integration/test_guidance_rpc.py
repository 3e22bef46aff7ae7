"""A trajectory through RPC on the running platform: intake's acceptance opens it."""
import datetime as dt

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput
from tests.support.broker import wait_until
from tests.support.samples import COORDINATOR, WORKER, registration_payload


def test_a_worker_runs_a_trajectory_from_opening_to_closing(platform):
    platform.start_services("intake", "guidance")
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        rpc.intake.receive_help_request({
            "actor": WORKER, "client_id": client_id, "source": "self", "domains": ["housing", "addiction"],
            "question": "...", "urgency": "normal",
        })
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})

        def opened():
            try:
                return rpc.guidance.trajectory({"actor": WORKER, "client_id": client_id})
            except Exception:
                return None

        trajectory = wait_until(opened, what="guidance to open the trajectory")
        assert (trajectory["worker"], trajectory["domains"]) == ("apo-sa-1", ["addiction", "housing"])

        rpc.guidance.agree_plan({"actor": WORKER, "client_id": client_id, "intensity": "weekly", "expected_weeks": 26,
                                 "goals": [{"domain": "housing", "goal": "a room"}]})
        at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).isoformat()
        for method, sub_kind in [
            ("listening_support", "psychosocial_support"), ("information_guidance", "budget_support"),
            ("assistance_contacts", "accompaniment_lawyer"), ("relational_network", "return_home_preparation"),
            ("referral_coordination", "coordination_of_help"),
        ]:
            rpc.guidance.record_intervention({
                "actor": WORKER, "client_id": client_id, "at": at, "minutes": 30, "place": "office",
                "method": method, "sub_kind": sub_kind, "domains": ["housing"], "note": "confidential",
            })
        with pytest.raises(InvalidInput) as wrong_kind:
            rpc.guidance.record_intervention({
                "actor": WORKER, "client_id": client_id, "at": at, "minutes": 30, "place": "office",
                "method": "listening_support", "sub_kind": "debt_mediation_start", "domains": ["housing"],
            })
        rpc.guidance.recommend_psychologist({"actor": WORKER, "client_id": client_id, "reason": "sleepless"})
        rpc.guidance.review_plan({"actor": WORKER, "client_id": client_id, "intensity": "fortnightly",
                                  "expected_weeks": 30, "goals": [{"domain": "work", "goal": "training"}],
                                  "reason": "room found"})
        with pytest.raises(Forbidden):
            rpc.guidance.close_trajectory({"actor": {**WORKER, "agency": "dsr"}, "client_id": client_id,
                                           "reason": "goals_reached", "summary": "-"})
        rpc.guidance.close_trajectory({"actor": WORKER, "client_id": client_id, "reason": "goals_reached",
                                       "summary": "Room and training in place."})
        with pytest.raises(Conflict):
            rpc.guidance.recommend_psychologist({"actor": WORKER, "client_id": client_id, "reason": "again"})
        final = rpc.guidance.trajectory({"actor": WORKER, "client_id": client_id})

    assert "sub_kind" in wrong_kind.value.details
    assert final["status"] == "closed" and len(final["interventions"]) == 5
    assert final["plan"]["intensity"] == "fortnightly"
    guidance = platform.application("guidance")
    wait_until(lambda: guidance.position_of("relay") == guidance.head(), what="guidance's relay to publish")
