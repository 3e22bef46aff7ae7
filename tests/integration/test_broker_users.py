"""Each process kind's broker user may do what it needs and nothing else, as the
real broker enforces it (the vhost fixture provisions it as `jww broker setup`
does): not read every RPC, not publish another service's events, not call an RPC
it has no use for, not remove the topology."""
import os
import uuid

import amqp
import pytest

from jww import broker as broker_command
from shared import config, messaging, topology
from tests.support import broker
from tests.support.broker import publish_confirmed, refused

CONSENT_GIVEN = b'{"specversion": "1.0", "type": "be.jww.intake.consent-given.v1", "source": "intake"}'


def as_user(amqp_uri: str, user: str) -> str:
    prefix = os.environ["JWW_BROKER_USER_PREFIX"]
    access = config.BrokerAccess.from_env(config.without_user(amqp_uri), {**os.environ, "JWW_AMQP_PASSWORD": ""})
    return access.uri(f"{prefix}-{user}")




def reply_queue(service: str, binding: str):
    """A queue of the kind nameko makes for a process's replies, bound with ``binding``."""
    def bind(channel):
        name = f"rpc.reply-{service}-{uuid.uuid4()}"
        channel.queue_declare(name, auto_delete=True)
        channel.queue_bind(name, topology.RPC_EXCHANGE, routing_key=binding)
    return bind


def test_a_worker_may_not_bind_everything_on_the_rpc_exchange(amqp_uri):
    worker = as_user(amqp_uri, "guidance")
    assert not refused(worker, reply_queue("guidance", str(uuid.uuid4())))  # its own replies: allowed
    assert refused(worker, reply_queue("guidance", "#"))
    assert refused(worker, reply_queue("guidance", "intake.*"))


def test_a_worker_reads_its_own_pull_replies_and_no_other_service_s(amqp_uri):
    guidance = as_user(amqp_uri, "guidance")
    assert not refused(guidance, reply_queue("guidance-pull", str(uuid.uuid4())))
    assert refused(guidance, reply_queue("referrals-pull", str(uuid.uuid4())))
    assert refused(guidance, reply_queue("standalone_rpc_proxy", str(uuid.uuid4())))


def test_a_pull_s_reply_queue_is_the_caller_s_alone_and_goes_with_it(amqp_uri):
    """One queue per pull, exclusive: thousands of nameko's durable five-minute reply
    queues once stood at once after a fault campaign's catch-ups, and a restarted
    cluster node took minutes to recover them."""
    guidance = as_user(amqp_uri, "guidance")
    proxy = messaging.pull_proxy("guidance", config.nameko_amqp(guidance), timeout=5)
    proxy.start()
    queue = proxy._reply_listener.queue.name
    try:
        assert queue.startswith("rpc.reply-guidance-pull-")
        with pytest.raises(amqp.exceptions.ResourceLocked):  # exclusive: no other connection may touch it
            _look_at(amqp_uri, queue)
    finally:
        proxy.stop()
    with pytest.raises(amqp.exceptions.NotFound):  # gone with the proxy's connection
        _look_at(amqp_uri, queue)


def _look_at(uri: str, queue: str) -> None:
    with broker.connect(uri) as connection:
        connection.channel().queue_declare(queue, passive=True)


def test_a_worker_may_not_read_another_services_rpc_queue(amqp_uri):
    intake = as_user(amqp_uri, "intake")
    assert not refused(intake, lambda channel: channel.queue_declare("rpc-intake", durable=True))  # as nameko does
    assert refused(as_user(amqp_uri, "guidance"), lambda channel: channel.basic_get("rpc-intake"))
    assert refused(as_user(amqp_uri, "gateway"), lambda channel: channel.basic_get("rpc-intake"))


@pytest.mark.parametrize("user", [
    *(f"{service}-relay" for service in config.SERVICES if service != "intake"),
    *config.SERVICES, "gateway",
])
def test_only_intakes_relay_may_publish_intakes_events(amqp_uri, user):
    assert refused(as_user(amqp_uri, user), publish_confirmed(
        messaging.exchange_name("intake"), "be.jww.intake.consent-given.v1", CONSENT_GIVEN))


def test_intakes_relay_publishes_its_own_events_and_no_one_elses(amqp_uri):
    relay = as_user(amqp_uri, "intake-relay")
    assert not refused(relay, publish_confirmed(
        messaging.exchange_name("intake"), "be.jww.intake.consent-given.v1", CONSENT_GIVEN))
    # Its own exchange, but another service's type: refused by routing key.
    assert refused(relay, publish_confirmed(messaging.exchange_name("intake"), "be.jww.referrals.referral-made.v1"))
    assert refused(relay, publish_confirmed(topology.RPC_EXCHANGE, "intake.register_client"))


