"""The agenda, the calendar feed and the figures pages through werkzeug's test client,
the services' answers given by the test: the week's items grouped per Brussels day,
overdue ones first; the feed turned on (its address shown once), renewed and turned
off, each asked first; the figures for a funder and a coordinator with their withheld
cells, their downloads, a period the statistics service refuses; and what a funder
does not reach."""
import datetime as dt
import html as html_module
import json
import re
from zoneinfo import ZoneInfo

import pytest

from shared import context
from shared.contracts.statistics import as_csv
from shared.errors import Forbidden, InvalidInput
from shared.outcomes import HEADER, CarriedOut
from services.gateway import calendar
from tests.unit.gateway.pages.support import CLIENT, WORKER, Browser, Services, field, summary

BRUSSELS = ZoneInfo("Europe/Brussels")
OTHER = "0b8a2c4e-6f1d-4a8e-9c3b-2d5e7f901234"
TRAJECTORY = "1c3cf62a-1056-5c2e-bbd9-d19a269ea573"
COORDINATOR = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
FUNDER = {"user_id": "funder-1", "role": "funder", "agency": "platform"}
DIRECTORY = [
    {"code": "apo", "name": "APO", "staff": [
        {"user_id": "apo-coord", "display_name": "Hilde Voorbeeld", "profile": "coordinator", "active": True},
        {"user_id": "apo-crim-1", "display_name": "Jonas Fictief", "profile": "criminologist", "active": True},
        {"user_id": "apo-old", "display_name": "Gone Away", "profile": "jurist", "active": False}]},
    {"code": "dsr", "name": "Dienst voor Sociale Reïntegratie", "staff": []},
]


def signed_in(services: Services, actor: dict) -> Browser:
    answer = {"outcome": "signed_in", "actor": actor, "session_id": "s-1", "refresh_token": "r-1", "retry_after": None}
    services.answers.update({"accounts.sign_in": answer, "accounts.refresh": answer})
    browser = Browser(services)
    assert browser.sign_in(actor["user_id"]).status_code == 303
    return browser


@pytest.fixture
def services():
    services = Services()
    services.answers["intake.directory"] = DIRECTORY
    return services


# -- the agenda ----------------------------------------------------------------------------------

def this_week() -> tuple[dt.date, dt.date]:
    return calendar.this_week(dt.datetime.now(BRUSSELS).date())


def item(kind_: str, when, client: str = CLIENT, **what) -> dict:
    timed = isinstance(when, dt.datetime)
    return {"kind": kind_, "when": when.isoformat(), "all_day": not timed, "client_id": client,
            "trajectory_id": TRAJECTORY, "worker": "apo-sa-1", "what": what}


def agenda_answer(items: list[dict]):
    def answer(payload):
        return {"from": payload["from"], "until": payload["until"], "agency": "apo", "worker": payload["worker"],
                "clients": [CLIENT, OTHER], "items": items}
    return answer


def sections(html: str) -> list[str]:
    return re.findall(r'<section id="([\w-]+)"', html)


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start:html.index("</section>", start)]


