"""A serve process checks, every few seconds, that the broker still holds a consumer
on each queue the process believes it consumes (its ``rpc-<service>`` queue; the
gateway's reply queue), and repairs it when not.

Why: on a RabbitMQ cluster, a node stopping while a classic mirrored queue failed
over once left ``rpc-guidance`` with no consumer while guidance's consumer went on
waiting on a live connection; no cancel came (the fault campaign saw minutes of
503s). The consumers ask to be told of a failover (``x-cancel-on-ha-failover``,
shared/messaging.py), and this is the check behind it: a queue without a consumer on
two checks in a row has its consumer's connection cut, so that kombu reconnects and
consumes again; still without one after two more, the process exits (status 70) and
its supervisor (``jww run``, compose, Kubernetes) starts it again. Messages are
acknowledged only after their work is committed, so a cut or an exit loses nothing.

The count comes from a passive declare on a short connection of its own: the queue's
consumers on every node, so with several replicas one replica's lost consumer goes
unnoticed while the others serve (the service still answers).
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Callable

log = logging.getLogger(__name__)

CHECK_SECONDS = 10.0
CUT_AFTER = 2  # checks in a row without a consumer before the connection is cut
EXIT_AFTER = 4  # ... and before the process gives up and exits
EXIT_STATUS = 70  # EX_SOFTWARE: the supervisor starts the process again


class Watchdog:
    """``consumers()`` gives {queue name: the kombu Consumer consuming it};
    ``count(name)`` the broker's number of consumers on it (None: the broker could
    not be asked, which is no evidence either way)."""

    def __init__(self, consumers: Callable[[], dict], count: Callable[[str], int | None],
                 exit: Callable[[int], None] = os._exit):
        self.consumers = consumers
        self.count = count
        self.exit = exit
        self.misses: dict[str, int] = {}

    def check(self) -> None:
        for name, consumer in self.consumers().items():
            found = self.count(name)
            if found is None or found > 0:
                self.misses.pop(name, None)
                continue
            missed = self.misses[name] = self.misses.get(name, 0) + 1
            if missed == CUT_AFTER:
                log.warning("the broker holds no consumer on a queue this process consumes: reconnecting",
                            extra={"queue": name})
                cut(consumer)
            elif missed >= EXIT_AFTER:
                log.error("the broker still holds no consumer on a queue this process consumes: exiting, "
                          "to be started again", extra={"queue": name})
                self.exit(EXIT_STATUS)


def cut(consumer) -> None:
    """Shut the consumer's socket: its blocked read fails, and kombu's consumer loop
    opens a new connection and consumes again."""
    try:
        sock = consumer.channel.connection.sock
        sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass  # already closed: the loop is reconnecting


def for_container(container) -> Watchdog:
    """The watchdog of a running nameko container: the queues of its shared
    QueueConsumer (the service's RPC queue, the gateway's reply queue)."""
    from nameko.messaging import QueueConsumer

    queue_consumer = next(e for e in container.extensions if isinstance(e, QueueConsumer))

    def consumers() -> dict:
        if not queue_consumer._consumers_ready.ready():
            return {}  # starting: nothing to check yet
        return {provider.queue.name: consumer for provider, consumer in list(queue_consumer._consumers.items())}

    def count(name: str) -> int | None:
        try:
            with queue_consumer.connection as connection:  # the same parameters as the consumer's own
                connection.ensure_connection(max_retries=1)
                channel = connection.channel()
                try:
                    return channel.queue_declare(queue=name, passive=True).consumer_count
                except connection.channel_errors:
                    return 0  # the queue is gone (a reply queue expires with its consumer)
        except Exception:  # the broker did not answer: a restart the consumer will notice itself
            return None

    return Watchdog(consumers, count)


def watch(container, seconds: float = CHECK_SECONDS) -> None:
    """Check every ``seconds`` in a green thread of the container, for its lifetime."""
    import eventlet

    watchdog = for_container(container)

    def forever():
        while True:
            eventlet.sleep(seconds)
            try:
                watchdog.check()
            except Exception as error:  # a check that fails must not stop the service it watches
                log.warning("the consumer check failed", extra={"error": type(error).__name__})

    container.spawn_managed_thread(forever, identifier="consumer-watchdog")
