"""A realistic trajectory through RPC on the running platform, from intake's
acceptance to the closing (the guidance issue's "done when")."""
import datetime as dt

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput
from shared.contracts.base import ACCESS
from shared.outbox import Outbox
from tests.support.broker import wait_until
from tests.support.followers import wait_trajectory
from tests.support.samples import COORDINATOR, WORKER, registration_payload

NOW = dt.datetime.now(dt.timezone.utc)


def ago(**delta) -> str:
    return (NOW - dt.timedelta(**delta)).isoformat()


def test_a_worker_runs_a_realistic_trajectory_from_opening_to_closing(platform):
    platform.start_services("intake", "guidance")
    me = {"actor": WORKER}
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        me["client_id"] = client_id
        rpc.intake.receive_help_request({**me, "source": "justice_assistant", "domains": ["housing", "addiction"],
                                         "question": "...", "urgency": "normal"})
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})

        trajectory = wait_trajectory(rpc, me)
        assert (trajectory["worker"], trajectory["domains"]) == ("apo-sa-1", ["addiction", "housing"])

        rpc.guidance.agree_plan({**me, "intensity": "weekly", "expected_weeks": 26,
                                 "goals": [{"domain": "housing", "goal": "a room"}]})
        for method, sub_kind in [
            ("listening_support", "psychosocial_support"), ("information_guidance", "budget_support"),
            ("assistance_contacts", "accompaniment_lawyer"), ("relational_network", "return_home_preparation"),
            ("referral_coordination", "coordination_of_help"),
        ]:
            rpc.guidance.record_intervention({**me, "at": ago(days=20), "minutes": 30, "place": "office",
                                              "method": method, "sub_kind": sub_kind, "domains": ["housing"],
                                              "note": "confidential"})
        with pytest.raises(InvalidInput) as wrong_kind:
            rpc.guidance.record_intervention({**me, "at": ago(days=1), "minutes": 30, "place": "office",
                                              "method": "listening_support", "sub_kind": "debt_mediation_start",
                                              "domains": ["housing"]})
        rpc.guidance.record_condition({**me, "kind": "condition", "description": "follow a treatment",
                                       "starts": ago(days=60)[:10], "ends": (NOW + dt.timedelta(days=10)).date().isoformat(),
                                       "authority": "sentence_enforcement_court"})
        appointment = rpc.guidance.plan_appointment({
            **me, "at": ago(days=2, hours=-2), "with_actor": "court", "purpose": "hearing",
            "accompanied_by": "apo-sa-1", "leave_permit": {"from": ago(days=2), "until": ago(days=2, hours=-8)},
        })["appointment_id"]
        rpc.guidance.record_appointment_outcome({**me, "appointment_id": appointment, "outcome": "held"})
        rpc.guidance.recommend_psychologist({**me, "reason": "sleepless before hearings"})
        raised = rpc.guidance.check_time({"actor": COORDINATOR})["raised"]  # 20 days without contact, weekly plan
        rpc.guidance.review_plan({**me, "intensity": "fortnightly", "expected_weeks": 30, "reason": "room found",
                                  "goals": [{"domain": "work", "goal": "training"}]})
        certificate = rpc.guidance.issue_attendance_certificate({
            **me, "language": "nl", "recipient": "justice_assistant", "from": ago(days=30)[:10],
            "until": NOW.date().isoformat(), "person_name": "Samira Testperson"})
        with pytest.raises(Forbidden):
            rpc.guidance.close_trajectory({"actor": {**WORKER, "agency": "dsr"}, "client_id": client_id,
                                           "reason": "goals_reached", "summary": "-"})
        rpc.guidance.close_trajectory({**me, "reason": "goals_reached", "summary": "Room and training in place."})
        with pytest.raises(Conflict):
            rpc.guidance.recommend_psychologist({**me, "reason": "again"})
        final = rpc.guidance.trajectory(me)

    assert "sub_kind" in wrong_kind.value.details
    assert raised == 2  # the continuity gap, and the condition period ending within two weeks
    assert "AANWEZIGHEIDSATTEST" in certificate["text"] and len(certificate["dates"]) == 1
    assert final["status"] == "closed" and len(final["interventions"]) == 5
    assert final["plan"]["intensity"] == "fortnightly" and final["appointments"][0]["outcome"] == "held"

    guidance = platform.application("guidance")
    wait_until(lambda: guidance.position_of("relay") == guidance.head(), what="guidance's relay to publish all")
    published = {e["type"].split(".")[3] for e in Outbox(guidance).read(after=0, limit=1000)}
    # (The relay's own checkpoints are published too, when it has taken one: tested apart.)
    assert published - {"checkpoint-taken"} == {
        "trajectory-opened", "plan-agreed", "plan-reviewed", "intervention-recorded", "condition-recorded",
        "condition-period-ending", "appointment-planned", "appointment-outcome-recorded", "psychologist-recommended",
        "continuity-gap", "attendance-certificate-issued", "trajectory-closed",
    }
    reads = {e["type"].split(".")[3] for e in Outbox(guidance).read(after=0, limit=1000, streams=(ACCESS,))}
    # On the access stream, which only audit reads: the reads, and the close refused to another agency's worker.
    assert reads == {"client-file-read", "client-access-refused"}
