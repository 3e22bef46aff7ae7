"""The rules of notifications' aggregates, on the aggregates alone: no application,
no store."""
import ast
import dataclasses
import datetime as dt
import uuid
from pathlib import Path

import pytest

from services.notifications import domain
from services.notifications.domain import (
    DEAD, DELIVERED, WITHDRAWN, AddressedToSomeoneElse, Backoff, ClientOnRecord, NoSuchMessage, Notification,
    NotPending, Team, Waitlist,
)
from shared.domain import NotNow, NotPermitted, Unknown

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
CLIENT = uuid.UUID("5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21")
BACKOFF = Backoff(attempts=3, first_wait=dt.timedelta(seconds=30))


def notification(channel="email", **overrides):
    n = Notification(**{
        "caused_by": "fact-1", "client_id": CLIENT, "agency": "apo", "kind": "new_assignment", "recipient": "apo-sa-1",
        "address": "apo-sa-1@apo.example.org", "channel": channel, "language": "fr", "subject": "s", "body": "b",
        "due": NOW, **overrides})
    n.collect_events()
    return n


def names(events) -> list[str]:
    return [type(e).__name__ for e in events]


def replayed(events):
    aggregate = None
    for e in events:
        aggregate = e.mutate(aggregate)
    return aggregate


def test_the_domain_imports_only_the_standard_library_eventsourcing_and_shared_domain():
    tree = ast.parse(Path(domain.__file__).read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m.split(".")[0] for m in modules} - {"__future__", "dataclasses", "datetime", "uuid"} == {
        "eventsourcing", "shared"}
    assert {m for m in modules if m.startswith("shared")} == {"shared.domain"}


def test_one_notification_per_fact_recipient_and_channel():
    assert Notification.create_id("f", "u", "inbox") == Notification.create_id("f", "u", "inbox")
    assert len({Notification.create_id("f", "u", c) for c in ("inbox", "email")}) == 2


def test_the_client_on_record_follows_the_assignment():
    client = ClientOnRecord(client_id=CLIENT, agency="apo")
    client.assign_worker("dsr", "dsr-sa-1")
    assert (client.id, client.agency, client.worker) == (CLIENT, "dsr", "dsr-sa-1")


def test_a_team_changes_the_activity_of_its_members_only():
    team = Team(agency="apo")
    team.note_member("apo-coord", "coordinator", ["nl"])
    team.note_member("apo-sa-1", "social_assistant", ["fr"])
    team.collect_events()
    team.set_active("someone-else", False)
    assert team.collect_events() == []
    team.set_active("apo-coord", False)
    assert names(team.collect_events()) == ["MemberActiveChanged"] and team.coordinators() == []


def test_a_waitlist_reports_each_new_size_from_the_threshold_on():
    waitlist = Waitlist(agency="apo")
    assert [waitlist.join(c, report_from=2) for c in ("a", "b", "c")] == [None, 2, 3]
    assert waitlist.reported == 3


def test_a_client_already_waiting_joins_no_second_time():
    waitlist = Waitlist(agency="apo")
    waitlist.join("a", report_from=1)
    waitlist.collect_events()
    assert waitlist.join("a", report_from=1) is None
    assert waitlist.collect_events() == [] and waitlist.waiting == ["a"]


def test_a_waitlist_that_shrank_reports_only_above_its_largest_size():
    waitlist = Waitlist(agency="apo")
    for c in ("a", "b", "c"):
        waitlist.join(c, report_from=2)
    waitlist.leave("a")
    waitlist.leave("nobody")  # not waiting: nothing to leave
    assert waitlist.join("d", report_from=2) is None
    assert waitlist.join("e", report_from=2) == 4
    assert names(waitlist.collect_events()).count("Left") == 1


def test_the_backoff_doubles_the_wait_until_the_attempts_are_used():
    assert [BACKOFF.retry_at(failed, NOW) for failed in (1, 2, 3)] == [
        NOW + dt.timedelta(seconds=30), NOW + dt.timedelta(seconds=60), None]


