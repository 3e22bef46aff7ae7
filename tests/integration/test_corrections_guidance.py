"""Corrections in guidance on the running platform (issue 20): over HTTP, a worker
records, amends (with If-Match) and retracts interventions, reschedules and cancels
an appointment; an auditor's timeline shows each original and each correction, and
the replayed file shows the interventions and the appointment as corrected."""
import datetime as dt
import urllib.parse

import pytest

from tests.support.broker import wait_until

PERSON = {"given_names": "Samira", "family_name": "Correctiontest", "birth_date": "1985-07-30",
          "legal_position": "convicted", "situation": "probation", "languages": ["ar", "fr"], "preferred_language": "ar"}
CORRECTIONS = ("intervention-amended", "intervention-retracted", "appointment-rescheduled", "appointment-cancelled")


@pytest.fixture
def api(running):
    """The session's platform (tests/support/running.py): this test works on a client of its own."""
    return running.api


def _at(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.timezone.utc) + delta).replace(microsecond=0).isoformat()


def test_interventions_and_an_appointment_corrected_over_http_and_on_the_audit_timeline(api):
    status, _, answer = api("POST", "/clients", PERSON)
    assert status == 201, answer
    client = answer["client_id"]
    status, _, _ = api("POST", f"/clients/{client}/acceptance", {"worker": "apo-sa-1"}, as_user="apo-coord")
    assert status == 200
    wait_until(lambda: api("GET", f"/trajectories/{client}")[0] == 200, what="guidance to open the trajectory")

    contact = {"minutes": 30, "place": "office", "method": "listening_support", "sub_kind": "listening_ear",
               "domains": ["housing"], "note": "spoke about the rent"}
    status, _, recorded = api("POST", f"/trajectories/{client}/interventions",
                              {**contact, "at": _at(-dt.timedelta(hours=3))})
    assert status == 201, recorded
    amended_id = recorded["intervention_id"]
    status, _, wrong = api("POST", f"/trajectories/{client}/interventions", {**contact, "at": _at(-dt.timedelta(hours=2))})
    assert status == 201, wrong

    status, headers, amended = api("PUT", f"/interventions/{amended_id}",
                                   {"minutes": 50, "reason": "it lasted longer"},
                                   If_Match=f'"{amended_id}:1"', Idempotency_Key="corr-amend-1")
    assert (status, amended["changed"], amended["version"]) == (200, ["minutes"], 2), amended
    assert headers["ETag"] == f'"{amended_id}:2"'
    status, _, again = api("PUT", f"/interventions/{amended_id}", {"minutes": 50, "reason": "it lasted longer"},
                           If_Match=f'"{amended_id}:1"', Idempotency_Key="corr-amend-1")
    assert (status, again) == (200, amended)  # the same key: the first answer, nothing recorded twice
    status, _, stale = api("PUT", f"/interventions/{amended_id}", {"minutes": 55, "reason": "again"},
                           If_Match=f'"{amended_id}:1"')
    assert status == 409 and "If-Match" in stale["errors"]
    status, _, retracted = api("POST", f"/interventions/{wrong['intervention_id']}/retraction",
                               {"reason": "recorded twice"})
    assert (status, retracted["recorded_again_as"]) == (200, None), retracted
    status, _, refused = api("PUT", f"/interventions/{wrong['intervention_id']}", {"minutes": 5, "reason": "late"})
    assert status == 409 and refused["errors"] == {"status": ["retracted"]}

    status, _, planned = api("POST", f"/trajectories/{client}/appointments", {
        "at": _at(dt.timedelta(days=3)), "with_actor": "court", "purpose": "the hearing"})
    assert status == 201, planned
    appointment = f"/trajectories/{client}/appointments/{planned['appointment_id']}"
    status, _, past = api("PUT", appointment, {"at": _at(-dt.timedelta(hours=1)), "reason": "r"})
    assert status == 422 and past["errors"] == {"at": ["is in the past"]}
    moved_to = _at(dt.timedelta(days=5))
    status, _, moved = api("PUT", appointment, {"at": moved_to, "reason": "the court moved the hearing"})
    assert (status, moved["at"]) == (200, moved_to), moved
    status, _, cancelled = api("POST", f"{appointment}/cancellation", {"reason": "the hearing was called off"})
    assert (status, cancelled["cancelled"]) == (200, True), cancelled

    _, _, trajectory = api("GET", f"/trajectories/{client}")
    shown = {i["intervention_id"]: i for i in trajectory["interventions"]}
    assert shown[amended_id]["minutes"] == 50 and shown[amended_id]["amendments"][0]["changed"] == ["minutes"]
    assert shown[wrong["intervention_id"]]["retracted"]["by"] == "apo-sa-1"
    (shown_appointment,) = trajectory["appointments"]
    assert shown_appointment["cancelled"] and shown_appointment["at"] == moved_to

    query = urllib.parse.urlencode({"purpose": "inspection"})

    def timeline():
        status, _, answer = api("GET", f"/audit/clients/{client}/timeline?{query}", as_user="auditor-1")
        assert status == 200, answer
        facts = [e["type"].split(".")[3] for e in answer["entries"] if e["source"] == "guidance"]
        return all(fact in facts for fact in CORRECTIONS) and answer

    entries = wait_until(timeline, timeout=30, what="audit to follow the corrections")["entries"]
    guidance = [(e["type"].split(".")[3], e["data"].get("intervention_id") or e["data"].get("appointment_id"))
                for e in entries if e["source"] == "guidance"]
    assert guidance.index(("intervention-recorded", amended_id)) < guidance.index(("intervention-amended", amended_id))
    wrong_id = wrong["intervention_id"]
    assert guidance.index(("intervention-recorded", wrong_id)) < guidance.index(("intervention-retracted", wrong_id))
    planned_id = planned["appointment_id"]
    assert [f for f, about in guidance if about == planned_id] == [
        "appointment-planned", "appointment-rescheduled", "appointment-cancelled"]
    original = next(e for e in entries if e["type"].endswith("intervention-recorded.v1")
                    and e["data"]["intervention_id"] == amended_id)
    amendment = next(e for e in entries if e["type"].endswith("intervention-amended.v1"))
    assert (original["data"]["minutes"], amendment["data"]["minutes"]) == (30, 50)  # the original stays
    assert (amendment["actor"], amendment["data"]["changed"]) == ("apo-sa-1", ["minutes"])
    text = str(entries)
    for written in ("it lasted longer", "recorded twice", "moved the hearing", "called off", "spoke about the rent"):
        assert written not in text, written

    # To the microsecond: truncated to the second, the instant may fall before the
    # appointment's facts of that same second.
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    at = urllib.parse.urlencode({"purpose": "inspection", "at": now})
    status, _, replay = api("GET", f"/audit/clients/{client}/replay?{at}", as_user="auditor-1")
    assert status == 200, replay
    items = {i["intervention_id"]: i for i in replay["file"]["trajectory"]["interventions"]}
    assert items[amended_id]["minutes"] == 50
    assert [c["correction"] for c in items[amended_id]["corrections"]] == ["amended"]
    assert items[wrong_id]["retracted"] is not None
    (replayed,) = replay["file"]["trajectory"]["appointments"]
    assert [c["correction"] for c in replayed["corrections"]] == ["rescheduled", "cancelled"]
    assert replayed["cancelled"] is not None
