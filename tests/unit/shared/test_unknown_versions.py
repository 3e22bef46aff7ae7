"""WAVE2 18: an event version a follower does not know, of a fact it acts on, stops
that upstream (nothing at or after it applied, its position kept, a metric set); a
type it acts on in no version is passed. An upgraded follower goes on from the stop."""
import kombu
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from prometheus_client import REGISTRY

from services.audit.application import AuditApplication
from shared import config, keys, signing
from shared.consumer import UpstreamConsumer
from shared.contracts import CATALOGUE, encode, event_type
from shared.contracts.base import ACCESS, EVENTS
from shared.follower import Follower, UnknownVersion, fact_of
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.samples import COORDINATOR

V1, V2 = event_type("intake", "consent-given", 1), event_type("intake", "consent-given", 2)
OLD_BUILD = set(CATALOGUE) - {V2}  # guidance's catalogue before intake published consent-given.v2


@pytest.fixture
def upstream():
    """Intake's log: a client (1), a consent given in v2 (2) and beside it in v1 (3), a client (4)."""
    app = fakes.intake()
    first = fakes.register(app)
    app.give_consent(fakes.ACTOR, first, "family", "family_involvement", ["identity"])
    fakes.register(app)
    return app


@pytest.fixture
def downstream():
    return fakes.guidance()


def published(upstream) -> list[bytes]:
    return [encode(e) for e in Outbox(upstream).read(after=0, limit=100)]


def pull_of(upstream, pulls=None):
    outbox = Outbox(upstream)

    def pull(after, until):
        if pulls is not None:
            pulls.append((after, until))
        return outbox.read(after=after, until=until, limit=100)

    return pull


def old_follower(upstream, downstream, dead=None, pulls=None) -> Follower:
    """Guidance as built before consent-given.v2: it knows and acts on v1 only."""
    policies = {t: p for t, p in downstream.reactions().items() if t != V2}
    return Follower(downstream, "guidance", "intake", policies, pull=pull_of(upstream, pulls),
                    dead_letter=dead if dead is not None else fakes.DeadLetters(), known=OLD_BUILD)


def stopped(reason="unknown_version") -> float | None:
    return REGISTRY.get_sample_value("jww_follower_stopped",
                                     {"service": "guidance", "upstream": "intake", "reason": reason})


def clients_on_record(app) -> int:
    return sum(1 for n in app.recorder.select_notifications(1, 1000) if n.topic.endswith("ClientOnRecord.Recorded"))


def test_the_fact_of_a_type_is_its_name_without_the_version():
    assert fact_of(V2) == fact_of(V1) == "be.jww.intake.consent-given"


def test_an_unknown_version_of_a_fact_acted_on_stops_the_upstream_before_it(upstream, downstream):
    follower = old_follower(upstream, downstream)
    with pytest.raises(UnknownVersion) as stop:
        follower.receive_many(published(upstream))
    assert (stop.value.type, stop.value.position) == (V2, 2)
    assert downstream.position_of("intake") == 1  # the client before it, and nothing from it on
    assert clients_on_record(downstream) == 1
    assert stopped() == 1
    with pytest.raises(UnknownVersion):  # redelivered: the same stop, nothing more applied
        follower.receive_many(published(upstream)[1:])
    assert downstream.position_of("intake") == 1 and stopped() == 1


def test_the_upgraded_follower_goes_on_from_the_stop_and_loses_nothing(upstream, downstream):
    with pytest.raises(UnknownVersion):
        old_follower(upstream, downstream).receive_many(published(upstream))
    upgraded = Follower(downstream, "guidance", "intake", downstream.reactions(), pull=pull_of(upstream),
                        dead_letter=fakes.DeadLetters())
    assert stopped() == 0  # a new process starts clear
    assert upgraded.receive_many(published(upstream)) == ["duplicate", "applied", "ignored", "applied"]
    assert downstream.position_of("intake") == 4 and clients_on_record(downstream) == 2


