"""Corrections in intake on the running platform (issue 20), against the real
RabbitMQ: a client's situation changes from probation to conditional release and
guidance's trajectory follows; a declined client comes back and is accepted; a client
whose trajectory closed takes no correction until the trajectory or the intake is
reopened, and comes back through a new intake with a new trajectory. Audit's
timeline shows each change beside the facts it corrects. On the session's platform
(tests/support/running.py): each test works on a client of its own."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shared.errors import Conflict, InvalidInput
from tests.support.broker import wait_until
from tests.support.followers import wait_trajectory
from tests.support.samples import COORDINATOR, WORKER, registration_payload

# Intake dates a change in Brussels days (IntakeApplication.today).
TODAY = dt.datetime.now(ZoneInfo("Europe/Brussels")).date()


def facts_on_the_timeline(running, client_id: str, expected: list[str]) -> list[str]:
    """The intake facts of the client's timeline, once audit holds each expected (as often as listed)."""
    def seen():
        status, _, timeline = running.api("GET", f"/audit/clients/{client_id}/timeline?purpose=inspection",
                                          as_user="auditor-1")
        facts = [e["type"].split(".")[3] for e in timeline.get("entries", []) if e["source"] == "intake"]
        return status == 200 and all(facts.count(f) >= expected.count(f) for f in expected) and facts

    return wait_until(seen, timeout=30, what="audit to hear of the correction")


def test_a_change_of_situation_is_on_the_file_with_its_history_and_guidance_follows(running):
    platform = running.platform
    me = {"actor": WORKER}
    with platform.rpc() as rpc:
        # Convicted, on probation (tests/support/samples.PERSON).
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        me["client_id"] = client_id
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        assert wait_trajectory(rpc, me)["situation"] == "probation"

        changed = rpc.intake.change_legal_situation({
            **me, "effective_from": TODAY.isoformat(), "situation": "conditional_release",
            "mandating_actor": {"kind": "sentence_enforcement_court"},
            "reason": "the sentence enforcement court granted conditional release"})
        with pytest.raises(InvalidInput) as ahead:
            rpc.intake.change_legal_situation({
                **me, "effective_from": (TODAY + dt.timedelta(days=2)).isoformat(),
                "situation": "electronic_monitoring", "reason": "not yet decided"})
        with pytest.raises(InvalidInput) as same:
            rpc.intake.change_legal_situation({
                **me, "effective_from": TODAY.isoformat(), "situation": "conditional_release", "reason": "again"})
        file = rpc.intake.client_file(me)

        wait_until(lambda: rpc.guidance.trajectory(me)["situation"] == "conditional_release",
                   what="guidance to follow the change of situation")
        trajectory = rpc.guidance.trajectory(me)

    assert changed["changed"] == ["situation", "mandating_actor"]
    assert set(ahead.value.details) == {"effective_from"} and set(same.value.details) == {"situation"}
    assert (file["legal_position"], file["situation"]) == ("convicted", "conditional_release")
    (entry,) = file["legal_situation_history"]
    assert entry["effective_from"] == TODAY.isoformat()
    assert (entry["from"]["situation"], entry["to"]["situation"]) == ("probation", "conditional_release")
    assert entry["by"]["user_id"] == WORKER["user_id"] and entry["reason"].startswith("the sentence")
    assert (trajectory["legal_position"], trajectory["status"]) == ("convicted", "open")
    facts = facts_on_the_timeline(running, client_id, ["client-registered", "legal-situation-changed"])
    assert facts.index("client-registered") < facts.index("legal-situation-changed")


def test_a_declined_client_who_comes_back_is_reopened_then_accepted(running):
    platform = running.platform
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        coordinator = {"actor": COORDINATOR, "client_id": client_id}
        rpc.intake.decline_intake({**coordinator, "reason": "not_reachable"})
        reopened = rpc.intake.reopen_intake({**coordinator, "reason": "she called back and wants guidance"})
        pending = rpc.intake.pending_intakes({"actor": COORDINATOR, "agency": "apo"})
        file = rpc.intake.accept_intake({**coordinator, "worker": "apo-sa-1"})
        with pytest.raises(Conflict) as guided:
            rpc.intake.reopen_intake({**coordinator, "reason": "guided already"})
        trajectory = wait_trajectory(rpc, {"actor": WORKER, "client_id": client_id})

    assert reopened == {"client_id": client_id, "status": "registered"}
    assert client_id in [p["client_id"] for p in pending]
    assert file["status"] == "accepted"
    assert [d["decision"] for d in file["decisions"]] == ["declined", "reopened", "accepted"]
    assert guided.value.details == {"status": ["accepted: guided at apo by apo-sa-1"]}
    assert (trajectory["worker"], trajectory["status"]) == ("apo-sa-1", "open")
    assert [f for f in facts_on_the_timeline(running, client_id, ["intake-accepted"])
            if f.startswith("intake-")] == ["intake-declined", "intake-reopened", "intake-accepted"]


def test_a_closed_client_takes_no_correction_and_comes_back_through_a_new_intake(running):
    platform = running.platform
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        coordinator = {"actor": COORDINATOR, "client_id": client_id}
        me = {"actor": WORKER, "client_id": client_id}
        rpc.intake.accept_intake({**coordinator, "worker": "apo-sa-1"})
        first = wait_trajectory(rpc, me)
        rpc.guidance.close_trajectory({**me, "reason": "moved", "summary": "moved to Liège"})
        wait_until(lambda: rpc.intake.client_file(me)["trajectory_closed"], what="intake to hear of the closing")
        with pytest.raises(Conflict) as closed:
            rpc.intake.change_contact_details({**me, "effective_from": TODAY.isoformat(),
                                               "contact": {"phone": "+32 2 555 12 12"}, "reason": "new phone"})
        rpc.guidance.reopen_trajectory({**coordinator, "reason": "she did not move after all"})
        wait_until(lambda: not rpc.intake.client_file(me)["trajectory_closed"], what="intake to hear of the reopening")
        rpc.intake.change_contact_details({**me, "effective_from": TODAY.isoformat(),
                                           "contact": {"phone": "+32 2 555 12 12"}, "reason": "new phone"})
        rpc.guidance.close_trajectory({**me, "reason": "goals_reached", "summary": "housed and working"})
        wait_until(lambda: rpc.intake.client_file(me)["trajectory_closed"], what="intake to hear of the closing")
        reopened = rpc.intake.reopen_intake({**coordinator, "reason": "a year later she asks for help again"})
        file = rpc.intake.accept_intake({**coordinator, "worker": "apo-sa-1"})
        second = wait_until(lambda: (t := rpc.guidance.trajectory(me))["trajectory_id"] != first["trajectory_id"]
                            and t, what="guidance to open a new trajectory")

    assert closed.value.details == {"status": ["trajectory closed"]}
    assert reopened == {"client_id": client_id, "status": "registered"}
    assert [d["decision"] for d in file["decisions"]] == ["accepted", "reopened", "accepted"]
    assert (second["status"], second["worker"]) == ("open", "apo-sa-1")
    assert [f for f in facts_on_the_timeline(
        running, client_id, ["intake-accepted", "intake-reopened-after-closing", "intake-accepted"])
            if f.startswith("intake-")] == ["intake-accepted", "intake-reopened-after-closing", "intake-accepted"]
