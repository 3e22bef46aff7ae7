"""The consumer watchdog against the real broker: it reads a queue's consumers with a
passive declare, and when the consumer it watches is gone from the broker while its
connection lives on (what a mirrored queue's failover once did), the process exits to
be started again."""
from types import SimpleNamespace

import pytest
from nameko.messaging import QueueConsumer

from shared import watchdog
from tests.support import broker


@pytest.fixture
def vhost_uri():
    name, uri = broker.create_vhost()
    yield uri
    broker.delete_vhost(name)


class Provider:  # what nameko's RPC entrypoint is to its queue consumer: a queue
    queue = SimpleNamespace(name="rpc-watched")


def test_a_consumer_the_broker_dropped_makes_the_process_exit(vhost_uri):
    queue_consumer = QueueConsumer()
    queue_consumer.container = SimpleNamespace(config={"AMQP_URI": vhost_uri})
    consuming = broker.connect(vhost_uri)
    channel = consuming.channel()
    channel.queue_declare("rpc-watched", auto_delete=False)
    tag = channel.basic_consume("rpc-watched", callback=lambda message: None)
    provider = Provider()
    queue_consumer._consumers = {provider: object()}
    queue_consumer._consumers_ready.send(None)
    dog = watchdog.for_container(SimpleNamespace(extensions={queue_consumer}))
    exits = []
    dog.exit = exits.append
    try:
        dog.check()
        dog.check()
        assert dog.misses == {}  # the broker counts our consumer: nothing to do

        channel.basic_cancel(tag)  # gone from the broker; the connection lives on
        dog.check()
        dog.check()
        assert exits == [] and dog.misses == {"rpc-watched": 2}
        dog.check()
        assert exits == [watchdog.EXIT_STATUS]
    finally:
        try:
            consuming.collect()
        except Exception:
            pass