def test_the_week_grouped_by_brussels_day_overdue_first(services):
    monday, sunday = this_week()
    tuesday = monday + dt.timedelta(days=1)
    # 23:30 in UTC on Tuesday is Wednesday in Brussels: the day is Brussels'.
    late = dt.datetime.combine(tuesday, dt.time(23, 30), dt.timezone.utc)
    afternoon = dt.datetime.combine(tuesday, dt.time(14, 30), BRUSSELS)
    services.answers["guidance.agenda"] = agenda_answer([
        item("contact_overdue", monday - dt.timedelta(days=5), OTHER, intensity="weekly"),
        item("appointment", afternoon, with_actor="lawyer", appointment_id="a-1", accompanied_by=None),
        item("accompaniment", late, OTHER, with_actor="court", appointment_id="a-2", accompanied_by="apo-crim-1"),
        item("condition_ending", sunday, kind="prohibition", authority="court", condition_id="c-1"),
    ])
    services.answers["referrals.conference_actions_due"] = [
        {"kind": "conference_action_due", "when": tuesday.isoformat(), "all_day": True, "client_id": CLIENT,
         "conference_id": "k-1", "what": {"conference_id": "k-1", "action": 0, "overdue": False}}]
    worker = signed_in(services, WORKER)
    page = worker.get("/app/agenda")
    assert page.status_code == 200 and 'id="nav-agenda" aria-current="page"' in page.text
    days = [f"day-{(monday + dt.timedelta(days=n)).isoformat()}" for n in range(7)]
    assert sections(page.text) == ["overdue", *days]
    overdue = section(page.text, "overdue")
    assert "Contact overdue" in overdue and f'href="/app/clients/{OTHER}"' in overdue and "Weekly" in overdue
    on_tuesday = section(page.text, days[1])
    assert "2:30\u202fPM" in on_tuesday and "Appointment" in on_tuesday and "– The lawyer" in on_tuesday
    assert "Case-conference action due" in on_tuesday and "action 1 of a case conference" in on_tuesday
    assert on_tuesday.index("Case-conference action due") < on_tuesday.index("Appointment")  # the day's first
    on_wednesday = section(page.text, days[2])
    assert "Accompaniment" in on_wednesday and "12:30\u202fAM" in on_wednesday  # 23:30 UTC, in Brussels
    assert "accompanied by apo-crim-1" in on_wednesday
    assert "Condition period ends" in section(page.text, days[6]) and "A prohibition" in page.text
    assert format_heading(tuesday) in on_tuesday
    (asked,) = services.made("agenda")
    assert asked["payload"] == {"actor": WORKER, "from": monday.isoformat(), "until": sunday.isoformat(),
                                "worker": None}
    # Referrals is asked about the clients guidance answered for.
    assert services.made("conference_actions_due")[0]["payload"]["client_ids"] == [CLIENT, OTHER]
    assert 'id="agenda-worker-form"' not in page.text  # a worker reads their own agenda only


def format_heading(day: dt.date) -> str:
    from babel.dates import format_date
    return format_date(day, format="full", locale="en")


def test_previous_and_next_weeks_and_an_empty_one(services):
    services.answers["guidance.agenda"] = agenda_answer([])
    services.answers["referrals.conference_actions_due"] = []
    worker = signed_in(services, WORKER)
    page = worker.get("/app/agenda?week=2026-01-07").text  # a Wednesday: its week
    assert 'id="agenda-empty"' in page and "January 5, 2026" in page and "January 11, 2026" in page
    assert 'href="/app/agenda?week=2025-12-29"' in page and 'href="/app/agenda?week=2026-01-12"' in page
    assert 'id="this-week"' in page
    assert services.made("agenda")[0]["payload"]["from"] == "2026-01-05"
    assert worker.get("/app/agenda?week=not-a-day").status_code == 200  # unreadable: this week
    assert services.made("agenda")[-1]["payload"]["from"] == this_week()[0].isoformat()


def test_a_coordinator_chooses_whose_agenda(services):
    theirs = {**item("contact_due", this_week()[0] + dt.timedelta(days=3), OTHER, intensity="monthly"),
              "worker": "apo-crim-1"}
    services.answers["guidance.agenda"] = agenda_answer([item("plan_review_due", this_week()[0] + dt.timedelta(days=2),
                                                              plan_version=1, overdue=False), theirs])
    services.answers["referrals.conference_actions_due"] = []
    coordinator = signed_in(services, COORDINATOR)
    page = coordinator.get("/app/agenda").text
    options = re.findall(r'<option value="([\w-]*)"', page)
    assert options == ["", "apo-coord", "apo-crim-1"]  # everyone, then the active caseworkers by name
    assert services.made("agenda")[0]["payload"]["worker"] is None
    # The agency's view says whose each item is: by name, as the directory has it.
    assert "(Jonas Fictief)" in page and "(apo-sa-1)" in page
    page = coordinator.get("/app/agenda?worker=apo-crim-1&week=2026-01-07").text
    assert services.made("agenda")[-1]["payload"]["worker"] == "apo-crim-1"
    assert 'href="/app/agenda?week=2026-01-12&amp;worker=apo-crim-1"' in page
    assert '<option value="apo-crim-1" selected>' in page
    coordinator.get("/app/agenda?worker=dsr-sa-1")  # not of the agency: the agency's view
    assert services.made("agenda")[-1]["payload"]["worker"] is None


