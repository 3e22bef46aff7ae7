"""What notifications keeps about a client at rest (shared.sealing): a message's kind,
subject and body are sealed under the client's data keys on an SQLite store, load
back while the keys live, and load as None once they are shredded, while every
chain still verifies and the inbox, the dead letters and delivery keep working."""
import datetime as dt
import json
import sqlite3
import uuid

import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from services.notifications import domain
from services.notifications.domain import DELIVERED, PENDING, WITHDRAWN, Notification
from services.notifications.integration import PUBLICATIONS, SEALED
from shared import chain
from shared.config import StoreSettings
from shared.contracts import notifications as contracts
from shared.contracts import notifications_answers as answers
from shared.contracts.declare import RETENTION_CLASSES, Fact, personal_fields
from shared.domain import ServiceAggregate
from shared.persistence import store_env
from tests.support.declarations import event_fields
from tests.support.partners import ReferralsFeed
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.notifications.world import ADMIN, CRIMINOLOGIST, NOW, World, inbox

PARTNER = "zq7-partner-marker"  # a partner's code: the only words of the flow that reach a message as given
ABOUT_A_CLIENT = ("new_assignment", "referral_answered", "referral_stalled", "appointment_tomorrow",
                  "interpreter_request", "condition_ending", "continuity_gap")
APPOINTMENT = NOW + dt.timedelta(days=30)  # its reminder is still to go out when the client is erased


def sqlite_store(path) -> StoreSettings:
    return StoreSettings(kind="sqlite", sqlite_path=path, postgres_dbname="", postgres_host="", postgres_port=0,
                         postgres_user="", postgres_schema="")


@pytest.fixture
def partners(tmp_path_factory):
    """A partner directory with the marker partner, outside the folder the stores are scanned in."""
    path = tmp_path_factory.mktemp("partners") / "partners.json"
    path.write_text(json.dumps({"version": 1, "partners": [{
        "code": PARTNER, "name": "Zq7 partner", "kind": "specialised_service", "agency": None,
        "domains": ["addiction"], "languages": ["nl", "fr"], "channel": "email", "typical_wait_days": 5}]}))
    return path


@pytest.fixture
def env(tmp_path):
    return store_env(sqlite_store(tmp_path / "notifications.sqlite"))


@pytest.fixture
def world(clock, env, partners):
    world = World(clock, notifications_env=env)
    world.referrals.load_partners(partners)
    for partner in json.loads(partners.read_text())["partners"]:  # intake learns it from referrals' fact
        assert ReferralsFeed(world.intake).registered(partner) == "applied"
    return world


def on_disk(tmp_path) -> bytes:
    return b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())


def found(text: str, disk: bytes) -> bool:
    """The text as stored in clear: UTF-8, or JSON with its non-ASCII escaped."""
    return text.encode() in disk or json.dumps(text)[1:-1].encode() in disk


