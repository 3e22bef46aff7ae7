"""The exactly-once, in-order rules of a follower, with in-memory stores."""
import pytest
from eventsourcing.persistence import IntegrityError

from services.audit.application import AuditApplication
from services.audit.domain import Timeline
from shared.contracts import encode
from shared.contracts.base import ACCESS
from shared import keys, signing
from shared.follower import Follower, GapUnresolved
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.samples import COORDINATOR


@pytest.fixture
def upstream():
    return fakes.intake(private_languages=True)


@pytest.fixture
def downstream():
    return fakes.guidance()


def follower_of(upstream, downstream, dead_letters=None, pull=None):
    outbox = Outbox(upstream)
    return Follower(
        downstream, "guidance", "intake", downstream.policies(),
        pull=pull or (lambda after, until: outbox.read(after=after, until=until, limit=2)),
        dead_letter=dead_letters if dead_letters is not None else fakes.DeadLetters(),
    )


def published(upstream):
    return [encode(e) for e in Outbox(upstream).read(after=0, limit=100)]


def clients_on_record(app):
    return sum(1 for n in app.recorder.select_notifications(1, 1000) if n.topic.endswith("ClientOnRecord.Recorded"))


def test_each_event_is_applied_once_even_when_delivered_twice(upstream, downstream):
    for _ in range(3):
        fakes.register(upstream)
    follower = follower_of(upstream, downstream)
    outcomes = [follower.receive(body) for body in published(upstream) * 2]
    assert outcomes == ["applied"] * 3 + ["duplicate"] * 3
    assert clients_on_record(downstream) == 3
    assert downstream.position_of("intake") == 3


def test_a_gap_is_filled_from_the_upstream_log_before_the_event_that_revealed_it(upstream, downstream):
    for _ in range(5):
        fakes.register(upstream)
    bodies = published(upstream)
    follower = follower_of(upstream, downstream)
    follower.receive(bodies[0])
    assert follower.receive(bodies[4]) == "applied"  # 2, 3 and 4 were lost on the way
    assert clients_on_record(downstream) == 5
    assert [follower.receive(b) for b in bodies[1:4]] == ["duplicate"] * 3  # late arrivals


def recorded_order(app):
    return [n.originator_id for n in app.recorder.select_notifications(1, 1000)]


def upstream_order(upstream):
    return [n.originator_id for n in upstream.recorder.select_notifications(1, 1000)]


def test_events_arriving_out_of_order_are_applied_in_order(upstream, downstream):
    for _ in range(4):
        fakes.register(upstream)
    bodies = published(upstream)
    follower = follower_of(upstream, downstream)
    for body in (bodies[2], bodies[0], bodies[3], bodies[1]):
        follower.receive(body)
    assert recorded_order(downstream) == upstream_order(upstream)


def test_a_batch_with_duplicates_a_gap_and_junk_commits_each_event_once_in_order(upstream, downstream):
    for _ in range(6):
        fakes.register(upstream)
    b = published(upstream)
    dead = fakes.DeadLetters()
    follower = follower_of(upstream, downstream, dead_letters=dead)
    outcomes = follower.receive_many([b[0], b[0], b"junk", b[1], b[4], b[2], b[5]])
    assert outcomes == ["applied", "duplicate", "dead-lettered", "applied", "applied", "duplicate", "applied"]
    assert recorded_order(downstream) == upstream_order(upstream)
    assert downstream.position_of("intake") == 6
    assert len(dead) == 1


def test_a_batch_that_collides_with_another_instance_is_finished_without_doubles(upstream, downstream):
    for _ in range(4):
        fakes.register(upstream)
    b = published(upstream)
    slow, fast = follower_of(upstream, downstream), follower_of(upstream, downstream)
    commit = downstream.record_processing

    def other_instance_commits_first(processing):
        downstream.record_processing = commit
        fast.receive_many(b[:2])  # a standby took over and applied two while `slow` worked
        commit(processing)

    downstream.record_processing = other_instance_commits_first
    slow.receive_many(b)
    assert clients_on_record(downstream) == 4
    assert recorded_order(downstream) == upstream_order(upstream)
    assert downstream.position_of("intake") == 4


def test_positions_holding_private_events_are_not_mistaken_for_a_gap(upstream, downstream):
    first = fakes.register(upstream)
    fakes.change_languages(upstream, first)  # private: never published
    fakes.register(upstream)
    pulls = []
    follower = follower_of(upstream, downstream, pull=lambda a, u: pulls.append((a, u)) or [])
    assert [follower.receive(b) for b in published(upstream)] == ["applied", "applied"]
    assert pulls == []
    assert downstream.position_of("intake") == 3


def test_event_types_without_a_policy_still_advance_the_position(downstream):
    upstream = fakes.intake()  # language changes published, but guidance has no policy for them
    client = fakes.register(upstream)
    fakes.change_languages(upstream, client)
    follower = follower_of(upstream, downstream)
    assert [follower.receive(b) for b in published(upstream)] == ["applied", "ignored"]
    assert downstream.position_of("intake") == 2


