"""Refused access on the running platform: a worker of another agency who opens a
client's file over HTTP gets the 403 they always got, and the attempt reaches
audit's access log over the intake's access stream, beside the reads."""
from tests.support.broker import wait_until

PERSON = {"given_names": "Samira", "family_name": "Testperson", "birth_date": "1985-07-30",
          "legal_position": "convicted", "situation": "probation", "languages": ["ar", "fr"],
          "preferred_language": "ar"}


def test_a_worker_of_another_agency_opening_a_file_is_refused_and_audit_s_access_log_shows_the_attempt(running):
    api = running.api  # the session's platform: this test works on a client of its own
    status, _, registered = api("POST", "/clients", PERSON)
    assert status == 201, registered
    client = registered["client_id"]

    status, _, problem = api("GET", f"/clients/{client}?purpose=complaint&purpose_detail=2026%2F31",
                             as_user="dsr-sa-1", X_Correlation_ID="stranger-1")
    assert (status, problem) == (403, {
        "type": "about:blank", "title": "Forbidden", "status": 403,
        "detail": "this client is followed by another agency", "code": "forbidden", "correlation_id": "stranger-1"})
    status, _, problem = api("POST", f"/clients/{client}/acceptance", {"worker": "apo-sa-1"})  # not a coordinator
    assert (status, problem["code"]) == (403, "forbidden")
    assert api("GET", f"/clients/{client}")[0] == 200  # the worker of the file reads it

    def refused_on_the_log():
        status, _, timeline = api("GET", f"/audit/clients/{client}/timeline?purpose=inspection", as_user="auditor-1")
        assert status in (200, 404), timeline  # 404 until audit hears of the client
        log = timeline["access_log"] if status == 200 else []
        return len([r for r in log if r["outcome"] == "refused"]) == 2 and any(
            r["outcome"] == "read" and r["service"] == "intake" for r in log) and log

    log = wait_until(refused_on_the_log, timeout=30, what="audit to hear of the refused attempts")
    attempts = [(r["service"], r["reader"], r["role"], r["agency"], r["outcome"], r["query"], r["rule"], r["purpose"])
                for r in log if r["service"] == "intake"]
    assert attempts == [
        ("intake", "dsr-sa-1", "social_assistant", "dsr", "refused", "client_file", "agency", None),
        ("intake", "apo-sa-1", "social_assistant", "apo", "refused", "accept_intake", "role", None),
        ("intake", "apo-sa-1", "social_assistant", "apo", "read", "client_file", None, "casework"),
    ]
    status, _, timeline = api("GET", f"/audit/clients/{client}/timeline?purpose=inspection", as_user="auditor-1")
    assert "client-access-refused" not in {e["type"].split(".")[3] for e in timeline["entries"]}  # not a fact
    assert "2026/31" not in str(timeline) and "another agency" not in str(timeline)
