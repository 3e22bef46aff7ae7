"""Each organisation reads its own feed and nothing else, as the real broker
enforces it (the vhost fixture provisions the organisations' feeds as `jww broker
setup --organisations` does): sharing's relay addresses a feed entry to one
organisation by its routing key, ``<org>.be.jww.share.…``, and only that
organisation's queue receives it."""
import os
import re
import uuid

import pytest

from jww import broker as broker_command
from jww.main import main
from shared import config, messaging, topology
from tests.support import broker
from tests.support.broker import publish_confirmed, refused

FEEDS = topology.feed_exchange()
REGISTERED = "be.jww.share.intake.client-registered.v1"


def as_user(amqp_uri: str, user: str) -> str:
    access = config.BrokerAccess.from_env(config.without_user(amqp_uri), {**os.environ, "JWW_AMQP_PASSWORD": ""})
    return access.uri(user)


def prefix() -> str:
    return os.environ["JWW_BROKER_USER_PREFIX"]


def organisation(amqp_uri: str, code: str) -> str:
    return as_user(amqp_uri, topology.organisation_user(code, prefix()))


def sharing_relay(amqp_uri: str) -> str:
    return as_user(amqp_uri, config.relay_user(topology.SHARING, prefix()))




def waiting(amqp_uri: str, vhost_name: str) -> dict[str, int]:
    """How many messages wait in each queue of the vhost that holds any."""
    names = [q["name"] for q in broker.management().call("GET", f"/api/queues/{vhost_name}")]
    counts = {name: broker.queue_messages(amqp_uri, name) for name in names}
    return {name: count for name, count in counts.items() if count}


def entry(recipient: str) -> bytes:
    return (f'{{"specversion": "1.0", "type": "{REGISTERED}", "source": "/jww/sharing", '
            f'"id": "{uuid.uuid4()}", "jwwrecipient": "{recipient}"}}').encode()


def test_every_organisation_of_the_directory_has_a_feed_and_a_user_of_its_own(vhost):
    name, _ = vhost
    api = broker.management()
    queues = {q["name"] for q in api.call("GET", f"/api/queues/{name}")}
    bindings = [(b["source"], b["destination"], b["routing_key"]) for b in api.call("GET", f"/api/bindings/{name}")
                if b["destination"].startswith("jww.feed.") and b["source"]]  # not the default exchange's
    codes = broker.organisations()
    assert {"apo", "dsr", "sab", "transit", "casmd"} <= set(codes)
    assert {topology.feed_queue_name(code) for code in codes} <= queues
    # Each feed is bound once, to its own organisation's entries, and to nothing else.
    assert sorted(bindings) == sorted((FEEDS, topology.feed_queue_name(code), f"{code}.#") for code in codes)
    for code in codes:
        user = api.call("GET", f"/api/users/{topology.organisation_user(code, prefix())}")
        assert user["tags"] == []
        assert api.call("GET", f"/api/users/{user['name']}/topic-permissions") == []
        permissions = api.call("GET", f"/api/permissions/{name}/{user['name']}")
        assert (permissions["configure"], permissions["write"]) == (topology.NOTHING, topology.NOTHING)
        readable = [queue for queue in queues | {f"jww.feed.{code}x", f"jww.feed{code}"}
                    if re.search(permissions["read"], queue)]
        assert readable == [topology.feed_queue_name(code)]


def test_an_entry_for_transit_lands_in_transits_feed_only(amqp_uri, vhost):
    body = entry("transit")
    broker.publish(sharing_relay(amqp_uri), FEEDS, f"transit.{REGISTERED}", body)
    assert waiting(amqp_uri, vhost[0]) == {"jww.feed.transit": 1}
    received = []
    with broker.connect(organisation(amqp_uri, "transit")) as connection:  # a consumer, as a partner runs one
        channel = connection.channel()
        channel.basic_consume(topology.feed_queue_name("transit"),
                              callback=lambda message: (received.append(message.body),
                                                        channel.basic_ack(message.delivery_tag)))
        connection.drain_events(timeout=5)
    assert received == [body]
    assert waiting(amqp_uri, vhost[0]) == {}


def test_an_entry_for_casmd_never_reaches_transit(amqp_uri, vhost):
    broker.publish(sharing_relay(amqp_uri), FEEDS, f"casmd.{REGISTERED}", entry("casmd"))
    assert waiting(amqp_uri, vhost[0]) == {"jww.feed.casmd": 1}
    with broker.connect(organisation(amqp_uri, "transit")) as connection:
        assert connection.channel().basic_get(topology.feed_queue_name("transit")) is None


