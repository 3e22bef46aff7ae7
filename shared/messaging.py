"""RabbitMQ topology and a publisher that waits for the broker's confirms.

Each service publishes to two durable topic exchanges, with the CloudEvents type as
routing key: ``jww.<service>.events`` for what it did, which any follower may bind,
and ``jww.<service>.access`` for who read a client's file and why, which only
audit's queues are bound to (WAVE2 17). Each is a *feed* with its own chain of
positions: ``<service>`` and ``<service>.access``.

Each follower has one durable queue per feed it follows,
``jww.<follower>.from.<feed>``, with a single active consumer (order matters per
feed; extra instances stand by), and a dead-letter queue beside it.

``jww broker setup`` makes all of these (shared/topology.py); a runtime process
declares them passively, since its broker user may not configure them: a missing
one is an error that names it, not something a process quietly creates.
"""
from __future__ import annotations

import time
import uuid
from typing import Iterable, Iterator
from urllib.parse import unquote, urlparse

import amqp
from kombu import Exchange, Queue
from kombu.utils.functional import fxrange

from shared import config
from shared.contracts.base import ACCESS, EVENTS, STREAMS  # noqa: F401 (a service's two streams)

DEAD_LETTER_EXCHANGE = "jww.dead-letters"
CONTENT_TYPE = "application/cloudevents+json"

# How long the relay and the followers wait before trying again, growing after each
# failure in a row, in the arguments of kombu's retry_over_time. Its default (2 s
# growing to 30 s) would leave a follower idle for half a minute after a broker
# restart that takes a few seconds.
PAUSES = {"interval_start": 0.2, "interval_step": 1.0, "interval_max": 5.0}


def pauses() -> Iterator[float]:
    """The pauses of ``PAUSES`` one after the other, as retry_over_time takes them."""
    start, step, most = PAUSES["interval_start"], PAUSES["interval_step"], PAUSES["interval_max"]
    return (min(pause, most) for pause in fxrange(start, most + start, step, repeatlast=True))


# The one service whose followers may read the access streams.
ACCESS_READER = "audit"
# The RPC a follower pulls a gap of each stream from (shared.service.ServiceBase).
PULLS = {EVENTS: "integration_events", ACCESS: "access_events"}


def exchange_name(service: str, stream: str = EVENTS) -> str:
    return f"jww.{service}.{stream}"


def feed_name(service: str, stream: str = EVENTS) -> str:
    """What a follower names in its ``follows``: ``intake`` or ``intake.access``."""
    return service if stream == EVENTS else f"{service}.{stream}"


def feed_parts(feed: str) -> tuple[str, str]:
    """``(service, stream)`` of a feed name; refuses a stream that does not exist."""
    service, _, stream = feed.partition(".")
    stream = stream or EVENTS
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r} in feed {feed!r}: one of {', '.join(STREAMS)}")
    return service, stream


def followed(follower: str, feed: str) -> tuple[str, str]:
    """``(service, stream)`` of a feed ``follower`` may follow; refuses an access
    stream to any follower but audit."""
    service, stream = feed_parts(feed)
    if stream == ACCESS and follower != ACCESS_READER:
        raise ValueError(f"{follower} may not follow {feed}: only {ACCESS_READER} reads access streams")
    return service, stream


def queue_name(follower: str, feed: str) -> str:
    return f"jww.{follower}.from.{feed}"


def dead_letter_queue_name(follower: str, feed: str) -> str:
    return queue_name(follower, feed) + ".dead"


def queue_arguments(queue_type: str) -> dict:
    return {"x-single-active-consumer": True, "x-queue-type": queue_type}


def follower_queue(follower: str, feed: str, queue_type: str) -> Queue:
    """Everything published on the feed (``#``, so a lost message shows as a gap)."""
    return Queue(
        queue_name(follower, feed),
        exchange=Exchange(exchange_name(*followed(follower, feed)), type="topic", durable=True, passive=True),
        routing_key="#",
        durable=True,
        queue_arguments=queue_arguments(queue_type),
        no_declare=True,
    )


def dead_letter_queue(follower: str, feed: str) -> Queue:
    """Where the follower sets aside what it cannot read; the routing key names the
    queue the message came from."""
    return Queue(
        dead_letter_queue_name(follower, feed),
        exchange=Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True, passive=True),
        routing_key=queue_name(follower, feed),
        durable=True,
        no_declare=True,
    )


