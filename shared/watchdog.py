"""A serve process checks, every few seconds, that the broker still holds a consumer
on each queue the process believes it consumes (its ``rpc-<service>`` queue; the
gateway's reply queue), and exits to be started again when it does not.

Why: on a RabbitMQ cluster, a node stopping while a classic mirrored queue failed
over once left ``rpc-guidance`` with no consumer while guidance's consumer went on
waiting on a live connection; no cancel came (the fault campaign saw minutes of
503s). The consumers ask to be told of a failover (``x-cancel-on-ha-failover``,
shared/messaging.py), and this is the check behind it: a queue without a consumer on
three checks in a row makes the process exit (status 70), and its supervisor (``jww
run``, compose, Kubernetes) starts it again, with new connections and consumers.
Cutting the consumer's connection instead was tried in the campaign and did not bring
the consumer back; a new process did, within seconds. Messages are acknowledged only
after their work is committed, so an exit loses nothing.

The count comes from a passive declare on a short connection of its own: the queue's
consumers on every node, so with several replicas one replica's lost consumer goes
unnoticed while the others serve (the service still answers).
"""
from __future__ import annotations

import logging
import os
from typing import Callable

log = logging.getLogger(__name__)

CHECK_SECONDS = 10.0
# Checks in a row without a consumer before the process exits: a consumer that is
# reconnecting after a broker restart is back well within two.
EXIT_AFTER = 3
EXIT_STATUS = 70  # EX_SOFTWARE: the supervisor starts the process again


class Watchdog:
    """``queues()`` gives the names of the queues the process consumes now;
    ``count(name)`` the broker's number of consumers on one (None: the broker could
    not be asked, which is no evidence either way)."""

    def __init__(self, queues: Callable[[], list[str]], count: Callable[[str], int | None],
                 exit: Callable[[int], None] = os._exit):
        self.queues = queues
        self.count = count
        self.exit = exit
        self.misses: dict[str, int] = {}

    def check(self) -> None:
        for name in self.queues():
            found = self.count(name)
            if found is None or found > 0:
                self.misses.pop(name, None)
                continue
            self.misses[name] = self.misses.get(name, 0) + 1
            if self.misses[name] >= EXIT_AFTER:
                log.error("the broker holds no consumer on a queue this process consumes: exiting, to be started "
                          "again", extra={"queue": name})
                self.exit(EXIT_STATUS)


def for_container(container) -> Watchdog:
    """The watchdog of a running nameko container: the queues of its shared
    QueueConsumer (the service's RPC queue, the gateway's reply queue)."""
    from nameko.messaging import QueueConsumer

    queue_consumer = next(e for e in container.extensions if isinstance(e, QueueConsumer))

    def queues() -> list[str]:
        if not queue_consumer._consumers_ready.ready():
            return []  # starting: nothing to check yet
        return [provider.queue.name for provider in list(queue_consumer._consumers)]

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

    return Watchdog(queues, count)


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