@pytest.mark.parametrize("queue", ["jww.feed.casmd", "jww.feed.apo", "jww.guidance.from.intake", "rpc-intake"])
def test_an_organisation_reads_no_other_queue(amqp_uri, queue):
    transit = organisation(amqp_uri, "transit")
    assert refused(transit, lambda channel: channel.basic_get(queue))
    assert refused(transit, lambda channel: channel.basic_consume(queue, callback=lambda message: None))


def test_an_organisation_may_not_change_the_topology(amqp_uri):
    transit, own = organisation(amqp_uri, "transit"), topology.feed_queue_name("transit")
    assert refused(transit, lambda channel: channel.queue_declare(f"transit-{uuid.uuid4()}", auto_delete=True))
    assert refused(transit, lambda channel: channel.queue_declare(own, durable=True,
                                                                  arguments=messaging.queue_arguments("classic")))
    assert refused(transit, lambda channel: channel.queue_bind(own, FEEDS, routing_key="#"))
    assert refused(transit, lambda channel: channel.queue_bind(own, FEEDS, routing_key="casmd.#"))
    assert refused(transit, lambda channel: channel.queue_bind(own, messaging.exchange_name("intake"),
                                                               routing_key="#"))
    assert refused(transit, lambda channel: channel.queue_delete(own))
    assert refused(transit, lambda channel: channel.queue_delete("jww.feed.casmd"))
    assert refused(transit, lambda channel: channel.exchange_delete(FEEDS))


@pytest.mark.parametrize("exchange, routing_key", [
    (FEEDS, f"transit.{REGISTERED}"),
    (FEEDS, f"casmd.{REGISTERED}"),
    ("", "jww.feed.transit"),  # the default exchange, straight into a queue
    (messaging.exchange_name("intake"), "be.jww.intake.client-registered.v1"),
    (topology.RPC_EXCHANGE, "intake.register_client"),
])
def test_an_organisation_publishes_nothing(amqp_uri, exchange, routing_key):
    assert refused(organisation(amqp_uri, "transit"), publish_confirmed(exchange, routing_key))


def test_sharings_relay_publishes_share_entries_and_its_own_facts_only(amqp_uri):
    relay = sharing_relay(amqp_uri)
    assert not refused(relay, publish_confirmed(FEEDS, f"caw-brussel.{REGISTERED}"))
    assert not refused(relay, publish_confirmed(FEEDS, "transit.be.jww.share.consent-withdrawn.v1"))
    assert not refused(relay, publish_confirmed(FEEDS, "be.jww.sharing.feed-opened.v1"))
    for routing_key in (
        "transit.be.jww.intake.client-registered.v1",  # addressed, but not a share type
        "be.jww.intake.client-registered.v1",          # another service's fact
        REGISTERED,                                    # a share entry addressed to no one
        f"Transit.{REGISTERED}",                       # not an organisation code
        f"transit.casmd.{REGISTERED}",
    ):
        assert refused(relay, publish_confirmed(FEEDS, routing_key)), routing_key
    # Feed entries go on sharing's events exchange only.
    assert refused(relay, publish_confirmed(messaging.exchange_name(topology.SHARING, messaging.ACCESS),
                                            f"transit.{REGISTERED}"))
    assert refused(relay, publish_confirmed(messaging.exchange_name("intake"), f"transit.{REGISTERED}"))


def test_setup_with_organisations_is_idempotent_and_refuses_a_bad_code(vhost, capsys):
    name, _ = vhost
    api = broker.management()
    def state():
        definitions = api.call("GET", f"/api/definitions/{name}")
        return {"permissions": sorted(map(str, api.call("GET", f"/api/vhosts/{name}/permissions"))),
                **{k: sorted(map(str, definitions[k])) for k in ("queues", "bindings")}}

    before = state()
    assert main(["broker", "setup", "--admin-uri", broker.ADMIN, "--vhost", name, "--organisations"]) == 0
    assert main(["broker", "setup", "--admin-uri", broker.ADMIN, "--vhost", name, "--organisations", "transit"]) == 0
    assert state() == before
    assert "feeds" in capsys.readouterr().out
    with pytest.raises(broker_command.BrokerSetupFailed, match="'be'"):
        broker_command.setup(broker.ADMIN, name, os.environ, ["transit", "be"])
    assert main(["broker", "setup", "--admin-uri", broker.ADMIN, "--vhost", name, "--organisations", "a.b"]) == 1


