"""The real RabbitMQ on this machine, driven the way an operator would: `jww broker
setup`'s own functions for users, vhosts, permissions and topology; rabbitmqctl for
restarts and dropped connections; AMQP for looking into queues. The tests and the
bench share it, with the wait that both use."""
from __future__ import annotations

import os
import subprocess
import time
import uuid
from urllib.parse import quote, unquote, urlparse, urlunparse

import amqp

from jww import broker as broker_command
from shared import config
from shared.messaging import connection_params

BROKER = os.environ.get("JWW_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672")
ADMIN = os.environ.get("JWW_TEST_BROKER_ADMIN", broker_command.DEVELOPMENT_ADMIN_URI)
_users_made: list[str] = []
_organisations: list[str] = []


def ctl(*args: str, timeout: float = 60, attempts: int = 1) -> str:
    for attempt in range(1, attempts + 1):
        try:
            return subprocess.run(
                ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=timeout
            ).stdout
        except subprocess.CalledProcessError:
            if attempt == attempts:
                raise
            time.sleep(2)  # the broker may be restarting: let it come back


def management() -> broker_command.Management:
    return broker_command.Management(ADMIN)


def organisations() -> list[str]:
    """Every organisation of the development directory: each has a feed in every
    test vhost, and a broker user made once per session."""
    if not _organisations:
        _organisations.extend(broker_command.directory_organisations(os.environ))
    return list(_organisations)


def ensure_users() -> list[str]:
    """Every process kind's broker user, and every organisation's, made once per
    session (the prefix and the password folder come from the environment, as for
    the processes)."""
    if not _users_made:
        _users_made.extend(broker_command.ensure_users(
            management(), os.environ.get("JWW_BROKER_USER_PREFIX") or "jww", config.broker_secrets_dir(), True,
            organisations()))
    return list(_users_made)


def delete_users() -> None:
    api = management()
    for user in _users_made:
        api.call("DELETE", f"/api/users/{quote(user, safe='')}")
    _users_made.clear()


def create_vhost(name: str | None = None, base_uri: str = BROKER) -> tuple[str, str]:
    """A vhost of its own for one test or one comparison, so that none sees another's
    messages, with the platform's topology, the organisations' feeds and every
    process kind's and organisation's permissions, as `jww broker setup
    --organisations` makes them, and open to the user of ``base_uri``; its name and
    URI."""
    name = name or f"jww-test-{uuid.uuid4().hex[:10]}"
    parts = urlparse(base_uri)
    ensure_users()
    api = management()
    broker_command.provision_vhost(api, name, os.environ, os.environ.get("JWW_BROKER_USER_PREFIX") or "jww",
                                   organisations())
    api.call("PUT", f"/api/permissions/{quote(name, safe='')}/{quote(unquote(parts.username or 'guest'), safe='')}",
             {"configure": ".*", "write": ".*", "read": ".*"})
    return name, urlunparse(parts._replace(path="/" + quote(name, safe="")))


def delete_vhost(name: str) -> None:
    management().call("DELETE", f"/api/vhosts/{quote(name, safe='')}")


def close_connections(vhost: str) -> None:
    """The server closes every client connection of the vhost, as on a network fault."""
    ctl("close_all_connections", "--vhost", vhost, "fault test: connection closed by server")


def restart_broker() -> None:
    """Stop and start the RabbitMQ application: every connection drops, durable
    queues and persistent messages survive."""
    ctl("stop_app")
    ctl("start_app")
    ctl("await_startup")


def connect(uri: str) -> amqp.Connection:
    connection = amqp.Connection(**connection_params(uri), connect_timeout=5)
    connection.connect()
    return connection


def has_consumer(uri: str, queue: str) -> bool:
    """Whether ``queue`` exists and someone consumes it (a follower is listening)."""
    try:
        with connect(uri) as connection:
            _, _, consumers = connection.channel().queue_declare(queue, passive=True)
            return consumers > 0
    except amqp.exceptions.NotFound:
        return False


def queue_messages(uri: str, queue: str) -> int:
    with connect(uri) as connection:
        channel = connection.channel()
        _, count, _ = channel.queue_declare(queue, passive=True)
        return count


def get_all(uri: str, queue: str) -> list[amqp.Message]:
    """Take every message out of a queue (acknowledged, so they are gone)."""
    out = []
    with connect(uri) as connection:
        channel = connection.channel()
        while (message := channel.basic_get(queue)) is not None:
            channel.basic_ack(message.delivery_tag)
            out.append(message)
    return out


def refused(uri: str, action) -> bool:
    """Whether the broker refuses ``action(channel)`` to the user of ``uri``."""
    with connect(uri) as connection:
        channel = connection.channel()
        try:
            action(channel)
        except amqp.exceptions.AccessRefused:
            return True
    return False


def publish_confirmed(exchange: str, routing_key: str, body: bytes = b"{}"):
    """An action for ``refused``: publish one persistent message and wait for its confirm."""
    def publish(channel):
        channel.confirm_select()
        channel.basic_publish_confirm(amqp.Message(body, delivery_mode=2), exchange=exchange, routing_key=routing_key)
    return publish


def publish(uri: str, exchange: str, routing_key: str, body: bytes) -> None:
    with connect(uri) as connection:
        channel = connection.channel()
        channel.basic_publish_confirm(
            amqp.Message(body, delivery_mode=2), exchange=exchange, routing_key=routing_key
        )


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