def test_a_failed_attempt_is_tried_again_later_then_dead_lettered():
    n = notification()
    n.record_failure("ConnectionRefusedError", NOW, BACKOFF)
    assert (n.attempts, n.next_attempt, n.pending) == (1, NOW + dt.timedelta(seconds=30), True)
    n.record_failure("ConnectionRefusedError", NOW, BACKOFF)
    n.record_failure("TimeoutError", NOW, BACKOFF)
    events = n.collect_events()
    assert names(events) == ["AttemptFailed", "AttemptFailed", "AttemptFailed", "DeadLettered"]
    assert events[-1].reason == "3 attempts failed, last: TimeoutError"
    assert (n.status, n.attempts, n.next_attempt) == (DEAD, 3, None)


@pytest.mark.parametrize("finish", [
    lambda n: n.record_delivery(NOW),
    lambda n: n.record_failure("E", NOW, Backoff(attempts=1, first_wait=dt.timedelta(seconds=1))),
])
def test_a_delivered_or_dead_lettered_notification_is_not_tried_again(finish):
    n = notification()
    finish(n)
    n.collect_events()
    for again in (lambda: n.record_delivery(NOW), lambda: n.record_failure("E", NOW, BACKOFF)):
        with pytest.raises(NotPending) as refused:
            again()
        assert isinstance(refused.value, NotNow) and refused.value.details == {"notification_id": [n.status]}
    assert n.collect_events() == []


def test_what_a_notification_publishes_names_whom_and_what_it_is_about():
    n = notification()
    n.record_delivery(NOW)
    (delivered,) = n.collect_events()
    assert (delivered.client_id, delivered.agency, delivered.kind, delivered.recipient, delivered.channel) == (
        CLIENT, "apo", "new_assignment", "apo-sa-1", "email")
    assert n.status == DELIVERED


def test_only_the_recipient_marks_an_inbox_message_read_and_once():
    n = notification(channel="inbox")
    with pytest.raises(AddressedToSomeoneElse) as refused:
        n.mark_read("apo-crim-1", NOW)
    assert isinstance(refused.value, NotPermitted)
    assert refused.value.message == "this message is addressed to someone else"
    n.mark_read("apo-sa-1", NOW)
    n.mark_read("apo-sa-1", NOW)
    assert names(n.collect_events()) == ["Read"] and n.read is True


def test_an_e_mail_is_no_message_to_mark_read():
    n = notification(channel="email")
    with pytest.raises(NoSuchMessage) as refused:
        n.mark_read("apo-sa-1", NOW)
    assert isinstance(refused.value, Unknown)
    assert (refused.value.message, refused.value.details) == ("no such message", {"notification_id": ["not found"]})


def test_replaying_the_events_runs_no_rule_again():
    n = Notification(
        caused_by="fact-1", client_id=CLIENT, agency="apo", kind="new_assignment", recipient="apo-sa-1",
        address="a", channel="email", language="fr", subject="s", body="b", due=NOW)
    n.record_failure("E", NOW, Backoff(attempts=1, first_wait=dt.timedelta(seconds=1)))
    copy = replayed(n.collect_events())
    assert (copy.status, copy.attempts, copy.version) == (DEAD, 1, n.version)


def test_a_message_erased_before_it_went_out_is_withdrawn_and_replays_as_erased():
    n = Notification(
        caused_by="fact-1", client_id=CLIENT, agency="apo", kind="new_assignment", recipient="apo-sa-1",
        address="a", channel="email", language="fr", subject="s", body="b", due=NOW)
    with pytest.raises(NotNow):  # it still says something: it is sent, not withdrawn
        n.withdraw(NOW)
    # As it loads once its client's keys are shredded: what it said about the client is None.
    events = [dataclasses.replace(e, kind=None, subject=None, body=None) for e in n.collect_events()]
    erased = replayed(events)
    assert erased.erased and (erased.kind, erased.subject, erased.body) == (None, None, None)
    erased.withdraw(NOW)
    (withdrawn,) = erased.collect_events()
    assert names([withdrawn]) == ["Withdrawn"] and (erased.status, erased.pending) == (WITHDRAWN, False)
    assert replayed(events + [withdrawn]).status == WITHDRAWN
    with pytest.raises(NotPending):
        erased.record_delivery(NOW)
