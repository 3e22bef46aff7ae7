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
  reads only its replies;
- an organisation (an agency or a partner, ``jww-org-<org>``) consumes only its
  own feed queue, ``jww.feed.<org>``, and does nothing else: sharing's relay
  publishes each of its feed entries on ``jww.sharing.events`` with the routing key
  ``<org>.<type>``, and that queue alone is bound to ``<org>.#``.

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

import json
import re
from dataclasses import dataclass
from typing import Mapping

from shared import messaging
from shared.config import GATEWAY, SERVICES, Settings, relay_user, worker_user

RPC_EXCHANGE = "nameko-rpc"  # nameko's default (nameko/rpc.py)
# nameko names a reply queue rpc.reply-<service name>-<uuid4> and binds it with the
# uuid; a follower's pull of a gap names its proxy <service>-pull (messaging.pull_proxy).
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTHING = "^$"

# The service that republishes, for each organisation, what its clients' consents
# allow (services/sharing/), and the types of its feed entries.
SHARING = "sharing"
FEED_TYPES = r"\.be\.jww\.share\."
ORGANISATION = "[a-z0-9-]+"
# A code that is the first word of the platform's own types would have its feed
# queue bound to sharing's own facts (``be.#``).
RESERVED_CODES = frozenset({"be"})


def organisation_user(organisation: str, prefix: str = "jww") -> str:
    return f"{prefix}-org-{organisation}"


def feed_queue_name(organisation: str) -> str:
    return f"jww.feed.{organisation}"


def feed_exchange() -> str:
    return messaging.exchange_name(SHARING)