def test_an_unknown_version_met_while_filling_a_gap_stops_there_too(upstream, downstream):
    pulls = []
    follower = old_follower(upstream, downstream, pulls=pulls)
    last = published(upstream)[-1]  # 2 and 3 were lost on the way: the gap is pulled
    with pytest.raises(UnknownVersion):
        follower.receive(last)
    assert pulls and downstream.position_of("intake") == 1 and stopped() == 1
    with pytest.raises(UnknownVersion):  # catching up on a new connection meets it again
        follower.fill_gap(until=None)
    assert downstream.position_of("intake") == 1


def test_a_type_not_acted_on_in_any_version_is_passed_even_unknown(upstream, downstream):
    """Guidance as built before intake published consents at all."""
    policies = {t: p for t, p in downstream.reactions().items() if fact_of(t) != fact_of(V1)}
    follower = Follower(downstream, "guidance", "intake", policies, pull=pull_of(upstream),
                        dead_letter=(dead := fakes.DeadLetters()), known=set(CATALOGUE) - {V1, V2})
    assert follower.receive_many(published(upstream)) == ["applied", "ignored", "ignored", "applied"]
    assert downstream.position_of("intake") == 4 and dead == [] and stopped() == 0


def test_a_known_version_without_a_policy_is_ignored_not_a_stop(upstream, downstream):
    """Sharing reads consent-given.v2 only, while intake publishes v1 beside it."""
    policies = {t: p for t, p in downstream.reactions().items() if t != V1}
    follower = Follower(downstream, "guidance", "intake", policies, pull=pull_of(upstream),
                        dead_letter=fakes.DeadLetters())
    assert follower.receive_many(published(upstream))[2] == "ignored"
    assert downstream.position_of("intake") == 4


def test_a_forged_unknown_version_is_dead_lettered_not_a_stop(upstream, downstream):
    genuine = Outbox(upstream).read(after=0, limit=100)
    made_up_key = keys.SigningKey("intake-events", Ed25519PrivateKey.generate())  # a forger's own
    forged = signing.sign({**genuine[1], "data": {}}, made_up_key)
    dead = fakes.DeadLetters()
    follower = old_follower(upstream, downstream, dead=dead)
    assert follower.receive_many([encode(genuine[0]), encode(forged)]) == ["applied", "dead-lettered"]
    assert "bad signature" in dead[0][1] and stopped() == 0


def test_the_consumer_acknowledges_nothing_of_a_batch_that_stops(upstream, downstream, monkeypatch):
    policies = {t: p for t, p in downstream.reactions().items() if t != V2}
    monkeypatch.setattr(downstream, "reactions", lambda: policies)
    consumer = UpstreamConsumer(config.load("guidance", env={}), "intake", downstream, pull=pull_of(upstream),
                                connection=kombu.Connection("memory://"), known=OLD_BUILD)
    acks = []

    class Delivery:
        def __init__(self, body):
            self.body = body

        def ack(self, multiple=False):
            acks.append(self)

    for body in published(upstream):
        consumer._on_message(Delivery(body))
    with pytest.raises(UnknownVersion):
        consumer._flush()
    assert acks == [] and downstream.position_of("intake") == 1  # the broker delivers them again


def test_the_other_upstreams_of_a_stopped_follower_go_on(upstream):
    """Audit, built before consent-given.v2, follows intake's events and its access log."""
    audit = AuditApplication(env=fakes.IN_MEMORY)
    policies = {t: p for t, p in audit.reactions().items() if t != V2}
    outbox = Outbox(upstream)
    follower_of = {
        feed: Follower(audit, "audit", feed, policies, dead_letter=fakes.DeadLetters(), known=OLD_BUILD,
                       pull=lambda after, until, streams=streams: outbox.read(after=after, until=until, limit=100,
                                                                             streams=streams))
        for feed, streams in (("intake", (EVENTS,)), ("intake.access", (ACCESS,)))
    }
    with pytest.raises(UnknownVersion):
        follower_of["intake"].fill_gap(until=None)
    upstream.client_file(COORDINATOR, fakes.register(upstream), "complaint")  # a read, after the stop
    follower_of["intake.access"].fill_gap(until=None)
    assert audit.position_of("intake") == 1
    assert audit.position_of("intake.access") == outbox.last_published_at_or_before(upstream.head(), ACCESS) > 0
    assert REGISTRY.get_sample_value("jww_follower_stopped", {"service": "audit", "upstream": "intake.access",
                                                              "reason": "unknown_version"}) == 0
