"""The broker delivers a command twice, as it does when it went away after the
command was carried out but before nameko acknowledged it: the second delivery
changes nothing. A command the gateway sends carries an idempotency key, and both
deliveries are answered with the first outcome (WAVE2 5); a caller that sends no key
is told the second was carried out already."""
import json
import uuid

import kombu
import pytest

from shared import assertions
from shared.rpc import IDEMPOTENCY_KEY
from tests.support.samples import WORKER, registration_payload


@pytest.mark.parametrize("key", ["k-7f3a", None], ids=["the gateway's key", "no key"])
def test_a_command_delivered_twice_is_carried_out_once(platform, key):
    platform.start_services("intake")
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]

    request_id, replies = str(uuid.uuid4()), []
    payload = {"actor": WORKER, "client_id": client_id, "source": "self", "domains": ["housing"],
               "question": "a room", "urgency": "normal"}
    with kombu.Connection(platform.amqp_uri) as connection:
        exchange = kombu.Exchange("nameko-rpc", type="topic", durable=True)
        # Bound with a bare uuid, as nameko's reply queues are: intake's broker user
        # may send replies to nothing else.
        reply_queue = kombu.Queue(f"test-replies-{request_id}", exchange, routing_key=request_id, exclusive=True)
        with connection.Consumer(reply_queue, callbacks=[lambda body, message: (replies.append(body), message.ack())],
                                 accept=["json"]):
            producer = connection.Producer(serializer="json")
            # Signed once, as the gateway signs a call: the same message, with the same
            # assertion, is what the broker delivers again.
            assertion = assertions.Signer(assertions.GATEWAY).assertion(
                WORKER, "intake", "receive_help_request", [payload], {})
            for _ in range(2):  # the very same AMQP message, twice
                producer.publish({"args": [payload], "kwargs": {}}, exchange=exchange,
                                 routing_key="intake.receive_help_request", reply_to=request_id,
                                 correlation_id=request_id, declare=[reply_queue],
                                 headers={f"nameko.{assertions.ASSERTION_KEY}": assertion,
                                          **({f"nameko.{IDEMPOTENCY_KEY}": key} if key else {})})
            while len(replies) < 2:
                connection.drain_events(timeout=10)

    # Both deliveries are worked on at once: either may answer first.
    first, second = sorted((json.loads(r) if isinstance(r, str) else r for r in replies),
                           key=lambda reply: reply["error"] is not None)
    assert first["error"] is None and "request_id" in first["result"]
    if key:
        assert second == first  # the original outcome, twice
    else:
        assert second["error"]["exc_type"] == "CarriedOut"  # a Conflict: 409 through the gateway
        assert second["error"]["value"].startswith("this request was carried out already")
    with platform.rpc() as rpc:
        file = rpc.intake.client_file({"actor": WORKER, "client_id": client_id})
    assert len(file["help_requests"]) == 1
