"""Notification rules, languages and delivery, on in-memory stores: intake's,
guidance's and referrals' facts arrive through real followers."""
import datetime as dt

import pytest

from services.guidance.application import GuidanceApplication
from services.notifications.application import NotificationsApplication
from services.referrals.application import ReferralsApplication
from shared.config import DEPLOY_DIR, StoreSettings
from shared.contracts import CATALOGUE
from shared.errors import Forbidden, NotFound
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.support.fakes import IN_MEMORY, Clock, Link, deliver, intake as new_intake

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
CRIMINOLOGIST = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}  # speaks nl, en
ADMIN = {"user_id": "ops", "role": "admin", "agency": "platform"}



class Mailbox:
    """Stands in for the SMTP server in unit tests; tests/integration uses a real one."""

    def __init__(self):
        self.sent, self.failures = [], 0

    def __call__(self, address, subject, body, message_id):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("smtp away")
        self.sent.append((address, subject, body, message_id))


class World:
    def __init__(self, clock, notifications_env=None):
        self.clock = clock
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.intake.add_staff_member(COORDINATOR, "apo", "apo-en-1", "E. One", "social_assistant", ["ar", "en"])
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.mailbox = Mailbox()
        self.notifications = self.new_notifications(notifications_env or IN_MEMORY)
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")] + self._notification_links()

    def new_notifications(self, env):
        app = NotificationsApplication(env=env, clock=self.clock)
        app.mailer, app.retry_seconds, app.max_attempts, app.waitlist_threshold = self.mailbox, 60, 3, 2
        return app

    def _notification_links(self):
        return [Link(self.notifications, upstream, name) for upstream, name in
                ((self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals"))]

    def restart_notifications(self, env):
        self.notifications = self.new_notifications(env)
        self.links = self.links[:3] + self._notification_links()

    def sync(self):
        deliver(self.links)

    def accepted_client(self, worker="apo-sa-1", **overrides):
        client_id = self.intake.register_client(WORKER, **registration_args(**overrides))
        self.intake.accept(COORDINATOR, client_id, worker)
        self.sync()
        return client_id


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(clock):
    return World(clock)


def inbox(world, user):
    return world.notifications.inbox({"user_id": user, "role": "social_assistant", "agency": "apo"})


def kinds(world, user):
    return [m["kind"] for m in inbox(world, user)]


def test_a_new_assignment_tells_the_worker_in_their_language(world):
    world.accepted_client()
    (message,) = inbox(world, "apo-sa-1")  # speaks fr first
    assert (message["kind"], message["language"], message["subject"]) == ("new_assignment", "fr", "Nouveau client attribué")
    assert world.mailbox.sent == []  # e-mails go out when delivered
    world.notifications.deliver_due()
    (address, subject, body, _), = world.mailbox.sent
    assert address == "apo-sa-1@apo.example.org" and "Vous accompagnez" in body


@pytest.mark.parametrize("worker, language, words", [
    ("apo-sa-1", "fr", "Vous accompagnez désormais"),
    ("apo-crim-1", "nl", "U begeleidt voortaan"),
    ("apo-en-1", "en", "You now guide"),
])
def test_each_language(world, worker, language, words):
    world.accepted_client(worker=worker, languages=["fr", "nl", "ar"], preferred_language="fr")
    (message,) = inbox(world, worker)
    assert message["language"] == language and words in message["body"]


def test_a_duplicate_fact_makes_no_second_message(world):
    world.accepted_client()
    for link in world.links:  # everything delivered again from the start
        link.follower.position = 0
        link.follower.app.track = lambda *a: None
    world.sync()
    assert kinds(world, "apo-sa-1") == ["new_assignment"]


def test_referral_answered_and_stalled_reach_the_caseworker(world, clock):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["identity"])
    world.sync()
    referral = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    for step in ("sent", "acknowledged", "accepted"):
        world.referrals.record_step(WORKER, referral, step)
    clock.now += dt.timedelta(days=20)
    world.referrals.check_time()
    world.sync()
    assert sorted(kinds(world, "apo-sa-1")) == ["new_assignment", "referral_answered", "referral_stalled"]
    answered = next(m for m in inbox(world, "apo-sa-1") if m["kind"] == "referral_answered")
    assert "acceptée" in answered["body"]


def test_an_appointment_reminds_the_day_before_and_requests_the_interpreter_at_once(world, clock):
    client_id = world.accepted_client(languages=["ar"], preferred_language="ar")
    # apo-crim-1 speaks no Arabic: reassigned with a telephone interpreter.
    world.intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "ar", "kind": "telephone"})
    world.sync()
    hearing = NOW + dt.timedelta(days=3)
    world.guidance.plan_appointment(CRIMINOLOGIST, client_id, hearing, "court", "hearing")
    world.sync()
    assert "appointment_tomorrow" not in kinds(world, "apo-crim-1")  # not due yet
    world.notifications.deliver_due()
    desk = [s for s in world.mailbox.sent if s[0] == "interpreters@apo.example.org"]
    assert len(desk) == 1 and "(ar)" in desk[0][2]
    clock.now = hearing - dt.timedelta(hours=20)
    reminder = next(m for m in inbox(world, "apo-crim-1") if m["kind"] == "appointment_tomorrow")
    assert "rechtbank" in reminder["body"] and "tolk (ar)" in reminder["body"]