def test_an_undecodable_message_is_dead_lettered_and_the_next_one_still_applied(upstream, downstream):
    fakes.register(upstream)
    dead = fakes.DeadLetters()
    follower = follower_of(upstream, downstream, dead_letters=dead)
    assert follower.receive(b"{not json") == "dead-lettered"
    assert follower.receive(published(upstream)[0]) == "applied"
    assert len(dead) == 1 and dead[0][1].startswith("not JSON")


def test_a_message_from_another_source_is_dead_lettered(upstream, downstream):
    fakes.register(upstream)
    body = published(upstream)[0].replace(b'"/jww/intake"', b'"/jww/referrals"')
    dead = fakes.DeadLetters()
    assert follower_of(upstream, downstream, dead_letters=dead).receive(body) == "dead-lettered"
    assert "wrong source" in dead[0][1]


def test_a_gap_the_upstream_cannot_be_asked_about_is_retried_later_not_skipped(upstream, downstream):
    for _ in range(3):
        fakes.register(upstream)

    def unreachable(after, until):
        raise ConnectionRefusedError("upstream away")

    follower = follower_of(upstream, downstream, pull=unreachable)
    with pytest.raises(ConnectionRefusedError):
        follower.receive(published(upstream)[2])
    assert downstream.position_of("intake") == 0


def test_a_position_beyond_the_upstream_s_own_log_is_dead_lettered_not_applied(upstream, downstream):
    for _ in range(3):
        fakes.register(upstream)
    dead = fakes.DeadLetters()
    follower = follower_of(upstream, downstream, dead_letters=dead, pull=lambda a, u: [])  # the log ends earlier
    assert follower.receive(published(upstream)[2]) == "dead-lettered"
    assert "beyond the upstream's head" in dead[0][1] and downstream.position_of("intake") == 0
    with pytest.raises(GapUnresolved):  # asked directly, the gap stays a gap
        follower.fill_gap(until=3)


def test_a_pulled_event_that_cannot_be_read_is_set_aside_and_passed(upstream, downstream):
    for _ in range(3):
        fakes.register(upstream)
    good = Outbox(upstream).read(after=0, limit=10)
    # Signed by intake itself, yet not readable: a publisher's bug, not a forgery.
    broken = signing.sign(dict(good[1], data={"client_id": "not-a-uuid"}), keys.signing_key("intake-events"))
    dead = fakes.DeadLetters()
    follower = follower_of(upstream, downstream, dead_letters=dead, pull=lambda a, u: [e for e in (good[0], broken) if e["jwwposition"] > a])
    assert follower.receive(encode(good[2])) == "applied"
    assert downstream.position_of("intake") == 3
    assert clients_on_record(downstream) == 2
    assert "schema violation" in dead[0][1]


def test_a_follower_that_stood_by_drops_what_the_active_one_applied_meanwhile(upstream, downstream):
    for _ in range(3):
        fakes.register(upstream)
    b = published(upstream)
    standby, active = follower_of(upstream, downstream), follower_of(upstream, downstream)
    active.receive_many(b)
    assert standby.receive_many(b) == ["duplicate"] * 3  # its own position was 0 in memory
    assert clients_on_record(downstream) == 3


def test_catching_up_pulls_the_whole_log_page_by_page(upstream, downstream):
    for _ in range(5):
        fakes.register(upstream)
    pulls = []
    outbox = Outbox(upstream)
    follower = follower_of(upstream, downstream, pull=lambda a, u: pulls.append(a) or outbox.read(after=a, until=u, limit=2))
    follower.fill_gap(until=None)
    assert downstream.position_of("intake") == follower.position == 5
    assert pulls == [0, 2, 4, 5]  # pages of two, until a page comes back empty
    assert recorded_order(downstream) == upstream_order(upstream)


def test_a_batch_ending_with_events_it_has_no_policy_for_still_advances(downstream):
    upstream = fakes.intake()  # language changes published; guidance has no policy for them
    first = fakes.register(upstream)
    fakes.change_languages(upstream, first)
    fakes.change_languages(upstream, first)
    follower = follower_of(upstream, downstream)
    assert follower.receive_many(published(upstream)) == ["applied", "ignored", "ignored"]
    assert downstream.position_of("intake") == 3
    assert clients_on_record(downstream) == 1


def test_a_second_collision_while_recommitting_one_by_one_leaves_the_rest_for_redelivery(upstream, downstream):
    for _ in range(3):
        fakes.register(upstream)
    b = published(upstream)
    follower = follower_of(upstream, downstream)
    commit = downstream.record_processing
    outcomes = iter(["collide", "commit", "collide"])

    def colliding(processing):
        if next(outcomes, "commit") == "collide":
            raise IntegrityError("an aggregate changed under us")
        commit(processing)

    downstream.record_processing = colliding
    with pytest.raises(IntegrityError):
        follower.receive_many(b)  # the batch collides, the first alone commits, the second collides
    assert downstream.position_of("intake") == 1
    assert follower.receive_many(b) == ["duplicate", "applied", "applied"]  # the broker redelivers
    assert clients_on_record(downstream) == 3
    assert recorded_order(downstream) == upstream_order(upstream)