def checked_organisations(codes) -> list[str]:
    """The codes, each once, in order; refuses one that cannot name a feed."""
    out = []
    for code in codes:
        if not re.fullmatch(ORGANISATION, code) or code in RESERVED_CODES:
            raise ValueError(f"organisation code {code!r} cannot name a feed: lower-case letters, digits and "
                             f"'-' only, and not {', '.join(sorted(RESERVED_CODES))}")
        if code not in out:
            out.append(code)
    return out


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
    own_types = rf"be\.jww\.{re.escape(service)}\."
    topics = {exchange: (f"^{own_types}", NOTHING) for exchange in exchanges}
    if service == SHARING:
        # Besides its own facts, sharing's relay publishes the organisations' feed
        # entries, ``<org>.be.jww.share.…``, and only those, on its events exchange.
        topics[messaging.exchange_name(SHARING)] = (f"^({own_types}|{ORGANISATION}{FEED_TYPES})", NOTHING)
    return Grant(
        user=relay_user(service, prefix),
        configure=NOTHING,
        write=_one_of(*_names(*exchanges)),
        read=NOTHING,
        topics=_limited(topics),
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


def organisation_grant(organisation: str, prefix: str = "jww") -> Grant:
    """Consume its own feed queue: nothing else. It reaches no exchange (no write,
    no read), so it can neither publish nor bind, and needs no topic permission."""
    return Grant(
        user=organisation_user(organisation, prefix),
        configure=NOTHING,
        write=NOTHING,
        read=_one_of(*_names(feed_queue_name(organisation))),
        topics={},
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


# On a cluster (queue type "quorum"), nameko's queues are classic queues it declares
# itself, on the node it is connected to: mirrored on every node, so that RPC goes
# on when that node goes away (RabbitMQ 3.x classic mirroring; quorum queues carry
# the platform's own). The reply queues too: a caller whose reply queue was lost with
# its node could not declare it again elsewhere while that node is down.
# A mirror takes over even when it was not fully synchronised with the stopped or
# failed master: RPC messages are transient, and a request lost that way is answered
# 503 and sent again with its idempotency key, whereas a queue waiting for its master
# to come back leaves the service taking no request at all.
RPC_QUEUES = r"^rpc(-|\.reply-)"
RPC_MIRRORING = {"ha-mode": "all", "ha-sync-mode": "automatic", "ha-promote-on-shutdown": "always",
                 "ha-promote-on-failure": "always"}


def policies(vhost: str, cluster: bool = False) -> list[dict]:
    """``cluster``: also mirror nameko's RPC queues."""
    made = [
        {"vhost": vhost, "name": "jww-dead-letters", "pattern": r"^jww\..+\.dead$", "apply-to": "queues",
         "priority": 1, "definition": {"message-ttl": DEAD_LETTER_DAYS * DAY_MS,
                                       "max-length": DEAD_LETTERS_AT_MOST, "overflow": "drop-head"}},
        {"vhost": vhost, "name": "jww-followers", "pattern": r"^jww\..+\.from\.[a-z.]+$", "apply-to": "queues",
         "priority": 0, "definition": {"message-ttl": FOLLOWER_MESSAGE_DAYS * DAY_MS}},
    ]
    if cluster:
        made.append({"vhost": vhost, "name": "jww-rpc-mirrored", "pattern": RPC_QUEUES, "apply-to": "queues",
                     "priority": 0, "definition": dict(RPC_MIRRORING)})
    return made


def dead_letter_arguments(queue_type: str) -> dict:
    """A dead-letter queue is of its follower queue's type: on a cluster, a classic
    one would be out of reach while its node is down, and the follower, which
    checks it is there before it consumes, would stop with it."""
    return {} if queue_type == "classic" else {"x-queue-type": queue_type}


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
            queues.append(queue(dead, dead_letter_arguments(queue_types[follower])))
            # Everything published on the feed, so that a lost message shows as a gap.
            bindings.append(binding(messaging.exchange_name(*messaging.followed(follower, feed)), name, "#"))
            bindings.append(binding(messaging.DEAD_LETTER_EXCHANGE, dead, name))
    the_grants = grants(follows, prefix)
    return {
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
        "policies": policies(vhost, cluster="quorum" in queue_types.values()),
        "permissions": [{"user": g.user, "vhost": vhost, "configure": g.configure, "write": g.write,
                         "read": g.read} for g in the_grants],
        "topic_permissions": [{"user": g.user, "vhost": vhost, "exchange": name, "write": write, "read": read}
                              for g in the_grants for name, (write, read) in g.topics.items()],
    }


def organisations(settings: Mapping[str, Settings]) -> list[str]:
    """Every organisation of the directory, each of which may have a feed: intake's
    agencies and referrals' partners, from the files their settings load at start
    (``[intake] sample_directory``, ``[referrals] sample_partners``: development and
    tests). Production leaves those empty: there the directory is intake's and
    referrals' own facts (agencies registered, partners added), and the ops job is
    given the organisations' codes from them (``--organisations ORG ...``)."""
    codes = []
    for service, option, entries in (("intake", "sample_directory", "agencies"),
                                      ("referrals", "sample_partners", "partners")):
        path = settings[service].options.get(option) if service in settings else None
        if path:
            codes.extend(entry["code"] for entry in json.loads(settings[service].resolve(path).read_text())[entries])
    return checked_organisations(codes)


def feed_definitions(vhost: str, codes: list[str], queue_type: str, prefix: str = "jww") -> dict:
    """Each organisation's feed queue, bound to ``<org>.#`` on sharing's events
    exchange, and its user's permission to consume it, in the broker's definitions
    format (importing it again changes nothing). Like a follower's, a feed queue
    has one active consumer at a time: a feed's entries are numbered in order.
    (A follower of sharing would bind ``#`` and so receive every organisation's
    entries: no service follows it.)"""
    codes = checked_organisations(codes)
    exchange = feed_exchange()
    return {
        # Sharing's exchange, as definitions() makes it, so that a feed's binding
        # never waits for another import.
        "exchanges": [{"name": exchange, "vhost": vhost, "type": "topic", "durable": True, "auto_delete": False,
                       "internal": False, "arguments": {}}],
        "queues": [{"name": feed_queue_name(organisation), "vhost": vhost, "durable": True, "auto_delete": False,
                    "arguments": messaging.queue_arguments(queue_type)} for organisation in codes],
        "bindings": [{"source": exchange, "vhost": vhost, "destination": feed_queue_name(organisation),
                      "destination_type": "queue", "routing_key": f"{organisation}.#", "arguments": {}}
                     for organisation in codes],
        "permissions": [{"user": g.user, "vhost": vhost, "configure": g.configure, "write": g.write,
                         "read": g.read} for g in (organisation_grant(code, prefix) for code in codes)],
    }