def test_the_agenda_refused_is_said_as_such(services):
    services.answers["guidance.agenda"] = Forbidden("a funder has no agenda")
    funder = signed_in(services, FUNDER)
    page = funder.get("/app/agenda")
    assert page.status_code == 403 and "not for your role or your agency" in page.text


# -- the calendar feed ---------------------------------------------------------------------------

def hidden(html: str, form: str) -> dict:
    return {name: field(html, name, form=form) for name in ("csrf_token", "idempotency_key")}


def test_the_feed_is_off_until_turned_on_and_its_address_is_shown_once(services):
    services.answers["accounts.calendar_feed"] = {"calendar_feed": False, "path": None}
    services.answers["accounts.open_calendar_feed"] = {"calendar_feed": True, "path": "/calendar/" + "s" * 43 + ".ics"}
    worker = signed_in(services, WORKER)
    assert 'href="/app/account/calendar-feed"' in worker.get("/app/account").text
    page = worker.get("/app/account/calendar-feed").text
    assert "Your calendar feed is off." in page and 'id="turn-calendar-feed-on"' in page
    assert "Whoever has the address can read your appointments" in page
    sent = hidden(page, "calendar-on-form")
    answer = worker.post("/app/account/calendar-feed", sent)
    assert answer.status_code == 200
    assert re.search(r'id="calendar-feed-address">http://localhost/calendar/s{43}\.ics<', answer.text)
    assert "shown only this once" in answer.text
    (made,) = services.made("open_calendar_feed")
    assert made["payload"] == {"actor": WORKER} and made["idempotency_key"] == sent["idempotency_key"]
    services.answers["accounts.calendar_feed"] = {"calendar_feed": True, "path": None}
    page = worker.get("/app/account/calendar-feed").text
    assert "Your calendar feed is on." in page and "s" * 43 not in page  # never shown again


def test_renewing_and_turning_off_are_asked_first(services):
    services.answers["accounts.calendar_feed"] = {"calendar_feed": True, "path": None}
    services.answers["accounts.open_calendar_feed"] = {"calendar_feed": True, "path": "/calendar/" + "n" * 43 + ".ics"}
    services.answers["accounts.close_calendar_feed"] = {"calendar_feed": False, "path": None}
    worker = signed_in(services, WORKER)
    page = worker.get("/app/account/calendar-feed").text
    asked = worker.post("/app/account/calendar-feed", hidden(page, "calendar-renew-form"))
    assert asked.status_code == 200 and "stops working at once" in asked.text
    assert not services.made("open_calendar_feed")
    confirmed = {**hidden(asked.text, "confirm-form"), "confirmed": "yes"}
    renewed = worker.post("/app/account/calendar-feed", confirmed)
    assert "The address is renewed" in renewed.text and "n" * 43 in renewed.text
    assert services.made("open_calendar_feed")[0]["idempotency_key"] == confirmed["idempotency_key"]
    asked = worker.post("/app/account/calendar-feed/off", hidden(page, "calendar-off-form"))
    assert "Turn your calendar feed off" in asked.text and not services.made("close_calendar_feed")
    off = worker.post("/app/account/calendar-feed/off", {**hidden(asked.text, "confirm-form"), "confirmed": "yes"})
    assert off.status_code == 303 and off.headers["Location"] == "/app/account/calendar-feed?notice=calendar_feed_off"
    assert services.made("close_calendar_feed")[0]["payload"] == {"actor": WORKER}


def test_a_renewal_sent_again_says_the_address_was_shown_once(services):
    services.answers["accounts.calendar_feed"] = {"calendar_feed": True, "path": None}
    worker = signed_in(services, WORKER)
    page = worker.get("/app/account/calendar-feed").text
    asked = worker.post("/app/account/calendar-feed", hidden(page, "calendar-renew-form"))
    confirmed = {**hidden(asked.text, "confirm-form"), "confirmed": "yes"}
    # The same confirmed form again (the browser's Back, then send): accounts carried it out the first time.
    services.answers["accounts.open_calendar_feed"] = CarriedOut("carried out already",
                                                                 {HEADER: ["carried out already"]})
    again = worker.post("/app/account/calendar-feed", confirmed)
    assert again.status_code == 409 and "the address was shown then, only once" in again.text
    assert 'id="calendar-feed-address"' not in again.text and 'id="renew-calendar-feed"' in again.text
    assert field(again.text, "idempotency_key", form="calendar-renew-form") != confirmed["idempotency_key"]


