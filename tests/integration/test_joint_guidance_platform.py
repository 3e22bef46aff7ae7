"""Joint guidance on the running platform (issue 16, item 4), through the HTTP API:
APO's coordinator adds DSR to a client's coordination plan under the client's consent
for coordination; DSR's coordinator reads the plan and the case conference DSR took
part in, not the other one; the client withdraws the consent, DSR leaves the plan by
itself and is refused afterwards, and audit shows the facts and the refusal."""
import datetime as dt

from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.accounts import credentials

PERSON = {"given_names": "Samira", "family_name": "Testperson", "birth_date": "1985-07-30",
          "legal_position": "convicted", "situation": "probation", "languages": ["ar", "fr"],
          "preferred_language": "ar"}


def test_a_second_agency_joins_under_consent_reads_its_conference_and_leaves_on_withdrawal(platform):
    platform.start_services("intake", "referrals", "audit")
    url = platform.start_gateway()
    tokens = {}

    def api(method: str, path: str, body=None, as_user: str = "apo-sa-1"):
        if as_user not in tokens:
            status, _, answer = http("POST", url + "/auth/token", credentials(as_user))
            assert status == 200, answer
            tokens[as_user] = answer["access_token"]
        status, _, answer = http(method, url + path, body, {"Authorization": f"Bearer {tokens[as_user]}"})
        return status, answer

    status, registered = api("POST", "/clients", PERSON)
    assert status == 201, registered
    client = registered["client_id"]
    assert api("POST", f"/clients/{client}/acceptance", {"worker": "apo-sa-1"}, as_user="apo-coord")[0] == 200
    agencies = f"/clients/{client}/coordination/agencies"
    joining = {"agency": "dsr", "does": "looks for a home with the client"}

    # No consent for coordination yet: 409 naming it (once referrals has heard of the client).
    def refused_for_consent():
        status, problem = api("POST", agencies, joining, as_user="apo-coord")
        return status == 409 and problem
    problem = wait_until(refused_for_consent, timeout=30, what="referrals to hear of the client")
    assert problem["errors"] == {"consent": ["no consent in force for recipient dsr, purpose coordination"]}

    assert api("POST", f"/clients/{client}/consents", {
        "recipient": "dsr", "purpose": "coordination", "scope": ["identity", "referrals"]})[0] == 201
    added = wait_until(lambda: (lambda s, a: s == 201 and a)(*api("POST", agencies, joining, as_user="apo-coord")),
                       timeout=30, what="referrals to hear of the consent")
    assert added == {"agency": "dsr"}

    today = dt.date.today().isoformat()
    status, with_dsr = api("POST", f"/clients/{client}/case-conferences", {
        "on": today, "participants": ["apo-sa-1", "dsr", "Transit"], "decisions": ["apply for social housing"]})
    assert status == 201, with_dsr
    status, without = api("POST", f"/clients/{client}/case-conferences", {
        "on": today, "participants": ["apo-sa-1", "lawyer"], "decisions": ["prepare the hearing"]})
    assert status == 201, without

    status, plan = api("GET", f"/clients/{client}/coordination", as_user="dsr-coord")
    assert status == 200, plan
    assert [c["conference_id"] for c in plan["case_conferences"]] == [with_dsr["conference_id"]]
    assert plan["agencies"] == [joining]
    status, plan = api("GET", f"/clients/{client}/coordination", as_user="apo-coord")
    assert [c["conference_id"] for c in plan["case_conferences"]] == [
        with_dsr["conference_id"], without["conference_id"]]
    assert api("GET", f"/clients/{client}/referrals", as_user="dsr-coord")[0] == 403
    assert api("POST", f"/clients/{client}/case-conferences", {
        "on": today, "participants": ["dsr", "apo"], "decisions": ["x"]}, as_user="dsr-coord")[0] == 403

    # The client withdraws the consent: DSR leaves the plan by itself, and is refused.
    assert api("DELETE", f"/clients/{client}/consents/dsr/coordination")[0] == 200
    wait_until(lambda: api("GET", f"/clients/{client}/coordination", as_user="apo-coord")[1]["agencies"] == [],
               timeout=30, what="referrals to hear of the withdrawal")
    status, problem = api("GET", f"/clients/{client}/coordination", as_user="dsr-coord")
    assert (status, problem["code"]) == (403, "forbidden")

    # Audit: the joining and the leaving on the timeline, DSR's read and refusals on the access log.
    def heard():
        status, timeline = api("GET", f"/audit/clients/{client}/timeline?purpose=inspection", as_user="auditor-1")
        if status != 200:
            return False
        facts = [e["type"].split(".")[3] for e in timeline["entries"]]
        dsr = [(r["outcome"], r["query"]) for r in timeline["access_log"] if r["reader"] == "dsr-coord"]
        return "coordinating-agency-left" in facts and len(dsr) == 4 and (timeline, dsr)
    timeline, dsr = wait_until(heard, timeout=30, what="audit to hear of the coordination")
    assert dsr == [("read", "coordination"), ("refused", "referral_history"), ("refused", "hold_case_conference"),
                   ("refused", "coordination")]
    (left,) = [e for e in timeline["entries"] if e["type"].endswith("coordinating-agency-left.v1")]
    assert left["data"] == {"client_id": client, "agency": "dsr", "why": "consent_withdrawn"}
    assert "home with the client" not in str(timeline)  # what DSR does stays with referrals
