"""Who may do what on the bus, and the exchanges and queues the platform needs:
one definition, which ``jww broker setup`` imports into RabbitMQ (the management
plugin's definitions format) and the tests read.

Each process kind has its own broker user, with no tags, so none can administer
the broker, and with permissions on each vhost the platform uses:

- a service's workers (``jww-<service>``, its followers run in the same process)
  answer their own RPC queue, call only the RPC their followers need (an
  upstream's ``integration_events``; audit's, an upstream's ``access_events``),
  consume only their own follower queues and dead-letter into ``jww.dead-letters``;
- a relay (``jww-<service>-relay``) writes only its own service's two exchanges
  (events and access), with routing keys of its own service's event types;
- the gateway calls the services' RPC (but not the pulls of their streams) and
  reads only its replies.

RabbitMQ checks vhost permissions against resource names, and topic permissions
against routing keys on topic exchanges: when a message is published (write) and
when a queue is bound (read). ``nameko-rpc`` carries every RPC request and reply,
so it is guarded by both: a worker can neither bind ``#`` to it nor publish to a
service it has no business calling. A user with no topic permission on a topic
exchange is not limited by routing key at all, so every user gets one on every
topic exchange it can reach.

No runtime user may configure an exchange or a follower queue: runtime processes
declare them passively; they are made here. nameko declares its own RPC queues
(a reply queue has a random name per process), so each user may configure only
queues with its own names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from shared import messaging
from shared.config import GATEWAY, SERVICES, relay_user, worker_user

RPC_EXCHANGE = "nameko-rpc"  # nameko's default (nameko/rpc.py)
# nameko names a reply queue rpc.reply-<service name>-<uuid4> and binds it with the
# uuid; a follower's pull of a gap names its proxy <service>-pull (messaging.pull_proxy).
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTHING = "^$"


def _one_of(*patterns: str) -> str:
    return f"^({'|'.join(patterns)})$" if patterns else NOTHING


def _names(*names: str) -> list[str]:
    return [re.escape(name) for name in names]


@dataclass(frozen=True)
class Grant:
    """One user's permissions on a vhost; ``topics``: exchange -> (write, read)."""
    user: str
    configure: str
    write: str
    read: str
    topics: Mapping[str, tuple[str, str]]


def topic_exchanges() -> list[str]:
    return [RPC_EXCHANGE, *(messaging.exchange_name(service, stream)
                            for service in SERVICES for stream in messaging.STREAMS)]