def test_a_condition_ending_and_a_continuity_gap(world, clock):
    client_id = world.accepted_client()
    world.guidance.agree_plan(WORKER, client_id, [{"domain": "housing", "goal": "g"}], "weekly", 4)
    world.guidance.record_condition(WORKER, client_id, "prohibition", "no contact", NOW.date(),
                                    (NOW + dt.timedelta(days=20)).date(), "court")
    clock.now = NOW + dt.timedelta(days=15)
    world.guidance.check_time()
    world.sync()
    assert {"condition_ending", "continuity_gap"} <= set(kinds(world, "apo-sa-1"))
    assert kinds(world, "apo-coord") == ["continuity_gap"]  # and the team coordinator
    gap = inbox(world, "apo-coord")[0]
    assert gap["language"] == "nl" and "Nog geen contact" in gap["body"]


def test_a_growing_waitlist_tells_the_coordinator(world):
    for _ in range(3):
        client_id = world.intake.register_client(WORKER, **registration_args())
        world.intake.waitlist(COORDINATOR, client_id)
    world.sync()
    messages = [m for m in inbox(world, "apo-coord") if m["kind"] == "waitlist_growing"]
    assert [m["body"] for m in messages] == ["3 cliënten wachten bij APO.", "2 cliënten wachten bij APO."]


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
    with pytest.raises(Forbidden):
        world.notifications.dead_letters(WORKER)


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
    published = Outbox(world.notifications).read(0, 100)
    assert {e["type"] for e in published} == {t for t in CATALOGUE if t.startswith("be.jww.notifications.")}
    first = [(e["type"].split(".")[3], e["data"]["channel"]) for e in published
             if e["data"]["client_id"] == str(client_id)]
    assert first == [("notification-issued", "inbox"), ("notification-issued", "email"),
                     ("notification-delivered", "email")]
    assert "assigned" not in str(published) and "toegewezen" not in str(published)  # no subject, no body


def test_a_reminder_due_while_the_service_was_down_goes_out_once_when_it_comes_back(tmp_path, clock):
    store = StoreSettings("sqlite", tmp_path / "notifications.sqlite", "", "", 0, "", "")
    from shared.persistence import store_env

    env = store_env(store)
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


def test_messages_carry_no_confidential_content(world):
    client_id = world.accepted_client()
    world.guidance.record_intervention(WORKER, client_id, NOW - dt.timedelta(hours=1), 30, "office",
                                       "listening_support", "listening_ear", ["housing"], None,
                                       "CONFIDENTIAL NOTE", "NEXT STEP")
    world.guidance.plan_appointment(WORKER, client_id, NOW + dt.timedelta(days=2), "doctor", "SECRET PURPOSE")
    world.sync()
    world.notifications.deliver_due()
    text = str(inbox(world, "apo-sa-1")) + str(world.mailbox.sent)
    for secret in ("CONFIDENTIAL", "NEXT STEP", "SECRET", "Samira", "Testperson"):
        assert secret not in text


def test_the_inbox_is_private_and_marks_read(world):
    world.accepted_client()
    (message,) = inbox(world, "apo-sa-1")
    with pytest.raises(Forbidden):
        world.notifications.mark_read(CRIMINOLOGIST, message["notification_id"])
    world.notifications.mark_read(WORKER, message["notification_id"])
    assert inbox(world, "apo-sa-1")[0]["read"] is True
    with pytest.raises(NotFound):
        world.notifications.mark_read(WORKER, "00000000-0000-4000-8000-000000000000")
