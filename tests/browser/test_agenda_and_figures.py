"""The worker's agenda, the calendar feed and the funders' figures in the browser, on
the session's running platform, axe-core on every page:

- a worker with two appointments this week (planned through the API) sees both on
  "My agenda", on their Brussels days, each leading to the client's file;
- the worker turns the calendar feed on: the address shown once answers with both
  appointments as iCalendar (fetched as a calendar app would, without signing in);
  renewed, the old address answers 404 and the new one the calendar; turned off,
  the new one answers 404 too;
- the funder signs in, lands on the figures, reads "< 5" in a cell only this test
  fills (an interpreter in Amharic, a language no other test uses), downloads the
  same figures as CSV, and reaches no client's file.

The platform is shared with other tests (tests/support/running.py): only this test's
own clients and cells are counted on."""
import datetime as dt
import urllib.error
import urllib.request
from zoneinfo import ZoneInfo

from services.gateway import calendar
from tests.support.broker import wait_until

BRUSSELS = ZoneInfo("Europe/Brussels")
PERSON = {"given_names": "Agenda", "family_name": "Testperson", "birth_date": "1981-05-17",
          "legal_position": "convicted", "situation": "probation", "languages": ["fr", "am"],
          "preferred_language": "fr"}


def fetch(url: str, cookie: str | None = None) -> tuple[int, str, str]:
    """A GET as a calendar app (no cookie) or a browser's download (the session's cookie) makes it."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), ""


def client_with_a_trajectory(web) -> tuple[str, str]:
    """A client of apo-sa-1's, accepted, and the trajectory's ETag once guidance has it."""
    status, _, answer = web.api("POST", "/clients", PERSON)
    assert status == 201, answer
    client_id = answer["client_id"]
    web.open_trajectory(client_id)
    return client_id, etag(web, client_id)


def etag(web, client_id: str) -> str:
    _, headers, _ = wait_until(lambda: (r := web.api("GET", f"/trajectories/{client_id}"))[0] == 200 and r,
                               timeout=30, what="guidance to open the trajectory")
    return headers["ETag"]


def two_moments_this_week() -> list[dt.datetime]:
    """Monday at 10:00 and Thursday at 14:30 of this week, in Brussels."""
    monday, _ = calendar.this_week(dt.datetime.now(BRUSSELS).date())
    return [dt.datetime.combine(monday, dt.time(10, 0), BRUSSELS),
            dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(14, 30), BRUSSELS)]


def test_a_worker_sees_the_weeks_appointments_and_reads_them_in_a_calendar(page, web):
    client_id, _ = client_with_a_trajectory(web)
    moments = two_moments_this_week()
    appointments = []
    for at, whom in zip(moments, ("lawyer", "justice_assistant")):
        status, _, answer = web.api("POST", f"/trajectories/{client_id}/appointments", {
            "at": at.isoformat(), "with_actor": whom, "purpose": "Afspraak / rendez-vous"},
            If_Match=etag(web, client_id))
        assert status == 201, answer
        appointments.append(answer["appointment_id"])

    page.sign_in("apo-sa-1")
    page.language("en")  # the account may keep another test's language
    page.submit("nav-agenda")
    assert page.path() == "/app/agenda"
    mine = f"li.agenda-appointment a[href='/app/clients/{client_id}']"
    assert len(page.all(mine)) == 2
    for at in moments:
        day = page.find(f"#day-{at.date().isoformat()}")
        assert client_id[:8] in day.text and at.strftime("%-I:%M") in day.text
    page.check("agenda-week")
    page.submit("next-week")
    assert not page.all(mine)
    page.submit("previous-week")
    assert len(page.all(mine)) == 2
    page.find(mine).click()
    wait_until(lambda: page.path() == f"/app/clients/{client_id}", timeout=20, what="the client's file")

    # The calendar feed, from the account page: off to begin with (another test may have turned it on).
    page.submit("nav-account")
    page.submit("calendar-feed-link")
    if page.all("#turn-calendar-feed-off"):
        page.submit("turn-calendar-feed-off")
        page.submit("confirm")
    page.check("calendar-feed-off")
    page.submit("turn-calendar-feed-on")
    page.check("calendar-feed-address")
    first = page.text("#calendar-feed-address")
    assert first.startswith(web.url + "/calendar/") and first.endswith(".ics")
    status, kind, text = fetch(first)
    assert status == 200 and kind.startswith("text/calendar")
    events = [e for e in calendar.parse(text) if e["BEGIN"] == "VEVENT"]
    for appointment, at in zip(appointments, moments):
        (event,) = [e for e in events if e["UID"].startswith(f"{appointment}-")]
        assert event["DTSTART"] == at.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert "Testperson" not in text  # no name: the client by an alias only

    page.submit("calendar-feed-done")
    page.check("calendar-feed-on")
    page.submit("renew-calendar-feed")
    page.check("calendar-feed-renew-confirm")
    page.submit("confirm")
    second = page.text("#calendar-feed-address")
    assert second != first
    assert fetch(first)[0] == 404 and fetch(second)[0] == 200

    page.submit("calendar-feed-done")
    page.submit("turn-calendar-feed-off")
    page.check("calendar-feed-off-confirm")
    page.submit("confirm")
    assert page.path() == "/app/account/calendar-feed?notice=calendar_feed_off"
    assert page.find("#turn-calendar-feed-on") and fetch(second)[0] == 404


def test_a_funder_lands_on_the_figures_reads_a_small_cell_and_downloads_the_csv(page, web):
    client_id, tag = client_with_a_trajectory(web)
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    status, _, answer = web.api("POST", f"/trajectories/{client_id}/interventions", {
        "at": at.isoformat(), "minutes": 30, "place": "office", "method": "listening_support",
        "sub_kind": "listening_ear", "domains": ["housing"], "note": "",
        "interpreter": {"language": "am", "kind": "telephone"}}, If_Match=tag)
    assert status == 201, answer
    # The month the statistics service files the intervention in (its day in UTC).
    first = at.date().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    page.sign_in("funder-1")
    assert page.path().startswith("/app/figures"), page.path()
    assert [a.get_attribute("id") for a in page.all("nav.nav a")] == ["nav-figures", "nav-account"]
    page.set_value("from", first.isoformat())
    page.set_value("until", last.isoformat())
    page.submit("show-figures")
    page.refreshed_until("#cell-interpreters-am-telephone", "the statistics service to count the intervention")
    cells = page.all("#cell-interpreters-am-telephone td")
    assert cells[1].text == "< 5" and "withheld" in cells[1].get_attribute("class")
    assert "< 5" in page.text("#suppression-note")
    page.check("funder-figures")

    href = page.find("#download-csv").get_attribute("href")
    assert f"from={first.isoformat()}" in href and f"until={last.isoformat()}" in href
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.driver.get_cookies())
    status, kind, text = fetch(href, cookie)
    assert status == 200 and kind.startswith("text/csv")
    lines = text.splitlines()
    assert lines[0].startswith("table,row_kind,row,column_kind,column,persons")
    assert any(line.startswith("interpreters,language,am,kind,telephone,< 5,") for line in lines)
    assert "table,row_kind" not in fetch(href)[2]  # without the session: the sign-in page, no figures

    page.choose("agency", "apo")
    page.submit("show-figures")
    assert page.text("#figures-scope") == "Agency: APO"
    page.check("funder-figures-one-agency")

    page.set_value("until", (first + dt.timedelta(days=40)).isoformat())  # not the end of a month
    page.submit("show-figures")
    assert page.error_links() == ["until"]
    page.check("funder-figures-refused")

    page.open(f"/app/clients/{client_id}")
    assert page.text("h1") == "Not allowed"
    page.check("funder-no-file")
