"""The RabbitMQ side shared by the comparisons: a routed, durable queue to publish
into, and the raw ways of publishing (with confirms, and without) that the relay is
held against."""
from __future__ import annotations

import time

import amqp
import kombu

from bench.resources import Resources
from shared import messaging
from tests.support.broker import connect

Message = tuple[str, bytes, str]  # (routing key, body, message id), as the relay publishes


class Sink:
    """A durable topic exchange with a durable queue bound to everything on it, in
    the vhost of ``uri``: published messages are really routed and persisted. The
    queue is deleted on the Resources' exit."""

    def __init__(self, res: Resources, uri: str, exchange: str, queue: str, queue_type: str = "classic"):
        self.uri, self.exchange, self.queue = uri, exchange, queue
        self.connection = res.closing(connect(uri))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
        self.channel.queue_declare(
            queue, durable=True, auto_delete=False, arguments=messaging.queue_arguments(queue_type)
        )
        self.channel.queue_bind(queue, exchange, routing_key="#")
        res.callback(self._delete)

    def _delete(self) -> None:
        try:
            self.channel.queue_delete(self.queue)
        except Exception:  # the vhost's deletion takes it anyway
            pass

    def count(self) -> int:
        _, messages, _ = self.channel.queue_declare(self.queue, passive=True)
        return messages

    def purge(self) -> None:
        self.channel.queue_purge(self.queue)

    def expect(self, count: int, what: str, within: float = 10.0) -> None:
        """Check that ``count`` messages were routed to the queue, then empty it. An
        unconfirmed publisher is done before the queue has them all: it gets ``within``
        seconds (untimed); a confirmed one's are all there at once."""
        deadline = time.monotonic() + within
        while (found := self.count()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        self.purge()
        if found != count:
            raise AssertionError(f"{what}: {found} messages reached the queue, expected {count}")


def kombu_confirmed(uri: str, exchange: str, messages: list[Message]) -> float:
    """kombu's own publish with ``confirm_publish=True``: each publish waits for its
    confirm. Returns the seconds taken (connection set up beforehand)."""
    with kombu.Connection(uri, transport_options={"confirm_publish": True}) as connection:
        producer = kombu.Producer(
            connection.channel(), exchange=kombu.Exchange(exchange, type="topic", durable=True)
        )
        started = time.perf_counter()
        for routing_key, body, message_id in messages:
            producer.publish(
                body, routing_key=routing_key, content_type=messaging.CONTENT_TYPE,
                delivery_mode=2, message_id=message_id, retry=False,
            )
        return time.perf_counter() - started


class _Confirms:
    """Which delivery tags the broker has confirmed, multiple or one by one."""

    def __init__(self) -> None:
        self.upto = 0  # every tag <= upto is confirmed
        self.singles: set[int] = set()
        self.nacked = False

    def ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self.upto = max(self.upto, delivery_tag)
        else:
            self.singles.add(delivery_tag)
        while self.upto + 1 in self.singles:
            self.upto += 1
            self.singles.discard(self.upto)

    def nack(self, delivery_tag: int, multiple: bool) -> None:
        self.nacked = True
        self.ack(delivery_tag, multiple)


def amqp_windowed(uri: str, exchange: str, messages: list[Message], window: int) -> float:
    """Raw py-amqp: publish ``window`` messages unconfirmed, then wait for all their
    confirms (``basic.ack`` callbacks), and so on. Returns the seconds taken."""
    connection = connect(uri)
    try:
        channel = connection.channel()
        channel.confirm_select()
        confirms = _Confirms()
        channel.events["basic_ack"].add(confirms.ack)
        channel.events["basic_nack"].add(confirms.nack)
        tag = 0
        started = time.perf_counter()
        for start in range(0, len(messages), window):
            for routing_key, body, message_id in messages[start:start + window]:
                channel.basic_publish(
                    amqp.Message(body, content_type=messaging.CONTENT_TYPE, delivery_mode=2, message_id=message_id),
                    exchange=exchange, routing_key=routing_key,
                )
                tag += 1
            while confirms.upto < tag:
                connection.drain_events(timeout=30)
        elapsed = time.perf_counter() - started
        if confirms.nacked:
            raise AssertionError("the broker nacked a message")
        return elapsed
    finally:
        connection.close()


def amqp_unconfirmed(uri: str, exchange: str, messages: list[Message]) -> float:
    """Raw py-amqp: persistent messages published without confirms, the fastest a
    publisher can hand them over (nothing says the broker kept them). Returns the
    seconds taken; the caller's Sink checks they all arrived."""
    connection = connect(uri)
    try:
        channel = connection.channel()
        started = time.perf_counter()
        for routing_key, body, message_id in messages:
            channel.basic_publish(
                amqp.Message(body, content_type=messaging.CONTENT_TYPE, delivery_mode=2, message_id=message_id),
                exchange=exchange, routing_key=routing_key,
            )
        return time.perf_counter() - started
    finally:
        connection.close()
