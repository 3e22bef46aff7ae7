"""What each agency reads after a transfer, over HTTP on the running platform (issue
16, item 5): a client guided by apo, who consented to a transfer to sab for their
identity and help request, is transferred; apo's social assistant reads only apo's
part, and sab's worker reads the earlier trajectory with the interventions withheld
(not consented) and the help request shown. Every read is on the access log."""
import datetime as dt

import pytest

from shared import access_log
from shared.consented import NOT_CONSENTED
from tests.integration.test_gateway_http import PERSON, Api
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import Platform, free_port


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    vhost, uri = broker.create_vhost()
    platform = Platform(tmp_path_factory.mktemp("transfer"), uri)
    try:
        platform.start_services("intake", "guidance")
        platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
        yield Api(platform, 0)
    finally:
        platform.stop_all()
        broker.delete_vhost(vhost)


def test_after_a_transfer_each_agency_reads_its_own_part_and_the_consented_categories(api):
    client = api("POST", "/clients", {**PERSON, "national_number": None})[2]["client_id"]
    assert api("POST", f"/clients/{client}/help-requests", {
        "source": "justice_assistant", "domains": ["housing"], "question": "Un logement.", "urgency": "high"})[0] == 201
    assert api("POST", f"/clients/{client}/acceptance", {"worker": "apo-sa-1"}, as_user="apo-coord")[0] == 200
    _, headers, _ = api.until("GET", f"/trajectories/{client}", what="guidance to open apo's trajectory")
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat()
    status, _, answer = api("POST", f"/trajectories/{client}/interventions", {
        "at": at, "minutes": 45, "place": "office", "method": "listening_support", "sub_kind": "listening_ear",
        "domains": ["housing"], "note": "confidential"}, If_Match=headers["ETag"])
    assert status == 201, answer
    assert api("POST", f"/clients/{client}/consents", {
        "recipient": "sab", "purpose": "transfer", "scope": ["identity", "help_request"]})[0] == 201
    status, _, answer = api("POST", f"/clients/{client}/transfer", {"to_agency": "sab", "worker": "sab-jur-1"},
                            as_user="apo-coord")
    assert status == 200, answer
    assert api("POST", f"/clients/{client}/help-requests", {
        "source": "self", "domains": ["work"], "question": "Un travail.", "urgency": "normal"},
        as_user="sab-jur-1")[0] == 201

    # apo reads only its own part: its help request, and the trajectory it ran, closed.
    status, _, file = api("GET", f"/clients/{client}")
    assert status == 200 and file["transferred"]["agency"] == "sab"
    assert [r["question"] for r in file["help_requests"]] == ["Un logement."]
    own = wait_until(lambda: (r := api("GET", f"/trajectories/{client}"))[0] == 200 and r[2]["status"] == "closed"
                     and r[2], what="guidance to close apo's trajectory on the transfer")
    assert (own["agency"], own["status"], len(own["interventions"]), own["withheld"]) == ("apo", "closed", 1, {})

    # sab reads the earlier file in the consented categories only.
    status, _, file = api("GET", f"/clients/{client}", as_user="sab-jur-1")
    assert status == 200 and file["transferred"] is None
    assert file["personal"]["given_names"] == "Samira" and file["legal_position"] is None
    assert [r["question"] for r in file["help_requests"]] == ["Un logement.", "Un travail."]
    assert file["withheld"]["legal_position"] == NOT_CONSENTED
    _, _, earlier = api.until("GET", f"/trajectories/{client}/earlier", as_user="sab-jur-1",
                              what="guidance to note the transfer")
    (apo_s,) = earlier["items"]
    assert apo_s["agency"] == "apo" and apo_s["domains"] == ["housing"]  # help request: consented
    assert apo_s["interventions"] is None and apo_s["withheld"]["interventions"] == NOT_CONSENTED
    assert api("GET", f"/trajectories/{client}/earlier", as_user="dsr-sa-1")[0] == 403

    guidance = api.platform.application("guidance")
    reads = {(r.reader, r.query) for r in guidance.stored(access_log.FileRead.Recorded) if str(r.client_id) == client}
    assert {("apo-sa-1", "trajectory"), ("sab-jur-1", "earlier_trajectories")} <= reads
    intake = api.platform.application("intake")
    reads = [r.reader for r in intake.stored(access_log.FileRead.Recorded) if str(r.client_id) == client]
    assert {"apo-sa-1", "sab-jur-1"} <= set(reads)