def passive_rpc_exchange() -> None:
    """Make nameko check that its RPC exchange exists instead of declaring it.

    nameko declares ``nameko-rpc`` each time it declares an RPC or reply queue; a
    declaration that is not passive needs the configure permission on the exchange,
    and with it the right to delete it, which would let any process stop every
    RPC. The exchange belongs to ``jww broker setup``; a process that runs nameko
    containers calls this once, before starting them.
    """
    import nameko.rpc

    declared = nameko.rpc.get_rpc_exchange
    if getattr(declared, "passive", False):
        return

    def get_rpc_exchange(config):
        exchange = declared(config)
        exchange.passive = True
        return exchange

    get_rpc_exchange.passive = True
    nameko.rpc.get_rpc_exchange = get_rpc_exchange


def masked_failover_logs() -> None:
    """nameko logs the broker address when it cannot connect, its password masked by
    ``sanitize_url``, which masks the first address of a failover list only
    (shared/config.py): each address is masked here. Called by transient_rpc."""
    import nameko.messaging
    from nameko.utils import sanitize_url

    if getattr(nameko.messaging.sanitize_url, "failover", False):
        return

    def sanitize_each(url):
        return config.FAILOVER_SEPARATOR.join(sanitize_url(address) for address in
                                              str(url).split(config.FAILOVER_SEPARATOR))

    sanitize_each.failover = True
    nameko.messaging.sanitize_url = sanitize_each


def transient_rpc() -> None:
    """Make every RPC request and reply nameko sends in this process non-persistent
    (delivery mode 1; nameko's default is 2): they carry names, notes and answers,
    and must never reach the broker's disk (WAVE2 12). A request lost in a broker
    restart is the caller's time-out and retry (shared/once.py makes a retry safe).
    Called by every process before it starts nameko containers or proxies."""
    import nameko.rpc
    from nameko.amqp.publish import Publisher
    from nameko.constants import NON_PERSISTENT

    masked_failover_logs()  # every process calls this one before nameko can log an address
    if getattr(nameko.rpc.MethodProxy.publisher_cls, "transient", False):
        return

    class TransientPublisher(Publisher):
        delivery_mode = NON_PERSISTENT
        transient = True

    nameko.rpc.MethodProxy.publisher_cls = TransientPublisher
    nameko.rpc.Responder.publisher_cls = TransientPublisher
    _cancelled_on_failover(nameko.rpc.RpcConsumer)
    _cancelled_on_failover(nameko.rpc.ReplyListener)


def _cancelled_on_failover(extension) -> None:
    """Ask the broker to cancel the extension's consumer when its mirrored queue fails
    over to another node (``x-cancel-on-ha-failover``). Without it a consumer can be
    dropped by the failover while the client goes on waiting on a live connection:
    seen in the fault campaign, a service took no request for minutes after a node of
    the cluster stopped. Cancelled, kombu's consumer loop reconnects and consumes again.
    A single node, or a queue that is not mirrored, ignores the argument."""
    setup = extension.setup

    def setup_with_cancel_notification(self):
        setup(self)
        self.queue.consumer_arguments = {**(self.queue.consumer_arguments or {}), "x-cancel-on-ha-failover": True}

    extension.setup = setup_with_cancel_notification


def connection_params(uri: str, ca_file: str | None = None) -> dict:
    """py-amqp's arguments for ``uri`` (for a failover list, its first address); TLS
    for ``amqps://``, verified against ``ca_file`` (by default ``JWW_AMQP_CA_FILE``,
    as for every other connection)."""
    parts = urlparse(config.alternatives(uri)[0])
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    tls = config.tls_options(parts.geturl(), config.amqp_ca_file() if ca_file is None else ca_file)
    return {
        "host": f"{parts.hostname or '127.0.0.1'}:{parts.port or (5671 if tls else 5672)}",
        "userid": unquote(parts.username or "guest"),
        "password": unquote(parts.password or "guest"),
        "virtual_host": vhost,
        "ssl": tls or False,
    }


def connect(uri: str, ca_file: str | None = None, first: int = 0, **options) -> tuple[amqp.Connection, int]:
    """A py-amqp connection to the first node of ``uri`` that answers, trying each
    address of a failover list in turn from the ``first``-th (kombu does the same for
    its own connections); the connection and the index of the address it reached.
    Raises the last address's error when none answers."""
    addresses = config.alternatives(uri)
    error: Exception | None = None
    for step in range(len(addresses)):
        index = (first + step) % len(addresses)
        connection = amqp.Connection(**connection_params(addresses[index], ca_file), **options)
        try:
            connection.connect()
        except Exception as failure:  # this node is away: the next one may answer
            error = failure
            try:
                connection.collect()
            except Exception:  # nothing was opened: nothing to release
                pass
            continue
        return connection, index
    raise error


class PublishFailed(Exception):
    pass


