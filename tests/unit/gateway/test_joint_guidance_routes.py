"""Joint guidance over HTTP (issue 16, item 4): the guiding agency adds another agency
to the coordination plan under the client's consent for coordination; that agency's
staff read the plan and their case conferences, not the referrals. Signed in with the
sample users, through the gateway, to the services in memory."""
from shared import access_log
from tests.support.samples import WORKER
from tests.unit.gateway.test_partner_routes import http, world  # noqa: F401 (fixtures)
from tests.unit.referrals.world import NOW


def test_an_agency_joins_under_consent_reads_its_conferences_and_leaves(http, world):  # noqa: F811
    client = str(world.accepted_client())
    agencies = f"/clients/{client}/coordination/agencies"
    missing = http("POST", agencies, "apo-coord", json={"agency": "dsr", "does": "a home"})
    assert missing.status_code == 409
    assert missing.json["errors"] == {"consent": ["no consent in force for recipient dsr, purpose coordination"]}
    bad = http("POST", agencies, "apo-coord", json={"agency": "Not A Code", "does": ""})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"agency", "does"}

    world.consent(client, "dsr", "coordination")
    added = http("POST", agencies, "apo-coord", json={"agency": "dsr", "does": "looks for a home"})
    assert added.status_code == 201 and added.json == {"agency": "dsr"}
    assert http("POST", agencies, "dsr-coord", json={"agency": "sab", "does": "x"}).status_code == 403
    world.referrals.coordination.hold_conference(WORKER, client, NOW.date(), ["apo-sa-1", "dsr"], ["d"], [])
    world.referrals.coordination.hold_conference(WORKER, client, NOW.date(), ["apo-sa-1", "lawyer"], ["e"], [])

    plan = http("GET", f"/clients/{client}/coordination", "dsr-coord")
    assert plan.status_code == 200
    assert [c["decisions"] for c in plan.json["case_conferences"]] == [["d"]]
    assert plan.json["agencies"] == [{"agency": "dsr", "does": "looks for a home"}]
    assert http("GET", f"/clients/{client}/referrals", "dsr-coord").status_code == 403
    assert http("GET", f"/clients/{client}/coordination", "sab-coord").status_code == 403

    removed = http("POST", f"{agencies}/dsr/removal", "apo-coord", json={})
    assert removed.status_code == 200 and removed.json == {"agency": "dsr"}
    assert http("POST", f"{agencies}/dsr/removal", "apo-coord", json={}).status_code == 404
    assert http("GET", f"/clients/{client}/coordination", "dsr-coord").status_code == 403
    refused = [(e.actor, e.what) for e in world.referrals.stored(access_log.AccessRefused.Recorded)]
    assert refused == [("dsr-coord", "add_coordinating_agency"), ("dsr-coord", "referral_history"),
                       ("sab-coord", "coordination"), ("dsr-coord", "coordination")]
    reads = [(e.reader, e.query) for e in world.referrals.stored(access_log.FileRead.Recorded)]
    assert ("dsr-coord", "coordination") in reads
