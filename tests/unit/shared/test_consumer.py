"""The follower's transport: batches and their acknowledgement, dead letters and
catch-up, driven with stand-in messages or over kombu's in-memory transport; and a
stop heard while the broker cannot be reached."""
import threading

import kombu
import pytest
from kombu.transport import memory
from prometheus_client import REGISTRY

from shared import config, messaging
from shared import consumer as consumer_module
from shared.consumer import UpstreamConsumer
from shared.contracts import encode
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.broker import wait_until

QUEUE, DEAD_QUEUE = "jww.guidance.from.intake", "jww.guidance.from.intake.dead"


class Delivery:
    """A delivered message as kombu hands it over, recording its acknowledgement."""

    def __init__(self, body: bytes, acks: list):
        self.body = body
        self.acks = acks

    def ack(self, multiple: bool = False) -> None:
        self.acks.append((self, multiple))


class Waiting:
    """A connection with messages already in its buffer: each drain delivers one."""

    def __init__(self, consumer: UpstreamConsumer, messages: list):
        self.consumer, self.messages = consumer, list(messages)

    def drain_events(self, timeout=None) -> None:
        if not self.messages:
            raise TimeoutError()
        self.consumer._on_message(self.messages.pop(0))


class Producer:
    def __init__(self):
        self.published = []

    def publish(self, body, **options) -> None:
        self.published.append((body, options))


@pytest.fixture
def intake():
    return fakes.intake(clients=4)


@pytest.fixture
def guidance():
    return fakes.guidance()


def consumer_of(intake, guidance, connection=None, pull=None) -> UpstreamConsumer:
    outbox = Outbox(intake)
    return UpstreamConsumer(
        config.load("guidance", env={}), "intake", guidance,
        pull=pull or (lambda after, until: outbox.read(after=after, until=until, limit=2)),
        connection=connection or kombu.Connection("memory://", transport_options={"polling_interval": 0.01}),
    )


def bodies(intake) -> list[bytes]:
    return [encode(event) for event in Outbox(intake).read(after=0, limit=100)]


def commits_of(app) -> list:
    made = []
    commit = app.record_processing
    app.record_processing = lambda processing: (made.append(processing), commit(processing))
    return made


def test_what_arrived_together_is_applied_in_one_commit_and_acknowledged_at_once(intake, guidance, monkeypatch):
    monkeypatch.setattr(consumer_module, "BATCH", 3)
    consumer, acks = consumer_of(intake, guidance), []
    first, *waiting = [Delivery(body, acks) for body in bodies(intake)]
    consumer._connection = Waiting(consumer, waiting)
    commits = commits_of(guidance)
    consumer._on_message(first)  # what kombu's own wait delivered
    consumer._take_waiting()
    consumer._flush()
    assert len(commits) == 1 and guidance.position_of("intake") == 3
    assert acks == [(waiting[1], True)]  # the third message, with all before it
    consumer._take_waiting()
    consumer._flush()
    assert len(commits) == 2 and acks[-1] == (waiting[2], True)
    assert guidance.position_of("intake") == 4


def test_nothing_is_acknowledged_when_the_batch_cannot_be_applied(intake, guidance):
    def unreachable(after, until):
        raise ConnectionRefusedError("intake away")

    consumer, acks = consumer_of(intake, guidance, pull=unreachable), []
    for body in bodies(intake)[2:]:  # the first two never arrive, and the log cannot be read
        consumer._on_message(Delivery(body, acks))
    with pytest.raises(ConnectionRefusedError):
        consumer._flush()
    assert acks == [] and guidance.position_of("intake") == 0
    assert consumer._pending == []  # the broker redelivers them on the next connection


def test_an_undecodable_message_is_dead_lettered_and_acknowledged_with_the_others(intake, guidance):
    consumer, acks = consumer_of(intake, guidance), []
    consumer._producer = producer = Producer()
    good = bodies(intake)
    for body in (good[0], b"\x00 not json", good[1]):
        consumer._on_message(Delivery(body, acks))
    consumer._flush()
    (body, options), = producer.published
    assert body == b"\x00 not json"
    assert options["exchange"].name == "jww.dead-letters" and options["routing_key"] == QUEUE
    assert options["headers"]["x-jww-reason"].startswith("not JSON")
    assert options["delivery_mode"] == 2
    assert [multiple for _, multiple in acks] == [True] and acks[0][0].body == good[1]
    assert guidance.position_of("intake") == 2


def test_a_new_connection_forgets_what_the_old_one_delivered(intake, guidance):
    consumer = consumer_of(intake, guidance)
    consumer._on_message(Delivery(bodies(intake)[0], []))
    consumer.on_connection_revived()
    consumer._flush()
    assert guidance.position_of("intake") == 0


@pytest.fixture
def memory_broker():
    """kombu's in-memory broker keeps its queues per process: start each test empty,
    with the queues `jww broker setup` makes (the follower only checks them)."""
    for name in (QUEUE, DEAD_QUEUE):
        memory.Channel.queues.pop(name, None)
    connection = kombu.Connection("memory://")
    channel = connection.channel()
    for queue in (messaging.follower_queue("guidance", "intake", "classic"),
                  messaging.dead_letter_queue("guidance", "intake")):
        exchange = kombu.Exchange(queue.exchange.name, type=queue.exchange.type, durable=True)
        kombu.Queue(queue.name, exchange=exchange, routing_key=queue.routing_key, channel=channel).declare()
    yield connection
    for name in (QUEUE, DEAD_QUEUE):
        memory.Channel.queues.pop(name, None)


