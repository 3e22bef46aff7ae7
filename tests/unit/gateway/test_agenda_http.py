"""GET /agenda and the calendar feed through the gateway, on the services in memory
(each RPC called as nameko calls it), and the iCalendar text itself (RFC 5545)."""
import datetime as dt
import re
import uuid

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request

from services.accounts.users_file import UsersFile
from services.gateway import calendar
from services.gateway.api import Gateway
from services.gateway.auth import Revocations, Tokens
from shared import assertions, context
from shared.config import DEPLOY_DIR, gateway_token_key
from shared.context import RequestContext
from tests.support.fakes import Clock
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.gateway.answer_case import Platform

CRIMINOLOGIST = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}


class World:
    def __init__(self):
        self.now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.platform = Platform(Clock(self.now))
        users = UsersFile.load(DEPLOY_DIR / "accounts" / "sample-users.json")
        tokens = Tokens(gateway_token_key({}), dt.timedelta(minutes=5))
        self.bearer = {name: {"Authorization": f"Bearer {tokens.issue(users.by_name[name])['access_token']}"}
                       for name in ("apo-sa-1", "apo-crim-1", "apo-coord")}
        gateway = Gateway(tokens, Revocations.none())
        self.http = Client(lambda environ, start: gateway.handle(Request(environ), self.rpc)(environ, start))

    def rpc(self, service, rpc, payload=None, precondition=None, timeout=None):
        # As the gateway's caller does (extensions.py): no person asks, the gateway does.
        own = context.current().actor is None
        if own:
            context.current().actor = assertions.system_actor(assertions.GATEWAY)
        try:
            return self.platform.rpc(service, rpc, payload, precondition, timeout)
        finally:
            if own:
                context.current().actor = None

    def client_of(self, worker: str) -> uuid.UUID:
        intake = self.platform.intake
        speaks = {} if worker == "apo-sa-1" else {"languages": ["nl"], "preferred_language": "nl"}
        client_id = intake.register_client(WORKER, **registration_args(**speaks))
        intake.accept(COORDINATOR, client_id, worker)
        self.platform.sync()
        return client_id

    def get(self, path, user=None, **query):
        try:
            return self.http.get(path, query_string=query, headers=self.bearer.get(user, {}))
        finally:
            context.use(RequestContext())


@pytest.fixture
def world():
    return World()


def _in_days(world, days, hour=10):
    return (world.now + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0)


def test_the_agenda_across_clients_for_the_worker_and_the_coordinator(world):
    guidance, referrals = world.platform.guidance, world.platform.referrals
    mine, theirs = world.client_of("apo-sa-1"), world.client_of("apo-crim-1")
    guidance.plan_appointment(WORKER, mine, _in_days(world, 2), "court", "hearing")
    guidance.plan_appointment(CRIMINOLOGIST, theirs, _in_days(world, 1), "lawyer", "prepare")
    today = world.now.date()
    referrals.coordination.hold_conference(WORKER, mine, today, ["apo-sa-1", "lawyer"], ["d"], [
        {"action": "call the landlord", "owner": "apo-sa-1", "due": today + dt.timedelta(days=3)}])
    period = {"from": today.isoformat(), "until": (today + dt.timedelta(days=6)).isoformat()}

    own = world.get("/agenda", "apo-sa-1", **period)
    assert own.status_code == 200 and own.headers["Cache-Control"] == "no-store"
    assert [(i["kind"], i["client_id"]) for i in own.json["items"]] == [
        ("appointment", str(mine)), ("conference_action_due", str(mine))]
    assert "landlord" not in own.get_data(as_text=True)

    agency = world.get("/agenda", "apo-coord", **period).json
    assert [(i["kind"], i["client_id"]) for i in agency["items"]] == [
        ("appointment", str(theirs)), ("appointment", str(mine)), ("conference_action_due", str(mine))]
    one = world.get("/agenda", "apo-coord", worker="apo-crim-1", **period).json
    assert [i["client_id"] for i in one["items"]] == [str(theirs)]

    assert world.get("/agenda", "apo-sa-1", worker="apo-crim-1", **period).status_code == 403
    assert world.get("/agenda", **period).status_code == 401
    wrong = world.get("/agenda", "apo-sa-1", **{"from": "soon"})
    assert wrong.status_code == 422 and "from" in wrong.json["errors"]
    backwards = world.get("/agenda", "apo-sa-1", **{"from": period["until"], "until": period["from"]})
    assert backwards.status_code == 422 and "until" in backwards.json["errors"]


def test_this_week_by_default(world):
    mine = world.client_of("apo-sa-1")
    monday, sunday = calendar.this_week(world.now.date())
    world.platform.guidance.record_condition(WORKER, mine, "prohibition", "no contact", monday, sunday, "court")
    answer = world.get("/agenda", "apo-sa-1").json
    assert (answer["from"], answer["until"]) == (monday.isoformat(), sunday.isoformat())
    assert [i["kind"] for i in answer["items"]] == ["condition_ending"]