def tell_everything(world, clock) -> tuple[uuid.UUID, uuid.UUID]:
    """Every kind of message about a client, through the real upstream services, for
    one client (to be erased) and another (to be kept); and a waitlist notice."""
    erased = world.accepted_client(languages=["ar"], preferred_language="ar")  # new_assignment to apo-sa-1
    # apo-crim-1 speaks no Arabic: reassigned with a telephone interpreter (new_assignment).
    world.intake.reassign(COORDINATOR, erased, "apo-crim-1", {"language": "ar", "kind": "telephone"})
    world.sync()
    world.intake.give_consent(CRIMINOLOGIST, erased, PARTNER, "referral", ["identity"])
    world.sync()
    referral = world.referrals.propose_referral(CRIMINOLOGIST, erased, PARTNER, ["addiction"], "Zq7reason")
    for step in ("sent", "acknowledged", "accepted"):  # referral_answered
        world.referrals.record_step(CRIMINOLOGIST, referral, step)
    # appointment_tomorrow (due the day before) and interpreter_request (at once, by e-mail)
    world.guidance.plan_appointment(CRIMINOLOGIST, erased, APPOINTMENT, "court", "Zq7purpose")
    world.guidance.agree_plan(CRIMINOLOGIST, erased, [{"domain": "housing", "goal": "Zq7goal"}], "weekly", 4)
    world.guidance.record_condition(CRIMINOLOGIST, erased, "prohibition", "Zq7condition", NOW.date(),
                                    (NOW + dt.timedelta(days=20)).date(), "court")
    kept = world.accepted_client(worker="apo-en-1")
    world.guidance.plan_appointment(COORDINATOR, kept, APPOINTMENT, "doctor", "Zq7other")
    for _ in range(2):  # waitlist_growing: a notice about the agency, about no one client
        waiting = world.intake.register_client(WORKER, **registration_args())
        world.intake.waitlist(COORDINATOR, waiting)
    world.sync()
    # The first e-mails never get through: dead-lettered after three attempts.
    world.mailbox.failures = 100
    for _ in range(3):
        world.notifications.deliver_due()
        clock.now += dt.timedelta(minutes=10)
    world.mailbox.failures = 0
    clock.now = NOW + dt.timedelta(days=15)
    world.guidance.check_time()  # condition_ending, continuity_gap
    clock.now = NOW + dt.timedelta(days=20)
    world.referrals.check_time()  # referral_stalled
    world.sync()
    world.notifications.deliver_due()  # these get through
    return erased, kept


def notifications_of(app) -> list[Notification]:
    created = app.recorder.select_notifications(1, 10_000, topics=[get_topic(Notification.Created)])
    return [app.repository.get(n.originator_id) for n in created]


def about(app, client_id) -> list[Notification]:
    return [n for n in notifications_of(app) if n.client_id == client_id]


def test_what_a_message_says_about_its_client_is_sealed_on_disk_and_loads_back(world, clock, tmp_path):
    erased, kept = tell_everything(world, clock)
    app = world.notifications
    told = about(app, erased)
    assert {n.kind for n in told} == set(ABOUT_A_CLIENT)
    assert {n.status for n in told} >= {PENDING, DELIVERED, domain.DEAD}
    answered = next(n for n in told if n.kind == "referral_answered")
    assert PARTNER in answered.body  # loaded back, opened
    disk = on_disk(tmp_path)
    assert len(list(tmp_path.iterdir())) >= 2  # the events and the key store
    for n in told + about(app, kept):
        for text in (n.subject, n.body):
            assert not found(text, disk), text
    for marker in (PARTNER, *ABOUT_A_CLIENT, "Zq7"):  # "Zq7...": what upstream keeps, never told at all
        assert not found(marker, disk), marker
    # The scan does see what is stored in clear: a notice about the agency's waitlist
    # names no client, so nothing in it is sealed (nor any key made for "no client").
    (notice,) = [n for n in notifications_of(app) if n.client_id is None and n.channel == "inbox"]
    assert (notice.kind, notice.body) == ("waitlist_growing", "2 cliënten wachten bij APO.")
    assert found(notice.body, disk) and found("waitlist_growing", disk)
    with sqlite3.connect(tmp_path / "notifications.sqlite") as events:
        assigned = {uuid.UUID(client) for client, in events.execute("SELECT client_id FROM client_keys")}
    assert assigned == {erased, kept}
    assert list(chain.verify(app.recorder)) == []