def test_a_feed_form_without_the_session_s_token_does_nothing(services):
    services.answers["accounts.calendar_feed"] = {"calendar_feed": True, "path": None}
    worker = signed_in(services, WORKER)
    answer = worker.post("/app/account/calendar-feed/off", {"confirmed": "yes", "idempotency_key": "k-1"})
    assert answer.status_code == 400 and not services.made("close_calendar_feed")
    assert worker.get("/app/account/calendar-feed/off").status_code == 303  # a link changes nothing


# -- the figures ---------------------------------------------------------------------------------

FIGURES = {
    "from": "2026-10-01", "until": "2026-12-31", "agency": None, "threshold": 5, "small": "< 5", "withheld": "x",
    "tables": {
        "clients": {"rows": "legal_position", "columns": "situation", "cells": [
            {"row": "convicted", "column": "probation", "persons": 12},
            {"row": "interned", "column": "released_internee_on_trial", "persons": "< 5"},
            {"row": "suspect", "column": "at_liberty_awaiting_trial", "persons": "x"},
            {"row": "total", "column": "total", "persons": 19}]},
        "interventions": {"rows": "method", "columns": "domain", "cells": [
            {"row": "listening_support", "column": "housing", "persons": 7, "interventions": 20, "minutes": 1200},
            {"row": "information_guidance", "column": "housing", "persons": "< 5", "interventions": "x",
             "minutes": "x"},
            {"row": "total", "column": "total", "persons": 9, "interventions": 23, "minutes": 1315}]},
        "waiting": {"rows": "urgency", "columns": "detail", "cells": [
            {"row": "high", "column": "-", "persons": 6, "acceptances": 6, "median_days": 12.5},
            {"row": "total", "column": "total", "persons": 6, "acceptances": 6, "median_days": 12.5}]},
        "referrals": {"rows": "partner_kind", "columns": "state", "cells": [
            {"row": "addiction", "column": "completed_effective", "persons": 5, "referrals": 5},
            {"row": "total", "column": "total", "persons": 5, "referrals": 5}]},
    },
}