class ConfirmingPublisher:
    """Publishes persistent messages to a service's exchanges, and says when the
    broker has confirmed them up to a given one.

    Batches are in flight while the caller prepares the next (publisher confirms
    are asynchronous), which is what lets confirmed publishing approach unconfirmed
    speed. kombu's own ``confirm_publish`` waits for each message's confirm in turn,
    ten times slower (DESIGN §10), so this one speaks py-amqp directly.
    """

    def __init__(self, uri: str, exchanges: tuple[str, ...], confirm_timeout: float = 30.0, heartbeat: int = 30,
                 ca_file: str | None = None):
        self.uri = uri
        self.ca_file = ca_file
        self.exchanges = exchanges
        self.confirm_timeout = confirm_timeout
        self.heartbeat = heartbeat
        self.connection: amqp.Connection | None = None
        self.channel = None
        self._unconfirmed: set[int] = set()
        self._nacked = False
        self._next_tag = 1
        self._node = 0  # the address of a failover list it reached last: tried first next time

    def connect(self) -> None:
        self.close()
        connection, self._node = connect(self.uri, self.ca_file, self._node, heartbeat=self.heartbeat,
                                         connect_timeout=5)
        channel = connection.channel()
        for exchange in self.exchanges:
            channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False, passive=True)
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self.connection, self.channel = connection, channel
        self._unconfirmed.clear()
        self._nacked = False
        self._next_tag = 1

    def _settle(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > delivery_tag}
        else:
            self._unconfirmed.discard(delivery_tag)

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True
        self._settle(delivery_tag, multiple)

    def publish(self, messages: Iterable[tuple[str, str, bytes, str]]) -> int:
        """Publish ``(exchange, routing_key, body, message_id)`` items without waiting
        for their confirms; returns the delivery tag of the last (0 for none), for
        ``await_confirms``."""
        if self.channel is None:
            self.connect()
        for exchange, routing_key, body, message_id in messages:
            message = amqp.Message(
                body, content_type=CONTENT_TYPE, delivery_mode=2, message_id=message_id
            )
            self.channel.basic_publish(message, exchange=exchange, routing_key=routing_key)
            self._unconfirmed.add(self._next_tag)
            self._next_tag += 1
        return self._next_tag - 1

    def await_confirms(self, upto: int) -> None:
        """Block until the broker has confirmed every message published up to
        delivery tag ``upto``; what was published after may still be in flight."""
        deadline = time.monotonic() + self.confirm_timeout
        while self._unconfirmed and min(self._unconfirmed) <= upto:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailed(f"{len(self._unconfirmed)} messages not confirmed in time")
            try:
                self.connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                pass
        if self._nacked:
            raise PublishFailed("the broker refused (nacked) a message")

    def keep_alive(self) -> None:
        """Serve heartbeats while idle, so the broker does not drop a quiet relay."""
        if self.connection is not None:
            self.connection.heartbeat_tick()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # already broken: nothing left to release
                pass
        self.connection = self.channel = None


def pull_proxy(service: str, config: dict, **options):
    """nameko's standalone cluster proxy, whose reply queue is named after ``service``
    (``rpc.reply-<service>-pull-<uuid>``) instead of the name every standalone proxy
    shares, so that each service's broker user may read its own replies only.

    A proxy serves one pull, and its reply queue is exclusive: it goes with the
    proxy's connection. nameko's own is durable and outlives its caller by five
    minutes; under many pulls (a follower catching up after a fault, sharing sending
    a history) thousands of them stood at once, mirrored on a cluster, and a node
    that restarted spent minutes recovering them before it took a connection."""
    import nameko.rpc
    from nameko.standalone.rpc import ClusterRpcProxy, SingleThreadedReplyListener

    class ServiceContainer(ClusterRpcProxy.ServiceContainer):
        service_name = f"{service}-pull"

    class ReplyListener(SingleThreadedReplyListener):
        def setup(self):
            name = uuid.uuid4()
            self.routing_key = str(name)
            exchange = nameko.rpc.get_rpc_exchange(self.container.config)
            exchange.passive = True  # the topology's: checked, never declared (passive_rpc_exchange)
            self.queue = Queue(nameko.rpc.RPC_REPLY_QUEUE_TEMPLATE.format(self.container.service_name, name),
                               exchange=exchange, routing_key=self.routing_key,
                               durable=False, exclusive=True, auto_delete=True)
            self.queue_consumer.register_provider(self)

    class Proxy(ClusterRpcProxy):
        pass

    Proxy.ServiceContainer = ServiceContainer
    return Proxy(config, reply_listener_cls=ReplyListener, **options)
