"""A national number already on another agency's file, over HTTP on the running
platform (WAVE2 15): the registering worker learns only that a coordinator must
check a possible duplicate; the coordinators of both agencies settle it; each step
is on the access log, and no log line names the person."""
import pytest

from services.intake.domain.duplicate_check import NOTICE
from shared import access_log
from tests.integration.test_gateway_http import PERSON, Api
from tests.support import broker
from tests.support.platform import Platform, free_port


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path_factory.mktemp("duplicates"), uri)
    try:
        platform.start_services("intake")
        platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
        yield Api(platform, 0)
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)


def test_a_possible_duplicate_is_held_and_settled_by_both_agencies_coordinators(api):
    status, _, first = api("POST", "/clients", PERSON)
    assert status == 201 and "duplicate_check" not in first
    existing = first["client_id"]

    status, _, answer = api("POST", "/clients", {**PERSON, "family_name": "Again"}, as_user="dsr-sa-1")
    assert status == 201 and set(answer) == {"client_id", "version", "duplicate_check"}
    assert answer["duplicate_check"] == NOTICE
    new = answer["client_id"]
    status, _, problem = api("POST", f"/clients/{new}/acceptance", {"worker": "dsr-sa-1"}, as_user="dsr-coord")
    assert status == 409 and problem["errors"] == {"duplicate_check": ["pending"]}
    status, _, file = api("GET", f"/clients/{new}", as_user="dsr-sa-1")
    assert file["duplicate_check"] == {"status": "pending", "followed_by": None}
    assert file["personal"]["national_number"] is None and existing not in str(file) and "apo" not in str(file)

    status, _, listed = api("GET", "/duplicate-checks?status=pending", as_user="dsr-coord")
    (dsr_view,) = listed["items"]
    assert status == 200 and (dsr_view["client_id"], dsr_view["other_agency"]) == (new, "apo")
    (apo_view,) = api("GET", "/duplicate-checks", as_user="apo-coord")[2]["items"]
    assert (apo_view["client_id"], apo_view["other_agency"]) == (existing, "dsr")
    assert api("GET", "/duplicate-checks", as_user="sab-coord")[2]["items"] == []
    assert api("GET", "/duplicate-checks", as_user="dsr-sa-1")[0] == 403

    findings = f"/duplicate-checks/{dsr_view['check_id']}/findings"
    status, _, problem = api("POST", findings, {"finding": "maybe"}, as_user="dsr-coord")
    assert status == 422 and list(problem["errors"]) == ["finding"]
    status, _, stated = api("POST", findings, {"finding": "same_person"}, as_user="dsr-coord")
    assert status == 200 and stated["status"] == "pending"
    assert api("POST", findings, {"finding": "same_person"}, as_user="dsr-coord")[0] == 409  # the other agency confirms
    assert api("POST", findings, {"finding": "same_person"}, as_user="sab-coord")[0] == 403
    status, _, settled = api("POST", findings, {"finding": "same_person"}, as_user="apo-coord")
    assert status == 200 and (settled["status"], settled["followed_by"]) == ("linked", "apo")
    assert api("GET", f"/clients/{new}", as_user="dsr-sa-1")[2]["duplicate_check"] == {
        "status": "linked", "followed_by": "apo"}

    intake = api.platform.application("intake")
    logged = {(str(r.client_id), r.reader, r.query) for r in intake.stored(access_log.FileRead.Recorded)}
    assert {(existing, "dsr-sa-1", "possible_duplicate_held"),
            (existing, "dsr-coord", "duplicate_checks"), (existing, "apo-coord", "duplicate_checks"),
            (new, "dsr-coord", "settle_duplicate_check"), (existing, "apo-coord", "settle_duplicate_check")} <= logged
    refused = [r for r in intake.stored(access_log.AccessRefused.Recorded) if r.actor == "sab-coord"]
    assert [str(r.client_id) for r in refused] == [new]
    log = api.platform.logs("intake", "serve")
    for personal in ("Samira", "Testperson", "85073003328", "85.07.30"):
        assert personal not in log
