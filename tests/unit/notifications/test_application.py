"""The use cases of notifications on in-memory stores: delivering what is due (with
retries and dead letters), and each person's inbox."""
import datetime as dt

import pytest

from services.notifications.domain import AddressedToSomeoneElse, Notification
from shared.config import StoreSettings
from shared.errors import Forbidden, NotFound
from shared.persistence import store_env
from tests.support.samples import WORKER
from tests.unit.notifications.world import ADMIN, CRIMINOLOGIST, NOW, World, inbox


def test_a_new_assignment_tells_the_worker_in_their_language(world):
    world.accepted_client()
    (message,) = inbox(world, "apo-sa-1")  # speaks fr first
    assert (message["kind"], message["language"], message["subject"]) == ("new_assignment", "fr", "Nouveau client attribué")
    assert world.mailbox.sent == []  # e-mails go out when delivered
    world.notifications.deliver_due()
    (address, subject, body, _), = world.mailbox.sent
    assert address == "apo-sa-1@apo.example.org" and "Vous accompagnez" in body


def test_a_failing_send_is_retried_with_backoff_then_dead_lettered(world, clock):
    world.mailbox.failures = 1
    world.accepted_client()
    assert world.notifications.deliver_due() == 0
    assert world.notifications.deliver_due() == 0  # not yet: backoff
    clock.now += dt.timedelta(seconds=61)
    assert world.notifications.deliver_due() == 1
    world.mailbox.failures = 10
    world.accepted_client(worker="apo-crim-1", languages=["nl"], preferred_language="nl")
    for _ in range(3):
        world.notifications.deliver_due()
        clock.now += dt.timedelta(minutes=10)
    (dead,) = world.notifications.dead_letters(ADMIN)
    assert (dead["recipient"], dead["attempts"], dead["status"]) == ("apo-crim-1", 3, "dead-lettered")
    assert world.mailbox.failures == 7  # a dead letter is not tried again
    world.notifications.deliver_due()
    assert world.mailbox.failures == 7
    with pytest.raises(Forbidden):
        world.notifications.dead_letters(WORKER)


def test_a_reminder_due_while_the_service_was_down_goes_out_once_when_it_comes_back(tmp_path, clock):
    env = store_env(StoreSettings("sqlite", tmp_path / "notifications.sqlite", "", "", 0, "", ""))
    world = World(clock, notifications_env=env)
    client_id = world.accepted_client()
    world.guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=2), "lawyer", "prepare hearing")
    world.sync()
    world.notifications.deliver_due()
    before = len(world.mailbox.sent)
    clock.now = NOW + dt.timedelta(days=1, hours=12)  # the reminder fell due while "down"
    world.restart_notifications(env)
    world.sync()
    world.notifications.deliver_due()
    world.notifications.deliver_due()
    assert len(world.mailbox.sent) == before + 1
    assert "Rendez-vous demain" in world.mailbox.sent[-1][1]


def test_the_inbox_is_private_and_marks_read(world):
    world.accepted_client()
    (message,) = inbox(world, "apo-sa-1")
    with pytest.raises(AddressedToSomeoneElse) as refused:  # Forbidden at the service edge
        world.notifications.mark_read(CRIMINOLOGIST, message["notification_id"])
    assert refused.value.message == "this message is addressed to someone else"
    world.notifications.mark_read(WORKER, message["notification_id"])
    assert inbox(world, "apo-sa-1")[0]["read"] is True
    with pytest.raises(NotFound):
        world.notifications.mark_read(WORKER, "00000000-0000-4000-8000-000000000000")


def test_marking_a_message_read_again_stores_nothing(world):
    world.accepted_client()
    (message,) = inbox(world, "apo-sa-1")
    world.notifications.mark_read(WORKER, message["notification_id"])
    head = world.notifications.head()
    world.notifications.mark_read(WORKER, message["notification_id"])
    assert world.notifications.head() == head
    assert inbox(world, "apo-sa-1")[0]["read"] is True


def test_a_record_that_is_no_notification_is_no_message(world):
    client_id = world.accepted_client()  # notifications keeps a record under the client's id
    with pytest.raises(NotFound) as refused:
        world.notifications.mark_read(WORKER, client_id)
    assert refused.value.details == {"notification_id": ["not found"]}
    assert not isinstance(world.notifications.find(client_id), Notification)