def cell_texts(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table class="table figures-table" id="table-{table}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    cells = (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S) for r in rows)
    return [[html_module.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in line] for line in cells]


def test_a_funder_lands_on_the_figures_and_reads_the_withheld_cells(services):
    services.answers["statistics.figures"] = FIGURES
    funder = signed_in(services, FUNDER)
    sign_in = funder.post("/app/sign-in", {"csrf_token": funder.csrf(), "username": "funder-1", "password": "x"})
    assert sign_in.headers["Location"] == "/app/"
    assert funder.get("/app/").headers["Location"] == "/app/figures"  # a funder's home
    page = funder.get("/app/figures?from=2026-10-01&until=2026-12-31")
    assert page.status_code == 200
    menu = re.findall(r'<li><a href="[^"]+" id="(nav-[\w-]+)"', page.text)
    assert menu == ["nav-figures", "nav-account"]
    clients = cell_texts(page.text, "clients")
    assert clients[0] == ["Convicted person", "Probation", "12"]
    assert clients[1] == ["Internee", "Internee released on trial", "< 5"]
    assert clients[2][2] == "x" and clients[3] == ["All", "All", "19"]
    assert '<td class="withheld">&lt; 5</td>' in page.text
    interventions = cell_texts(page.text, "interventions")
    assert interventions[0][2:] == ["7", "20", "1,200"] and interventions[1][2:] == ["< 5", "x", "x"]
    assert cell_texts(page.text, "waiting")[0] == ["High", "–", "6", "6", "12.5"]
    assert cell_texts(page.text, "referrals")[0][:2] == ["addiction", "Completed: Effective"]
    note = section(page.text, "statistics")
    assert "fewer than 5 persons shows “&lt; 5”" in note and "All agencies together." in note
    assert 'href="/app/figures.csv?from=2026-10-01&amp;until=2026-12-31"' in page.text
    assert 'href="/app/figures.json?from=2026-10-01&amp;until=2026-12-31"' in page.text
    (asked,) = services.made("figures")
    assert asked["payload"] == {"actor": FUNDER, "from": "2026-10-01", "until": "2026-12-31"}
    assert not services.made("partner_figures")  # named partners are the coordinators' own


def test_a_funder_filters_by_agency_and_downloads_the_same_figures(services):
    services.answers["statistics.figures"] = {**FIGURES, "agency": "dsr"}
    funder = signed_in(services, FUNDER)
    page = funder.get("/app/figures?from=2026-10-01&until=2026-12-31&agency=dsr").text
    assert re.findall(r'<option value="([\w-]*)"', page) == ["", "apo", "dsr"]
    assert '<option value="dsr" selected>' in page and "Agency: Dienst voor Sociale Reïntegratie" in page
    assert services.made("figures")[0]["payload"]["agency"] == "dsr"
    query = "from=2026-10-01&until=2026-12-31&agency=dsr"
    assert f'href="/app/figures.csv?{query.replace("&", "&amp;")}"' in page
    csv = funder.get(f"/app/figures.csv?{query}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"] == 'attachment; filename="figures-dsr-2026-10-01-2026-12-31.csv"'
    assert csv.text == as_csv({**FIGURES, "agency": "dsr"})
    assert csv.text.splitlines()[0].startswith("table,row_kind,row")
    assert "clients,legal_position,interned,situation,released_internee_on_trial,< 5" in csv.text
    exported = funder.get(f"/app/figures.json?{query}")
    assert exported.mimetype == "application/json" and json.loads(exported.text) == {**FIGURES, "agency": "dsr"}
    assert all(c["payload"]["agency"] == "dsr" for c in services.made("figures"))


def test_a_period_the_statistics_service_refuses_names_its_field(services):
    services.answers["statistics.figures"] = InvalidInput("not a period figures are given for", {
        "until": ["a period is a whole calendar month, quarter or year, or whole calendar years"]})
    funder = signed_in(services, FUNDER)
    page = funder.get("/app/figures?from=2026-10-01&until=2026-11-30")
    assert page.status_code == 422
    assert summary(page.text) == [("until", "Choose a whole calendar month, quarter or year, or whole calendar years.")]
    assert 'value="2026-11-30"' in page.text and 'id="statistics"' not in page.text
    services.answers["statistics.figures"] = InvalidInput("not a period figures are given for", {
        "from": ["must be the first day of a month"], "until": ["must be the last day of a month"]})
    page = funder.get("/app/figures?from=2026-10-02&until=2026-11-29")
    assert [t for t, _ in summary(page.text)] == ["from", "until"] and "Start on the first day of a month." in page.text
    assert funder.get("/app/figures.csv?from=2026-10-02&until=2026-11-29").status_code == 422  # no file: the form
    calls = len(services.made("figures"))
    page = funder.get("/app/figures?from=2026-10-32&until=2026-12-31")  # not a date: not asked at all
    assert page.status_code == 422 and [t for t, _ in summary(page.text)] == ["from"]
    assert len(services.made("figures")) == calls


def test_a_coordinator_reads_their_own_agency_with_the_partners(services):
    services.answers.update({
        "statistics.figures": {**FIGURES, "agency": "apo"},
        "referrals.partner_figures": [{"partner": "transit", "sent": 4, "accepted": 3, "declined": 1,
                                       "outcomes": {"effective": 2}, "acceptance_rate": 0.75,
                                       "median_days_to_start": 6.5}],
        "referrals.partners": [{"code": "transit", "name": "Transit vzw"}]})
    coordinator = signed_in(services, COORDINATOR)
    page = coordinator.get("/app/figures?from=2026-10-01&until=2026-12-31&agency=dsr").text
    assert 'id="agency"' not in page  # no choice of agency
    assert services.made("figures")[0]["payload"] == {"actor": COORDINATOR, "from": "2026-10-01",
                                                      "until": "2026-12-31"}
    assert "Transit vzw" in page and "75%" in page and "Agency: APO" in page
    first = coordinator.get("/app/figures").text  # no dates: this whole month
    today = dt.datetime.now(BRUSSELS).date()
    assert f'value="{today.replace(day=1).isoformat()}"' in first
    assert re.search(r'id="until" name="until" type="date" value="\d{4}-\d{2}-(28|29|30|31)"', first)


def test_the_period_links_are_whole_periods():
    from services.gateway.pages.views import figures

    class Stub:
        language = "en"

        @staticmethod
        def t(text, **params):
            return text % params if params else text

    for _, _, query in figures._periods(Stub(), None):
        start, end = (dt.date.fromisoformat(part.split("=")[1]) for part in query.split("&"))
        assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start < end
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        assert months in (1, 3, 12) and (months == 1 or (start.month - 1) % months == 0)


def test_a_funder_reaches_no_file_and_no_calendar_feed(services):
    services.answers["intake.client_file"] = Forbidden("a funder may not read a client file")
    funder = signed_in(services, FUNDER)
    assert funder.get(f"/app/clients/{CLIENT}").status_code == 403
    page = funder.get("/app/account")
    assert page.status_code == 200 and "Funder" in page.text and 'id="calendar-feed-link"' not in page.text
    assert funder.get("/app/account/calendar-feed").status_code == 403
    assert not services.made("calendar_feed")


# -- the same pages on what the services in memory really answer ------------------------------------

class RealServices(Services):
    """The services in memory (tests/unit/gateway/test_agenda_http.py), signed in as the
    sample user asked for: what the pages render is what the services answer."""

    def __init__(self, world, actor: dict):
        super().__init__()
        self.world = world
        self.answers = {"accounts.sign_in": {"outcome": "signed_in", "actor": actor, "session_id": "s-1",
                                             "refresh_token": "r-1", "retry_after": None}}

    def __call__(self, service, rpc, payload=None, precondition=None, timeout=None):
        if f"{service}.{rpc}" in self.answers:
            return super().__call__(service, rpc, payload, precondition, timeout)
        self.calls.append({"service": service, "rpc": rpc, "payload": payload})
        return self.world.rpc(service, rpc, payload, precondition, timeout)


def test_the_agenda_the_feed_and_the_figures_on_real_answers():
    from tests.support.samples import WORKER as SAMPLE_WORKER, intervention_args
    from tests.unit.gateway.test_agenda_http import World

    world = World()
    client = world.client_of("apo-sa-1")
    monday, _ = calendar.this_week(world.now.astimezone(BRUSSELS).date())
    at = dt.datetime.combine(monday + dt.timedelta(days=2), dt.time(9, 15), BRUSSELS)
    world.platform.guidance.plan_appointment(SAMPLE_WORKER, client, at, "justice_assistant", "report")
    world.platform.guidance.record_intervention(SAMPLE_WORKER, client, **intervention_args(
        world.now - dt.timedelta(minutes=5), interpreter={"language": "ar", "kind": "telephone"}))
    world.platform.sync()

    worker = Browser(RealServices(world, SAMPLE_WORKER))
    assert worker.sign_in().status_code == 303
    page = worker.get(f"/app/agenda?week={at.date().isoformat()}")
    assert page.status_code == 200, page.text
    day = section(page.text, f"day-{at.date().isoformat()}")
    assert "9:15\u202fAM" in day and "The justice assistant" in day and f'href="/app/clients/{client}"' in day
    feed = worker.get("/app/account/calendar-feed")
    assert "Your calendar feed is off." in feed.text
    shown = worker.post("/app/account/calendar-feed", hidden(feed.text, "calendar-on-form"))
    address = re.search(r'id="calendar-feed-address">([^<]+)<', shown.text).group(1)
    context.use(context.RequestContext())  # as a calendar app: nobody signed in
    assert world.get(address[len("http://localhost"):]).status_code == 200
    assert "Your calendar feed is on." in worker.get("/app/account/calendar-feed").text

    first = world.now.date().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    coordinator = Browser(RealServices(world, COORDINATOR))
    coordinator.sign_in("apo-coord")
    figures = coordinator.get(f"/app/figures?from={first.isoformat()}&until={last.isoformat()}")
    assert figures.status_code == 200, figures.text
    interpreters = cell_texts(figures.text, "interpreters")
    assert ["Arabic", "A telephone interpreter", "< 5", "x", "x"] in interpreters  # one person: withheld
    assert 'id="no-partner-figures"' in figures.text
    wrong = coordinator.get(f"/app/figures?from={first.isoformat()}&until={(first + dt.timedelta(days=9)).isoformat()}")
    assert wrong.status_code == 422 and [t for t, _ in summary(wrong.text)] == ["until"]