def test_shredded_keys_leave_messages_that_show_none_and_chains_that_verify(world, clock, env):
    erased, kept = tell_everything(world, clock)
    before = {n.id: (n.kind, n.subject, n.body) for n in about(world.notifications, kept)}
    told = {n.id: n.recipient for n in about(world.notifications, erased)}
    shredded = world.notifications.data_keys.shred(erased, list(RETENTION_CLASSES), "erasure 2026/7")
    assert sorted(shredded) == sorted(RETENTION_CLASSES)
    world.restart_notifications(env)  # reopened on the same files
    app = world.notifications
    gone = about(app, erased)
    assert {n.id: n.recipient for n in gone} == told  # whom each told is no personal data of the client
    for n in gone:
        assert (n.kind, n.subject, n.body) == (None, None, None) and n.erased
    assert {n.id: (n.kind, n.subject, n.body) for n in about(app, kept)} == before  # the other client intact
    assert app.client_on_record(erased).worker == "apo-crim-1"
    # The queries answer, showing None for what was erased, within their contracts.
    messages = inbox(world, "apo-crim-1")
    assert {m["kind"] for m in messages} == {None}
    assert all(m["subject"] is None and m["body"] is None for m in messages)
    for message in messages + inbox(world, "apo-en-1"):
        assert answers.InboxEntry().validate(message) == {}
    assert {m["kind"] for m in inbox(world, "apo-en-1")} == {"new_assignment"}  # not due yet: the reminder
    dead = app.dead_letters(ADMIN)
    assert {d["kind"] for d in dead if uuid.UUID(d["notification_id"]) in told} == {None}
    assert {d["kind"] for d in dead if uuid.UUID(d["notification_id"]) not in told} == {
        "new_assignment", "waitlist_growing"}  # the other client's, and the agency's notice
    for letter in dead:
        assert answers.DeadLetter().validate(letter) == {}
    # The erased client's reminder is withdrawn, not sent; the other's goes out.
    clock.now = APPOINTMENT - dt.timedelta(hours=20)
    sent = len(world.mailbox.sent)
    app.deliver_due()
    (mail,) = world.mailbox.sent[sent:]
    assert (mail[0], mail[1]) == ("apo-en-1@apo.example.org", "Appointment tomorrow")
    (reminder,) = [n for n in about(app, erased) if n.channel == "email" and n.due > NOW + dt.timedelta(days=20)]
    assert reminder.status == WITHDRAWN
    assert app.deliver_due() == 0 and app.index.due(clock.now) == []
    assert list(chain.verify(app.recorder)) == []


# -- the declarations: no personal field of an event can be left out of SEALED --------------

def facts() -> list[type[Fact]]:
    return [f for f in vars(contracts).values() if isinstance(f, type) and issubclass(f, Fact) and f is not Fact]


def domain_events() -> set[type]:
    """Every domain event class of notifications' aggregates."""
    aggregates = [a for a in vars(domain).values()
                  if isinstance(a, type) and issubclass(a, ServiceAggregate) and a.__module__ == domain.__name__]
    return {e for a in aggregates for e in vars(a).values() if isinstance(e, type) and issubclass(e, DomainEvent)}


def personal_events(sealed: dict) -> set[type]:
    """The events that hold a field some notifications fact declares personal, or that
    are published with one, and are not in ``sealed``."""
    personal = {name for fact in facts() for name in personal_fields(fact)}
    holding = {e for e in domain_events() if event_fields(e) & personal}
    published = {e for e, publish in PUBLICATIONS.items() if personal_fields(publish.schema)}
    return (holding | published) - set(sealed)


def test_every_event_holding_something_personal_is_sealed_under_its_fact():
    assert domain_events() >= {Notification.Created, Notification.Delivered, Notification.DeadLettered,
                               Notification.Read, domain.ClientOnRecord.WorkerAssigned, domain.Team.MemberNoted}
    assert personal_events(SEALED) == set()
    for event_class, fact in SEALED.items():
        assert personal_fields(fact), event_class  # something to seal
        assert set(personal_fields(fact)) <= event_fields(event_class), event_class  # names equal attributes
        assert "client_id" in event_fields(event_class), event_class  # whose keys seal it


def test_an_event_left_out_of_sealed_is_found():
    for left_out in SEALED:
        assert personal_events({e: f for e, f in SEALED.items() if e is not left_out}) == {left_out}