@pytest.mark.parametrize("forge, reason", [
    (lambda e: {k: v for k, v in e.items() if k != signing.ATTRIBUTE}, "unsigned"),
    (lambda e: {**e, "data": {**e["data"], "languages": ["ar"]}}, "does not hold"),
    (lambda e: signing.sign({k: v for k, v in e.items() if k != signing.ATTRIBUTE},
                            keys.signing_key("referrals-events")), "unknown key"),
], ids=["unsigned", "tampered", "signed by another service"])
def test_a_forged_event_is_dead_lettered_with_its_reason_and_never_applied(upstream, downstream, forge, reason):
    fakes.register(upstream)
    (genuine,) = Outbox(upstream).read(after=0, limit=10)
    dead = fakes.DeadLetters()
    follower = follower_of(upstream, downstream, dead_letters=dead)
    assert follower.receive(encode(forge(genuine))) == "dead-lettered"
    assert "bad signature" in dead[0][1] and reason in dead[0][1]
    assert downstream.position_of("intake") == 0 and clients_on_record(downstream) == 0
    assert follower.receive(encode(genuine)) == "applied"  # the genuine one still is


def test_reads_of_a_file_between_events_are_no_gap_for_a_follower_of_the_events(upstream, downstream):
    first = fakes.register(upstream)
    upstream.client_file(COORDINATOR, first, "complaint")  # on the access stream, between two events
    fakes.register(upstream)
    pulls = []
    follower = follower_of(upstream, downstream, pull=lambda after, until: pulls.append((after, until)) or [])
    assert [follower.receive(body) for body in published(upstream)] == ["applied", "applied"]
    assert pulls == [] and clients_on_record(downstream) == 2


def test_a_read_delivered_on_the_events_feed_is_dead_lettered_even_when_genuinely_signed(upstream, downstream):
    client = fakes.register(upstream)
    upstream.client_file(COORDINATOR, client, "complaint")
    (read,) = Outbox(upstream).read(after=0, limit=10, streams=(ACCESS,))
    dead = fakes.DeadLetters()
    follower = follower_of(upstream, downstream, dead_letters=dead)
    assert follower.receive(encode(read)) == "dead-lettered"
    assert "wrong stream" in dead[0][1]


def test_only_audit_may_follow_an_access_stream(upstream, downstream):
    with pytest.raises(ValueError, match="only audit reads access streams"):
        Follower(downstream, "guidance", "intake.access", downstream.policies(), pull=lambda a, u: [],
                 dead_letter=fakes.DeadLetters())
    audit = AuditApplication(env=fakes.IN_MEMORY)
    client = fakes.register(upstream)
    upstream.client_file(COORDINATOR, client, "complaint")
    link = fakes.Link(audit, upstream, "intake.access")
    link.deliver()
    assert audit.position_of("intake.access") == 2 and audit.position_of("intake") == 0


def test_a_commit_that_took_effect_though_its_connection_died_is_not_applied_again_by_the_catch_up():
    # PostgreSQL's connection killed during COMMIT: the transaction is stored, the
    # follower is told it failed, reconnects, and catches up from the upstream's log.
    # Audit adds entries to a client's timeline that already exists, so no version
    # collides: only the position tells they are in. The full fault campaign once found
    # audit with one entry twice this way.
    upstream = fakes.intake()  # languages published: each change is an entry on the timeline
    audit = AuditApplication(env=fakes.IN_MEMORY)
    outbox = Outbox(upstream)
    follower = Follower(audit, "audit", "intake", audit.policies(), dead_letter=fakes.DeadLetters(),
                        pull=lambda after, until: outbox.read(after=after, until=until, limit=10))
    client_id = fakes.register(upstream)
    follower.receive_many(published(upstream))  # the timeline exists
    fakes.change_languages(upstream, client_id)
    fakes.change_languages(upstream, client_id)
    record = audit.record_processing

    def committed_then_lost(processing):
        record(processing)
        raise ConnectionError("server closed the connection unexpectedly")

    audit.record_processing = committed_then_lost
    with pytest.raises(ConnectionError):
        follower.receive_many(published(upstream)[1:])
    audit.record_processing = record
    fakes.change_languages(upstream, client_id)  # the upstream went on meanwhile
    follower.fill_gap(until=None)  # what the consumer does when it reconnects
    entries = [e.event_id for e in audit.stored(Timeline.EntryRecorded)]
    assert len(entries) == len(set(entries)) == upstream.head()
