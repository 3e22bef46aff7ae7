"""The agenda's reminders (issue 20): a residence document expiring, a plan review
due and a case-conference action falling due each reach the caseworker once, in
their language, and a redelivery of every fact sends nothing twice."""
import datetime as dt

from shared.contracts import CATALOGUE
from shared.outbox import Outbox
from tests.support.samples import WORKER
from tests.unit.notifications.world import NOW, inbox, kinds

TODAY = NOW.date()
AGENDA = {"document_expiring", "plan_review_due", "conference_action_due"}


def _everything_falls_due(world, clock):
    client_id = world.accepted_client()  # apo-sa-1: reads French
    world.guidance.agree_plan(WORKER, client_id, [{"domain": "housing", "goal": "g"}], "monthly", 2)
    residence = world.guidance.start_procedure(WORKER, client_id, "residence_status", TODAY)
    world.guidance.record_document_expiry(WORKER, client_id, residence, TODAY + dt.timedelta(days=20))
    world.referrals.coordination.hold_conference(
        WORKER, client_id, TODAY, ["apo-sa-1", "lawyer"], ["d"],
        [{"action": "SECRET ACTION", "owner": "apo-sa-1", "due": TODAY + dt.timedelta(days=10)}])
    clock.now = NOW + dt.timedelta(days=10)
    for _ in range(2):  # each check twice: still raised once
        world.guidance.check_time()
        world.referrals.check_time()
    world.sync()
    return client_id


def test_each_reaches_the_caseworker_once_in_their_language(world, clock):
    client_id = _everything_falls_due(world, clock)
    reminders = [m for m in inbox(world, "apo-sa-1") if m["kind"] in AGENDA]
    assert sorted(m["kind"] for m in reminders) == sorted(AGENDA)
    by_kind = {m["kind"]: m for m in reminders}
    expires = by_kind["document_expiring"]
    assert expires["language"] == "fr" and str(client_id)[:8] in expires["body"]
    assert "Le document de séjour" in expires["body"]
    assert "révisé" in by_kind["plan_review_due"]["body"]
    assert "concertation" in by_kind["conference_action_due"]["body"]
    assert "SECRET" not in str(reminders)
    assert "apo-coord" not in str(reminders) and not set(kinds(world, "apo-coord")) & AGENDA


def test_a_redelivery_of_every_fact_sends_no_reminder_twice(world, clock):
    _everything_falls_due(world, clock)
    world.notifications.deliver_due()
    sent = len(world.mailbox.sent)
    for link in world.links:  # everything delivered again from the start
        link.follower.position = 0
        link.follower.app.track = lambda *a: None
    world.sync()
    world.notifications.deliver_due()
    assert sorted(k for k in kinds(world, "apo-sa-1") if k in AGENDA) == sorted(AGENDA)
    assert len(world.mailbox.sent) == sent
    assert len([s for s in world.mailbox.sent if "apo-sa-1@" in s[0]]) == len(
        [k for k in kinds(world, "apo-sa-1")])  # one e-mail per inbox message


def test_a_reminder_of_a_kind_added_since_version_1_is_published_as_version_2(world, clock):
    world.mailbox.failures = 10  # the e-mails fail until dead-lettered
    _everything_falls_due(world, clock)
    for _ in range(4):
        world.notifications.deliver_due()
        clock.now += dt.timedelta(minutes=10)
    world.mailbox.failures = 0
    client_id = world.accepted_client()
    residence = world.guidance.start_procedure(WORKER, client_id, "residence_status", clock.now.date())
    world.guidance.record_document_expiry(WORKER, client_id, residence, clock.now.date() + dt.timedelta(days=3))
    world.guidance.check_time()
    world.sync()
    world.notifications.deliver_due()
    published = Outbox(world.notifications).read(0, 1000)
    by_version = {}
    for e in published:
        if e["type"].startswith("be.jww.notifications.notification-"):
            by_version.setdefault(e["type"].rsplit(".", 1)[1], set()).add(e["data"]["kind"])
    assert by_version["v2"] == AGENDA and not by_version["v1"] & AGENDA
    types = {e["type"] for e in published}
    assert {f"be.jww.notifications.notification-{fact}.v2" for fact in ("issued", "delivered", "dead-lettered")} <= types
    for e in published:
        assert CATALOGUE[e["type"]]().validate(e["data"]) == {}
