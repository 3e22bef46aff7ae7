"""An appointment rescheduled or cancelled (issue 20): its reminder moves to the new
time or is withdrawn, each reminder goes out once, and a fact delivered again
changes nothing."""
import datetime as dt

from services.notifications.domain import WITHDRAWN, Notification
from services.notifications.messages import Message
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.notifications.world import CRIMINOLOGIST, NOW, inbox

HEARING = NOW + dt.timedelta(days=3)
MOVED = NOW + dt.timedelta(days=6)


def reminders(world, user="apo-sa-1") -> list[dict]:
    return [m for m in inbox(world, user) if m["kind"] == "appointment_tomorrow"]


def stored_reminders(world) -> list[Notification]:
    found = []
    for notification in world.notifications.recorder.select_notifications(1, 10_000):
        event = world.notifications.mapper.to_domain_event(notification)
        if isinstance(event, Notification.Created) and event.kind == "appointment_tomorrow":
            found.append(world.notifications.repository.get(event.originator_id))
    return found


def mails_to(world, address_part: str) -> list[tuple]:
    return [sent for sent in world.mailbox.sent if address_part in sent[0]]


def test_a_rescheduled_appointment_is_reminded_once_for_its_new_time_only(world, clock):
    client_id = world.accepted_client()
    world.notifications.deliver_due()  # the new assignment's e-mail
    told = len(world.mailbox.sent)
    appointment = world.guidance.plan_appointment(WORKER, client_id, HEARING, "court", "hearing")
    world.sync()
    world.guidance.reschedule_appointment(COORDINATOR, client_id, appointment, MOVED, "the court moved it")
    world.sync()
    old, new = stored_reminders(world)[:2], stored_reminders(world)[2:]
    assert {n.status for n in old} == {WITHDRAWN}  # inbox and e-mail, for the old time
    assert {n.due for n in new} == {MOVED - dt.timedelta(days=1)} and len(new) == 2
    clock.now = HEARING - dt.timedelta(hours=12)  # the old reminder's time came: nothing goes out
    world.notifications.deliver_due()
    assert reminders(world) == [] and len(world.mailbox.sent) == told
    clock.now = MOVED - dt.timedelta(hours=12)
    world.notifications.deliver_due()
    world.notifications.deliver_due()
    (reminder,) = reminders(world)
    assert len(world.mailbox.sent) == told + 1 and world.mailbox.sent[-1][2] == reminder["body"]


def test_a_cancelled_appointment_s_reminder_is_withdrawn(world, clock):
    client_id = world.accepted_client()
    world.notifications.deliver_due()  # the new assignment's e-mail
    appointment = world.guidance.plan_appointment(
        WORKER, client_id, HEARING, "lawyer", "x")
    world.sync()
    world.guidance.cancel_appointment(COORDINATOR, client_id, appointment, "no longer needed")
    world.sync()
    assert {n.status for n in stored_reminders(world)} == {WITHDRAWN}
    clock.now = HEARING
    assert world.notifications.deliver_due() == 0
    assert reminders(world) == []


def test_a_reminder_that_went_out_already_is_not_withdrawn(world, clock):
    client_id = world.accepted_client()
    appointment = world.guidance.plan_appointment(
        WORKER, client_id, HEARING, "lawyer", "x")
    world.sync()
    clock.now = HEARING - dt.timedelta(hours=12)
    world.notifications.deliver_due()
    world.guidance.cancel_appointment(COORDINATOR, client_id, appointment, "called off at the last minute")
    world.sync()
    assert len(reminders(world)) == 1  # it was told; the record says so
    assert WITHDRAWN not in {n.status for n in stored_reminders(world)}


def calling_off(text: str, request: str) -> set[str]:
    """The call-off in whichever language the desk's request went out in."""
    return {f"{Message(language).t(text)}\n\n{request}" for language in ("en", "fr", "nl")}


def client_with_an_interpreter(world):
    client_id = world.accepted_client(languages=["ar"], preferred_language="ar")
    world.intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "ar", "kind": "telephone"})
    world.sync()
    return client_id


def test_the_interpreter_desk_cancels_the_old_booking_and_is_asked_again_for_the_new_time(world):
    client_id = client_with_an_interpreter(world)
    appointment = world.guidance.plan_appointment(CRIMINOLOGIST, client_id, HEARING, "court", "hearing")
    world.sync()
    world.notifications.deliver_due()  # the request goes out at once
    world.guidance.reschedule_appointment(CRIMINOLOGIST, client_id, appointment, MOVED, "moved")
    world.sync()
    world.notifications.deliver_due()
    first, called_off, again = (body for _, _, body, _ in mails_to(world, "interpreters@apo"))
    # The desk finds the booking by the request it answered.
    assert called_off in calling_off("The appointment below was moved to another time: please cancel this booking; "
                                     "a request for the new time follows.", first)
    assert "(ar)" in again and again != first


def test_the_interpreter_desk_is_told_once_that_a_cancelled_appointment_needs_no_interpreter(world):
    client_id = client_with_an_interpreter(world)
    appointment = world.guidance.plan_appointment(CRIMINOLOGIST, client_id, HEARING, "court", "hearing")
    world.sync()
    world.notifications.deliver_due()
    world.guidance.cancel_appointment(COORDINATOR, client_id, appointment, "no longer needed")
    world.sync()
    for link in world.links:  # the cancellation delivered again
        link.follower.position = 0
        link.follower.app.track = lambda *a: None
    world.sync()
    world.notifications.deliver_due()
    request, called_off = (body for _, _, body, _ in mails_to(world, "interpreters@apo"))
    assert called_off in calling_off("The appointment below was cancelled: please cancel this booking.", request)


def test_an_appointment_without_an_interpreter_troubles_no_desk(world):
    client_id = world.accepted_client()
    appointment = world.guidance.plan_appointment(WORKER, client_id, HEARING, "court", "hearing")
    world.sync()
    world.guidance.cancel_appointment(COORDINATOR, client_id, appointment, "no longer needed")
    world.sync()
    world.notifications.deliver_due()
    assert mails_to(world, "interpreters@") == []


def test_a_rescheduling_or_cancellation_delivered_again_changes_nothing(world):
    client_id = world.accepted_client()
    worker = WORKER
    moved = world.guidance.plan_appointment(worker, client_id, HEARING, "court", "hearing")
    cancelled = world.guidance.plan_appointment(worker, client_id, HEARING, "lawyer", "x")
    world.sync()
    world.guidance.reschedule_appointment(worker, client_id, moved, MOVED, "moved")
    world.guidance.cancel_appointment(worker, client_id, cancelled, "not needed")
    world.sync()
    before = len(world.notifications.recorder.select_notifications(1, 10_000))
    statuses = sorted((str(n.id), n.status, n.due) for n in stored_reminders(world))
    for link in world.links:  # everything delivered again from the start
        link.follower.position = 0
        link.follower.app.track = lambda *a: None
    world.sync()
    assert len(world.notifications.recorder.select_notifications(1, 10_000)) == before
    assert sorted((str(n.id), n.status, n.due) for n in stored_reminders(world)) == statuses