def test_the_feed_is_off_until_turned_on_and_renewing_refuses_the_old_address(world):
    guidance = world.platform.guidance
    mine = world.client_of("apo-sa-1")
    at = _in_days(world, 3)
    guidance.plan_appointment(WORKER, mine, at, "ocmw_cpas", "income, rent; and more", accompanied_by="apo-sa-1")
    assert world.get("/calendar/" + "a" * 43 + ".ics").status_code == 404  # off: no address opens anything

    def turn_on():
        try:
            return world.http.post("/me/calendar-feed", headers=world.bearer["apo-sa-1"])
        finally:
            context.use(RequestContext())

    on = turn_on()
    assert on.status_code == 201 and on.json["calendar_feed"] is True
    path = on.json["path"]
    assert re.fullmatch(r"/calendar/[A-Za-z0-9_-]{43,}\.ics", path)
    feed = world.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    text = feed.get_data(as_text=True)
    assert str(mine) not in text and "income" not in text and "Samira" not in text
    (cal, event) = calendar.parse(text)
    assert cal["VERSION"] == "2.0" and cal["PRODID"] == calendar.PRODUCT
    assert event["DTSTART"] == at.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    assert event["SUMMARY"].startswith("accompaniment: ocmw_cpas (") and event["UID"] and event["DTSTAMP"]

    renewed = turn_on().json["path"]
    assert renewed != path
    assert world.get(path).status_code == 404
    again = calendar.parse(world.get(renewed).get_data(as_text=True))[1]
    assert again["SUMMARY"] == event["SUMMARY"]  # the alias stays the same across renewals

    try:
        off = world.http.delete("/me/calendar-feed", headers=world.bearer["apo-sa-1"])
    finally:
        context.use(RequestContext())
    assert off.json == {"calendar_feed": False, "path": None}
    assert world.get(renewed).status_code == 404


def test_each_person_s_feed_names_the_same_client_by_a_different_alias():
    key_a, key_b, client = "11" * 32, "22" * 32, str(uuid.uuid4())
    assert calendar.alias(key_a, client) == calendar.alias(key_a, client) != calendar.alias(key_b, client)
    assert client[:8] not in calendar.alias(key_a, client)


# -- the iCalendar text (RFC 5545) -----------------------------------------------------------

def _item(when: dt.datetime, with_actor: str = "court", kind: str = "appointment") -> dict:
    return {"kind": kind, "when": when.isoformat(), "all_day": False, "client_id": str(uuid.uuid4()),
            "what": {"appointment_id": "a1b2c3", "with_actor": with_actor, "accompanied_by": None}}


def test_lines_end_in_crlf_and_fold_at_75_octets_never_inside_a_character():
    long = "é" * 60 + ",;\\" + "x" * 80  # multibyte characters across a fold
    line = calendar.fold(f"SUMMARY:{calendar.escape(long)}")
    assert all(len(part.encode()) <= 75 for part in line.split("\r\n"))
    assert all(part.startswith(" ") for part in line.split("\r\n")[1:])
    text = calendar.render([_item(dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.timezone.utc), long)], "ab" * 32,
                           dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc), "jww.example")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(raw.encode()) <= 75 for raw in text.split("\r\n"))
    (_, event) = calendar.parse(text)
    assert event["SUMMARY"].startswith(f"appointment: {long} (")  # unfolded and unescaped, as it was
    assert event["DTSTART"] == "20270105T093000Z" and event["DTSTAMP"] == "20270101T000000Z"


def test_text_values_escape_backslash_semicolon_comma_and_newline():
    assert calendar.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert calendar._unescape(calendar.escape("a\\b;c,d\ne")) == "a\\b;c,d\ne"


def test_only_appointments_and_accompaniments_go_in_the_feed_in_utc():
    brussels = dt.timezone(dt.timedelta(hours=1))
    items = [_item(dt.datetime(2027, 1, 5, 9, 0, tzinfo=brussels)), _item(dt.datetime(2027, 1, 6, 9, 0, tzinfo=brussels),
                                                                         kind="accompaniment"),
             {"kind": "condition_ending", "when": "2027-01-07", "all_day": True, "client_id": "x", "what": {}}]
    events = calendar.parse(calendar.render(items, "cd" * 32, dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc),
                                            "h"))[1:]
    assert [e["DTSTART"] for e in events] == ["20270105T080000Z", "20270106T080000Z"]
    assert [e["CATEGORIES"] for e in events] == ["appointment", "accompaniment"]
    assert all(e["UID"].startswith("a1b2c3-") and e["UID"].endswith("@h") for e in events)


def test_a_line_without_crlf_is_not_icalendar():
    with pytest.raises(ValueError):
        calendar.parse("BEGIN:VCALENDAR\nEND:VCALENDAR\r\n")