def test_rpc_may_be_called_only_by_those_who_need_it(amqp_uri):
    gateway, guidance = as_user(amqp_uri, "gateway"), as_user(amqp_uri, "guidance")
    assert not refused(gateway, publish_confirmed(topology.RPC_EXCHANGE, "intake.register_client"))
    assert not refused(guidance, publish_confirmed(topology.RPC_EXCHANGE, "intake.integration_events"))
    assert refused(guidance, publish_confirmed(topology.RPC_EXCHANGE, "intake.register_client"))
    assert refused(guidance, publish_confirmed(topology.RPC_EXCHANGE, "referrals.integration_events"))


def test_no_runtime_user_may_remove_the_topology(amqp_uri):
    for user in ("intake", "intake-relay", "gateway"):
        assert refused(as_user(amqp_uri, user), lambda channel: channel.exchange_delete(topology.RPC_EXCHANGE))
        assert refused(as_user(amqp_uri, user), lambda channel: channel.queue_delete("jww.audit.from.intake"))


def test_setup_again_changes_nothing_and_no_runtime_user_administers(vhost):
    name, _ = vhost
    api = broker.management()
    before = api.call("GET", f"/api/definitions/{name}")
    prefix = os.environ["JWW_BROKER_USER_PREFIX"]
    broker_command.provision_vhost(api, name, os.environ, prefix, broker.organisations())
    after = api.call("GET", f"/api/definitions/{name}")
    assert {k: sorted(map(str, after[k])) for k in ("exchanges", "queues", "bindings")} == \
        {k: sorted(map(str, before[k])) for k in ("exchanges", "queues", "bindings")}
    for user in broker.ensure_users():
        assert api.call("GET", f"/api/users/{user}")["tags"] == []


def test_only_audit_may_read_or_pull_the_access_streams(amqp_uri):
    audit, referrals = as_user(amqp_uri, "audit"), as_user(amqp_uri, "referrals")
    assert not refused(audit, lambda channel: channel.basic_get("jww.audit.from.intake.access"))
    assert not refused(audit, publish_confirmed(topology.RPC_EXCHANGE, "intake.access_events"))
    for user in ("referrals", "guidance", "notifications", "gateway"):
        worker = as_user(amqp_uri, user)
        assert refused(worker, lambda channel: channel.basic_get("jww.audit.from.intake.access"))
        assert refused(worker, publish_confirmed(topology.RPC_EXCHANGE, "intake.access_events"))
    # A queue of its own bound to intake's access exchange: refused by the broker.
    def bind_own_queue(channel):
        channel.queue_declare("rpc-referrals", durable=True)
        channel.queue_bind("rpc-referrals", messaging.exchange_name("intake", messaging.ACCESS), routing_key="#")
    assert refused(referrals, bind_own_queue)


def test_only_intakes_relay_may_publish_on_intakes_access_stream(amqp_uri):
    read = "be.jww.intake.client-file-read.v2"
    assert not refused(as_user(amqp_uri, "intake-relay"), publish_confirmed(
        messaging.exchange_name("intake", messaging.ACCESS), read))
    for user in ("guidance-relay", "intake", "audit", "gateway"):
        assert refused(as_user(amqp_uri, user), publish_confirmed(
            messaging.exchange_name("intake", messaging.ACCESS), read))


def test_waiting_messages_expire_by_policy_and_dead_letters_are_bounded(vhost):
    name, _ = vhost

    def effective():  # the management plugin shows a queue's policy once its statistics are next emitted
        shown = {q["name"]: q.get("effective_policy_definition") or {}
                 for q in broker.management().call("GET", f"/api/queues/{name}")
                 if not q["name"].startswith(topology.feed_queue_name(""))}  # feeds have none (yet)
        return shown if all(shown.values()) else None

    applied = broker.wait_until(effective, timeout=20, what="the policies to apply")
    dead = applied["jww.audit.from.intake.dead"]
    assert dead["message-ttl"] == topology.DEAD_LETTER_DAYS * topology.DAY_MS
    assert dead["max-length"] == topology.DEAD_LETTERS_AT_MOST
    assert applied["jww.audit.from.intake.access"]["message-ttl"] == topology.FOLLOWER_MESSAGE_DAYS * topology.DAY_MS
    assert applied["jww.guidance.from.intake"]["message-ttl"] == topology.FOLLOWER_MESSAGE_DAYS * topology.DAY_MS
