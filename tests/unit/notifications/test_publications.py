"""What notifications publishes: each translation reads the domain event alone, and
never carries the message itself."""
import datetime as dt
import uuid

from services.notifications.domain import Backoff, Notification
from services.notifications.integration import PUBLICATIONS
from shared.contracts import CATALOGUE
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.samples import COORDINATOR
from tests.unit.notifications.world import NOW

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}

CLIENT = uuid.UUID("5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21")
FAILED_ONCE = Backoff(attempts=1, first_wait=dt.timedelta(seconds=30))


def notification(client_id=CLIENT, kind="new_assignment", channel="email"):
    return Notification(
        caused_by="fact-1", client_id=client_id, agency="apo", kind=kind, recipient="apo-sa-1",
        address="apo-sa-1@apo.example.org", channel=channel, language="fr", subject="SUBJECT", body="BODY", due=NOW,
    )


def published(*events):
    out = [PUBLICATIONS[type(e)](e) for e in events if type(e) in PUBLICATIONS]
    for publication in out:
        assert CATALOGUE[publication.type]().validate(publication.data) == {}, publication.type
        assert "SUBJECT" not in str(publication) and "BODY" not in str(publication)
    return out


def test_issued_and_delivered_say_who_was_told_what_kind_of_thing_about_whom():
    told = notification()
    told.record_delivery(NOW + dt.timedelta(minutes=1))
    issued, delivered = published(*told.collect_events())
    about = {"notification_id": str(told.id), "client_id": str(CLIENT), "kind": "new_assignment",
             "recipient": "apo-sa-1", "channel": "email"}
    assert (issued.type, issued.subject) == ("be.jww.notifications.notification-issued.v1", str(CLIENT))
    assert issued.data == {**about, "caused_by": "fact-1", "language": "fr", "due": NOW.isoformat()}
    assert delivered.type == "be.jww.notifications.notification-delivered.v1"
    assert delivered.data == {**about, "at": (NOW + dt.timedelta(minutes=1)).isoformat()}


def test_a_dead_letter_is_published_but_not_each_failed_attempt():
    told = notification()
    told.collect_events()
    told.record_failure("ConnectionRefusedError", NOW, FAILED_ONCE)
    (dead,) = published(*told.collect_events())
    assert dead.type == "be.jww.notifications.notification-dead-lettered.v1"
    assert dead.data["notification_id"] == str(told.id) and dead.data["recipient"] == "apo-sa-1"


def test_a_notice_about_a_whole_agency_names_the_notification_as_its_subject():
    told = notification(client_id=None, kind="waitlist_growing", channel="inbox")
    (issued,) = published(*told.collect_events())
    assert issued.subject == f"notification/{told.id}" and issued.data["client_id"] is None


def test_what_was_told_to_whom_is_published_without_the_message(world, clock):
    world.mailbox.failures = 1
    client_id = world.accepted_client()
    world.notifications.deliver_due()
    clock.now += dt.timedelta(seconds=61)
    world.notifications.deliver_due()
    world.mailbox.failures = 10
    world.accepted_client(worker="apo-crim-1", languages=["nl"], preferred_language="nl")
    for _ in range(3):
        world.notifications.deliver_due()
        clock.now += dt.timedelta(minutes=10)
    erased = world.accepted_client(worker="apo-crim-1", languages=["nl"], preferred_language="nl")
    world.intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    world.intake.approve_erasure(DPO, erased)
    world.sync()
    fakes.take_checkpoint(world.notifications)  # as its relay does
    published = Outbox(world.notifications).read(0, 100)
    # What was issued about the erased client now reads as an erased fact.
    # Version 2 carries the kinds added since (tests/unit/notifications/test_agenda_reminders.py).
    assert {e["type"] for e in published} == {t for t in CATALOGUE if t.startswith("be.jww.notifications.")
                                              and not t.endswith(".v2")}
    (carried_out,) = [e for e in published if e["type"].endswith(".erasure-carried-out.v1")]
    assert carried_out["subject"] == carried_out["data"]["client_id"] == str(erased)
    first = [(e["type"].split(".")[3], e["data"]["channel"]) for e in published
             if e["data"].get("client_id") == str(client_id)]  # a checkpoint names no client
    assert first == [("notification-issued", "inbox"), ("notification-issued", "email"),
                     ("notification-delivered", "email")]
    assert "assigned" not in str(published) and "toegewezen" not in str(published)  # no subject, no body
