"""The worker's agenda and calendar feed on the running platform (issue 20), through
the HTTP API: appointments for two clients of two workers this week and a condition
ending this week; the worker's agenda shows their own, the coordinator's the agency's
across clients; the worker turns the calendar feed on, reads it as a calendar app
would, renews its address and sees the old one refused."""
import datetime as dt

from services.gateway import calendar
from tests.support.accounts import credentials
from tests.support.broker import wait_until
from tests.support.platform import http

PERSON = {"given_names": "Samira", "family_name": "Testperson", "birth_date": "1985-07-30",
          "legal_position": "convicted", "situation": "probation", "languages": ["fr"],
          "preferred_language": "fr"}


def test_the_agenda_shows_this_week_across_clients_and_the_feed_renews(platform):
    platform.start_services("intake", "guidance", "referrals")
    url = platform.start_gateway()
    tokens = {}

    def api(method: str, path: str, body=None, as_user: str = "apo-sa-1"):
        if as_user not in tokens:
            status, _, answer = http("POST", url + "/auth/token", credentials(as_user))
            assert status == 200, answer
            tokens[as_user] = answer["access_token"]
        status, _, answer = http(method, url + path, body, {"Authorization": f"Bearer {tokens[as_user]}"})
        return status, answer

    def guided_by(worker: str, person: dict) -> str:
        status, registered = api("POST", "/clients", person)
        assert status == 201, registered
        client = registered["client_id"]
        status, accepted = api("POST", f"/clients/{client}/acceptance", {"worker": worker}, as_user="apo-coord")
        assert status == 200, accepted
        wait_until(lambda: api("GET", f"/trajectories/{client}", as_user=worker)[0] == 200, timeout=30,
                   what="guidance to open the trajectory")
        return client

    mine = guided_by("apo-sa-1", PERSON)
    theirs = guided_by("apo-crim-1", {**PERSON, "languages": ["nl"], "preferred_language": "nl"})
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    monday, sunday = calendar.this_week(now.date())
    soon = min(now + dt.timedelta(hours=2), dt.datetime.combine(sunday, dt.time(20), dt.timezone.utc))
    status, planned = api("POST", f"/trajectories/{mine}/appointments", {
        "at": soon.isoformat(), "with_actor": "court", "purpose": "the hearing, at last; bring papers"})
    assert status == 201, planned
    status, planned = api("POST", f"/trajectories/{theirs}/appointments", {
        "at": (soon - dt.timedelta(minutes=30)).isoformat(), "with_actor": "lawyer", "purpose": "prepare"},
        as_user="apo-crim-1")
    assert status == 201, planned
    status, recorded = api("POST", f"/trajectories/{theirs}/conditions", {
        "kind": "prohibition", "description": "no contact with the victim", "starts": monday.isoformat(),
        "ends": sunday.isoformat(), "authority": "court"}, as_user="apo-crim-1")
    assert status == 201, recorded

    # This week (the default), the worker's own; the coordinator's, across the agency's clients.
    status, own = api("GET", "/agenda")
    assert status == 200, own
    assert (own["from"], own["until"]) == (monday.isoformat(), sunday.isoformat())
    assert [(i["kind"], i["client_id"]) for i in own["items"]] == [("appointment", mine)]
    status, agency = api("GET", "/agenda", as_user="apo-coord")
    assert status == 200, agency
    kinds = [(i["kind"], i["client_id"]) for i in agency["items"]]
    assert kinds == [("appointment", theirs), ("appointment", mine), ("condition_ending", theirs)]
    assert "victim" not in str(agency) and "hearing" not in str(agency)
    assert api("GET", "/agenda?worker=apo-crim-1")[0] == 403

    # The calendar feed: off until turned on, then at a secret address, without signing in.
    status, on = api("POST", "/me/calendar-feed")
    assert status == 201 and on["calendar_feed"] is True, on
    status, headers, text = http("GET", url + on["path"])
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert mine not in text and "Samira" not in text and "hearing" not in text
    (_, event) = calendar.parse(text)
    assert event["DTSTART"] == soon.strftime("%Y%m%dT%H%M%SZ") and event["SUMMARY"].startswith("appointment: court")

    status, renewed = api("POST", "/me/calendar-feed")
    assert status == 201 and renewed["path"] != on["path"]
    assert http("GET", url + on["path"])[0] == 404
    assert http("GET", url + renewed["path"])[0] == 200
    assert api("DELETE", "/me/calendar-feed")[1] == {"calendar_feed": False, "path": None}
    assert http("GET", url + renewed["path"])[0] == 404