def test_a_partner_reads_verifies_and_opens_its_feed_with_stock_tools(amqp_uri, tmp_path):
    """deploy/README.md's consumer ("A peer's view"), given an entry sealed to the
    partner's key and signed with sharing's, as sharing's relay publishes it."""
    import importlib
    import json
    from datetime import datetime, timezone

    import rfc8785
    from cloudevents.core.formats.json import JSONFormat
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from joserfc import jwe, jws
    from joserfc.jwk import KeySet, OKPKey
    from kombu import Connection, Consumer, Queue

    from shared import keys, recipients, relay, signing

    envelopes = importlib.import_module("shared.contracts.envelope")
    private = X25519PrivateKey.generate()
    (tmp_path / "transit.x25519.key.pem").write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    client = str(uuid.uuid4())
    published = []
    for sequence, (type_, data) in enumerate([
        (REGISTERED, {"fact_id": str(uuid.uuid4()), "source": "intake", "recorded": "2025-03-01T09:00:00+00:00",
                      "purposes": ["referral"], "fields": {"agency": "apo"},
                      "categories": {"identity": recipients.seal(private.public_key(), b'{"first_name":"Anna"}')}}),
        ("be.jww.share.consent-withdrawn.v1", {"purpose": "referral", "withdrawn": "2025-03-02T09:00:00+00:00"}),
    ], start=1):
        event = signing.sign(envelopes.envelope(
            service="sharing", type_=type_, subject=client, time=datetime.now(timezone.utc), position=10 + sequence,
            prev_position=9 + sequence, aggregate_id=uuid.uuid4(), aggregate_version=1, recipient="transit",
            sequence=sequence, data={"client_id": client, "recipient": "transit", "sequence": sequence, **data},
        ), keys.signing_key("sharing-events"))
        published.append(event)
    for event in (published[0], published[0], published[1]):  # the first delivered twice, as a relay may
        broker.publish(sharing_relay(amqp_uri), FEEDS, relay.routing_key(event), envelopes.encode(event))
    jwks_document = keys.jwks(keys.platform_key_names())  # what the gateway serves
    recorded, stopped = [], []

    # The README's code, with its placeholders filled in.
    ORG = "transit"
    sharing = KeySet.import_key_set(
        {"keys": [k for k in jwks_document["keys"] if k["jww:key"] == "sharing-events"]})
    ours = OKPKey.import_key((tmp_path / "transit.x25519.key.pem").read_text())
    expected = 1

    def on_entry(message):
        nonlocal expected
        event = JSONFormat().read(None, message.body)
        covered = {"id": event.get_id(), "source": event.get_source(), "type": event.get_type(),
                   "subject": event.get_subject(), "time": json.loads(message.body)["time"],
                   "jwwposition": event.get_extension("jwwposition"), "data": event.get_data()}
        jws.deserialize_compact(event.get_extension("jwwsignature"), sharing,
                                payload=rfc8785.dumps(covered), algorithms=["Ed25519"])
        data = event.get_data()
        if data["recipient"] != ORG or data["sequence"] > expected:
            raise RuntimeError(f"not ours, or entries {expected}..{data['sequence'] - 1} missed")
        if data["sequence"] < expected:  # delivered again (at least once): done already
            message.ack()
            return
        if event.get_type() == "be.jww.share.consent-withdrawn.v1":
            stopped.append((data["client_id"], data["purpose"]))
        else:
            blocks = {category: json.loads(jwe.decrypt_compact(token, ours).plaintext)
                      for category, token in data["categories"].items()}
            recorded.append((event.get_type(), data["fields"], blocks))
        expected = data["sequence"] + 1
        message.ack()

    with Connection(organisation(amqp_uri, "transit")) as connection:
        with Consumer(connection, Queue("jww.feed.transit", no_declare=True), on_message=on_entry, prefetch_count=50):
            broker.wait_until(lambda: connection.drain_events(timeout=5) or stopped, what="both entries")
    assert recorded == [(REGISTERED, {"agency": "apo"}, {"identity": {"first_name": "Anna"}})]
    assert stopped == [(client, "referral")] and expected == 3