def test_on_connecting_it_catches_up_from_the_upstream_log_before_consuming(intake, guidance, memory_broker):
    consumer = consumer_of(intake, guidance)
    consumer.on_consume_ready(memory_broker, memory_broker.channel(), [])
    assert guidance.position_of("intake") == 4  # in pages of two


def test_an_upstream_not_answering_yet_does_not_stop_the_connection(intake, guidance, memory_broker):
    def away(after, until):
        raise TimeoutError("intake is not answering")

    consumer = consumer_of(intake, guidance, pull=away)
    consumer.on_consume_ready(memory_broker, memory_broker.channel(), [])
    assert guidance.position_of("intake") == 0


def test_a_catch_up_that_failed_is_tried_again_though_no_message_comes(intake, guidance, memory_broker, monkeypatch):
    # After the load of the full fault campaign, an upstream had gone quiet: a catch-up
    # that met a killed database connection waited for a message that never came.
    monkeypatch.setattr(messaging, "PAUSES", {"interval_start": 0, "interval_step": 0, "interval_max": 0})
    outcomes = iter([TimeoutError("intake is not answering")])
    outbox = Outbox(intake)

    def away_once(after, until):
        failure = next(outcomes, None)
        if failure:
            raise failure
        return outbox.read(after=after, until=until, limit=2)

    consumer = consumer_of(intake, guidance, pull=away_once)
    consumer.on_consume_ready(memory_broker, memory_broker.channel(), [])
    assert guidance.position_of("intake") == 0
    consumer.on_iteration()  # kombu's loop, waiting for a delivery that does not come
    assert guidance.position_of("intake") == 4


def test_the_lag_gauge_counts_the_messages_waiting_in_the_queue(intake, guidance, memory_broker):
    channel = memory_broker.channel()
    consumer = consumer_of(intake, guidance)
    consumer.queue(channel).declare()
    producer = kombu.Producer(channel)
    for body in bodies(intake)[:3]:
        producer.publish(body, exchange=consumer.queue.exchange, routing_key="be.jww.intake.client-registered.v1")
    consumer._channel = channel
    consumer._report_lag()
    assert REGISTRY.get_sample_value("jww_consumer_lag", {"service": "guidance", "upstream": "intake"}) == 3


def running(consumer: UpstreamConsumer) -> threading.Thread:
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    return thread


def stopped(consumer: UpstreamConsumer, thread: threading.Thread) -> bool:
    """A stop is heard at the loop's next look (a service's container kills its green
    threads instead of waiting)."""
    consumer.stop()
    thread.join(consumer_module.WAKE_SECONDS + 5)
    return not thread.is_alive()


def test_over_kombus_loop_it_follows_sets_aside_junk_and_stops(intake, guidance, memory_broker):
    head = bodies(intake)
    consumer = consumer_of(intake, guidance)
    thread = running(consumer)
    wait_until(lambda: guidance.position_of("intake") == 4, timeout=5, what="the catch-up at connection")
    fakes.register(intake)
    producer = kombu.Producer(memory_broker.channel())
    for body in (b"junk", bodies(intake)[-1], head[0]):  # junk, the new event, a late duplicate
        producer.publish(body, exchange=consumer.queue.exchange, routing_key="be.jww.intake.client-registered.v1")
    wait_until(lambda: guidance.position_of("intake") == 5, timeout=5, what="the new event")
    wait_until(lambda: memory.Channel.queues[DEAD_QUEUE].qsize() == 1, timeout=5, what="the dead letter")
    assert stopped(consumer, thread)
    assert memory.Channel.queues[QUEUE].qsize() == 0


def test_a_failure_of_its_own_ends_the_connection_and_the_next_one_catches_up(
        intake, guidance, memory_broker, caplog):
    consumer = consumer_of(intake, guidance, pull=lambda after, until: [])  # nothing to catch up at first
    applied = consumer.follower.receive_many
    outage = iter([True])

    def store_away_once(messages):
        if next(outage, False):
            consumer.follower.pull = lambda after, until: Outbox(intake).read(after=after, until=until, limit=10)
            raise RuntimeError("the store went away")  # not a broker error: kombu's loop would end
        return applied(messages)

    consumer.follower.receive_many = store_away_once
    thread = running(consumer)
    producer = kombu.Producer(memory_broker.channel())
    producer.publish(bodies(intake)[0], exchange=consumer.queue.exchange, routing_key="x", declare=[consumer.queue])
    # kombu's in-memory broker does not redeliver: only the catch-up can bring it all.
    wait_until(lambda: guidance.position_of("intake") == 4, timeout=5, what="the catch-up after the failure")
    assert stopped(consumer, thread)
    assert any(r.getMessage() == "follower interrupted; reconnecting" and r.exc_info for r in caplog.records)


def test_a_stop_is_heard_while_the_broker_cannot_be_reached(intake, guidance, caplog):
    nothing_listens = kombu.Connection("amqp://guest:guest@127.0.0.1:1//", connect_timeout=0.5)
    consumer = consumer_of(intake, guidance, connection=nothing_listens)
    thread = running(consumer)
    wait_until(lambda: any(r.getMessage() == "follower interrupted; reconnecting" for r in caplog.records),
               timeout=5, what="a failed connection attempt")
    assert stopped(consumer, thread)