def _limited(topics: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Nothing by routing key on every topic exchange not named."""
    return {exchange: topics.get(exchange, (NOTHING, NOTHING)) for exchange in topic_exchanges()}


def worker_grant(service: str, follows: tuple[str, ...], prefix: str = "jww") -> Grant:
    reply_queues = rf"rpc\.reply-{re.escape(service)}(-pull)?-{UUID}"
    own_queues = [*_names(f"rpc-{service}"), reply_queues]
    followed = [rf"{re.escape(messaging.queue_name(service, feed))}(\.dead)?" for feed in follows]
    pulls = [f"{upstream}.{messaging.PULLS[stream]}"
             for upstream, stream in (messaging.followed(service, feed) for feed in follows)]
    return Grant(
        user=worker_user(service, prefix),
        configure=_one_of(*own_queues),
        write=_one_of(*_names(RPC_EXCHANGE, messaging.DEAD_LETTER_EXCHANGE), *own_queues),
        read=_one_of(*_names(RPC_EXCHANGE), *own_queues, *followed),
        topics=_limited({RPC_EXCHANGE: (
            _one_of(*_names(*pulls), UUID),
            _one_of(re.escape(f"{service}.*"), UUID),
        )}),
    )


def relay_grant(service: str, prefix: str = "jww") -> Grant:
    exchanges = [messaging.exchange_name(service, stream) for stream in messaging.STREAMS]
    return Grant(
        user=relay_user(service, prefix),
        configure=NOTHING,
        write=_one_of(*_names(*exchanges)),
        read=NOTHING,
        topics=_limited({exchange: (rf"^be\.jww\.{re.escape(service)}\.", NOTHING) for exchange in exchanges}),
    )


def gateway_grant(prefix: str = "jww") -> Grant:
    reply_queues = rf"rpc\.reply-{GATEWAY}-{UUID}"
    return Grant(
        user=worker_user(GATEWAY, prefix),
        configure=_one_of(reply_queues),
        write=_one_of(*_names(RPC_EXCHANGE), reply_queues),
        read=_one_of(*_names(RPC_EXCHANGE), reply_queues),
        topics=_limited({RPC_EXCHANGE: (
            # Any service's RPC but the pulls of its streams, which only followers make.
            _one_of(rf"({'|'.join(_names(*SERVICES))})\.(?!({'|'.join(messaging.PULLS.values())})$)[a-z_]+"),
            _one_of(UUID),
        )}),
    )


def grants(follows: Mapping[str, tuple[str, ...]], prefix: str = "jww") -> list[Grant]:
    """Every process kind's permissions, given what each service follows."""
    return [
        *(worker_grant(service, tuple(follows.get(service, ())), prefix) for service in SERVICES),
        *(relay_grant(service, prefix) for service in SERVICES),
        gateway_grant(prefix),
    ]


DAY_MS = 24 * 3600 * 1000
# How long the broker keeps what waits in a queue (policies, so that no queue is
# declared again to change them). A follower's message that expires is not lost:
# the follower pulls what it missed from its upstream's log. A dead letter is for
# ops to look at within a month; after that, and past a size, the oldest go.
FOLLOWER_MESSAGE_DAYS = 14
DEAD_LETTER_DAYS = 30
DEAD_LETTERS_AT_MOST = 100_000


def policies(vhost: str) -> list[dict]:
    return [
        {"vhost": vhost, "name": "jww-dead-letters", "pattern": r"^jww\..+\.dead$", "apply-to": "queues",
         "priority": 1, "definition": {"message-ttl": DEAD_LETTER_DAYS * DAY_MS,
                                       "max-length": DEAD_LETTERS_AT_MOST, "overflow": "drop-head"}},
        {"vhost": vhost, "name": "jww-followers", "pattern": r"^jww\..+\.from\.[a-z.]+$", "apply-to": "queues",
         "priority": 0, "definition": {"message-ttl": FOLLOWER_MESSAGE_DAYS * DAY_MS}},
    ]


def definitions(vhost: str, follows: Mapping[str, tuple[str, ...]], queue_types: Mapping[str, str],
                prefix: str = "jww") -> dict:
    """The vhost's exchanges, follower queues and their bindings, and every user's
    permissions on it, in the broker's definitions format (importing it again
    changes nothing)."""
    exchange = lambda name, kind: {  # noqa: E731
        "name": name, "vhost": vhost, "type": kind, "durable": True, "auto_delete": False,
        "internal": False, "arguments": {}}
    queue = lambda name, arguments: {  # noqa: E731
        "name": name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": arguments}
    binding = lambda source, queue_name, key: {  # noqa: E731
        "source": source, "vhost": vhost, "destination": queue_name, "destination_type": "queue",
        "routing_key": key, "arguments": {}}
    exchanges = [exchange(name, "topic") for name in topic_exchanges()]
    exchanges.append(exchange(messaging.DEAD_LETTER_EXCHANGE, "direct"))
    queues, bindings = [], []
    for follower, feeds in follows.items():
        for feed in feeds:
            name, dead = messaging.queue_name(follower, feed), messaging.dead_letter_queue_name(follower, feed)
            queues.append(queue(name, messaging.queue_arguments(queue_types[follower])))
            queues.append(queue(dead, {}))
            # Everything published on the feed, so that a lost message shows as a gap.
            bindings.append(binding(messaging.exchange_name(*messaging.followed(follower, feed)), name, "#"))
            bindings.append(binding(messaging.DEAD_LETTER_EXCHANGE, dead, name))
    the_grants = grants(follows, prefix)
    return {
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
        "policies": policies(vhost),
        "permissions": [{"user": g.user, "vhost": vhost, "configure": g.configure, "write": g.write,
                         "read": g.read} for g in the_grants],
        "topic_permissions": [{"user": g.user, "vhost": vhost, "exchange": name, "write": write, "read": read}
                              for g in the_grants for name, (write, read) in g.topics.items()],
    }
