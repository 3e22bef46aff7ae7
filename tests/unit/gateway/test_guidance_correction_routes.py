"""Correcting interventions and appointments over HTTP (issue 20): signed in with the
sample users, through the gateway, to guidance in memory. An intervention is
addressed by its own id, with If-Match on its version; a correction the state does
not allow is a 409 naming the field and the state, bad input a 422 naming each
field, and another agency's user or an auditor is refused."""
import datetime as dt

import pytest

from services.guidance.application import GuidanceApplication
from services.gateway.routes import ROUTES
from shared.config import DEPLOY_DIR
from shared.contracts import guidance_answers as answers
from tests.support.gateway_http import gateway_http
from tests.support.fakes import IN_MEMORY, Clock, Link, intake as new_intake
from tests.support.samples import WORKER
from tests.unit.guidance.world import NOW, accepted_client, intervention


@pytest.fixture
def world():
    """(intake, guidance, deliver), as tests/unit/guidance/conftest.py makes them."""
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(env=IN_MEMORY, clock=Clock(NOW))
    return intake, guidance, Link(guidance, intake, "intake").deliver


@pytest.fixture
def http(world):
    _, guidance, _ = world
    return gateway_http(lambda service: guidance)


def test_the_correction_routes_are_commands_answering_their_schemas():
    routes = {r.rpc: r for r in ROUTES if r.service == "guidance"}
    expected = {
        "amend_intervention": ("PUT", "/interventions/{intervention_id}", answers.InterventionAmended),
        "retract_intervention": ("POST", "/interventions/{intervention_id}/retraction", answers.InterventionRetracted),
        "reschedule_appointment": ("PUT", "/trajectories/{client_id}/appointments/{appointment_id}",
                                   answers.AppointmentRescheduled),
        "cancel_appointment": ("POST", "/trajectories/{client_id}/appointments/{appointment_id}/cancellation",
                               answers.AppointmentCancelled),
    }
    for rpc, (method, path, answer) in expected.items():
        route = routes[rpc]
        assert (route.method, route.path, route.answer) == (method, path, answer) and route.command, rpc
    assert routes["amend_intervention"].etag == "intervention_id"


def test_an_intervention_is_amended_with_if_match_and_then_retracted(http, world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    path = f"/interventions/{corrected}"
    amended = http("PUT", path, "apo-sa-1", json={"minutes": 55, "reason": "it lasted longer"},
                   headers={"If-Match": f'"{corrected}:1"', "Idempotency-Key": "amend-1"})
    assert amended.status_code == 200, amended.json
    assert amended.json == {"intervention_id": str(corrected), "version": 2, "changed": ["minutes"]}
    assert amended.headers["ETag"] == f'"{corrected}:2"'
    stale = http("PUT", path, "apo-sa-1", json={"minutes": 60, "reason": "again"},
                 headers={"If-Match": f'"{corrected}:1"'})
    assert stale.status_code == 409 and "If-Match" in stale.json["errors"]
    same = http("PUT", path, "apo-sa-1", json={"minutes": 55, "place": "office", "reason": "no change"})
    assert same.status_code == 422 and same.json["errors"] == {"minutes": ["unchanged"], "place": ["unchanged"]}
    for body, fields in (({"minutes": 5}, {"reason"}), ({"reason": "nothing named"}, {"_schema"}),
                         ({"minutes": 0, "reason": "r"}, {"minutes"}), ({"note": "x", "reason": ""}, {"reason"})):
        bad = http("PUT", path, "apo-sa-1", json=body)
        assert bad.status_code == 422 and set(bad.json["errors"]) == fields, body
    future = http("PUT", path, "apo-sa-1", json={"at": (NOW + dt.timedelta(days=2)).isoformat(), "reason": "r"})
    assert future.status_code == 409 and future.json["errors"] == {"at": ["is in the future"]}
    retracted = http("POST", f"{path}/retraction", "apo-sa-1", json={"reason": "recorded in error"})
    assert retracted.status_code == 200
    assert retracted.json == {"intervention_id": str(corrected), "version": 3, "recorded_again_as": None}
    again = http("PUT", path, "apo-sa-1", json={"minutes": 10, "reason": "too late"})
    assert again.status_code == 409 and again.json["errors"] == {"status": ["retracted"]}
    (shown,) = http("GET", f"/trajectories/{client_id}", "apo-sa-1").json["interventions"]
    assert shown["retracted"] == {"by": "apo-sa-1", "recorded_again_as": None, "reason": "recorded in error"}
    assert shown["minutes"] == 55


def test_recorded_on_the_wrong_client_it_moves_over_http(http, world):
    _, guidance, _ = world
    wrong, right = accepted_client(world), accepted_client(world)
    moved = intervention(guidance, wrong)
    answer = http("POST", f"/interventions/{moved}/retraction", "apo-sa-1",
                  json={"reason": "wrong client", "client_id": str(right)})
    assert answer.status_code == 200 and answer.json["recorded_again_as"]
    (copy,) = http("GET", f"/trajectories/{right}", "apo-sa-1").json["interventions"]
    assert copy["intervention_id"] == answer.json["recorded_again_as"] and copy["replaces"] == str(moved)


def test_another_agency_or_an_auditor_corrects_nothing(http, world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    corrected = intervention(guidance, client_id)
    appointment = guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=2), "court", "hearing")
    for user in ("dsr-sa-1", "auditor-1"):
        for method, path, body in (
                ("PUT", f"/interventions/{corrected}", {"minutes": 5, "reason": "r"}),
                ("POST", f"/interventions/{corrected}/retraction", {"reason": "r"}),
                ("POST", f"/trajectories/{client_id}/appointments/{appointment}/cancellation", {"reason": "r"})):
            refused = http(method, path, user, json=body)
            assert refused.status_code == 403, (user, path)
    assert guidance.repository.get(corrected).version == 1


def test_an_appointment_is_rescheduled_and_cancelled_over_http(http, world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    appointment = guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=2), "court", "hearing")
    path = f"/trajectories/{client_id}/appointments/{appointment}"
    past = http("PUT", path, "apo-sa-1", json={"at": (NOW - dt.timedelta(hours=1)).isoformat(), "reason": "r"})
    assert past.status_code == 422 and past.json["errors"] == {"at": ["is in the past"]}
    later = (NOW + dt.timedelta(days=4)).isoformat()
    moved = http("PUT", path, "apo-sa-1", json={"at": later, "reason": "the court moved it"})
    assert moved.status_code == 200 and moved.json == {"appointment_id": appointment, "at": later}
    cancelled = http("POST", f"{path}/cancellation", "apo-sa-1", json={"reason": "called off"})
    assert cancelled.status_code == 200 and cancelled.json == {"appointment_id": appointment, "cancelled": True}
    again = http("POST", f"{path}/cancellation", "apo-sa-1", json={"reason": "again"})
    assert again.status_code == 409 and again.json["errors"] == {"status": ["cancelled"]}
    missing = http("POST", f"/trajectories/{client_id}/appointments/nosuch/cancellation", "apo-sa-1",
                   json={"reason": "r"})
    assert missing.status_code == 404
