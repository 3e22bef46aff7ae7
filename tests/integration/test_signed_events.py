"""A partner on another stack reads our events with stock tools: a queue of its own
on the publisher's exchange, the CloudEvents SDK to read each message, and a JOSE
library to verify each signature with the deployment's JWKS document alone."""
import json
import warnings

import rfc8785
from cloudevents.core.formats.json import JSONFormat
from joserfc import jws
from joserfc.jwk import OKPKey

from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import http
from tests.support.samples import COORDINATOR, WORKER, registration_payload

PARTNER_QUEUE = "partner.stock-consumer"


def test_a_stock_cloudevents_consumer_verifies_every_event_with_the_published_keys(platform):
    platform.start_services("intake")  # alone: it knows its own agencies, no partner yet (services/intake/partners.py)
    gateway = platform.start_gateway()
    with broker.connect(platform.amqp_uri) as connection:
        channel = connection.channel()
        channel.queue_declare(PARTNER_QUEUE, durable=False, auto_delete=False)
        channel.queue_bind(PARTNER_QUEUE, "jww.intake.events", "#")
    with platform.rpc() as rpc:
        for _ in range(3):
            client_id = rpc.intake.register_client(registration_payload())["client_id"]
            rpc.intake.give_consent({"actor": WORKER, "client_id": client_id, "recipient": "dsr",
                                     "purpose": "coordination", "scope": ["identity"]})
            rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
    # Per client: registered, consent-given v2 and v1 (side by side), accepted.
    wait_until(lambda: broker.queue_messages(platform.amqp_uri, PARTNER_QUEUE) >= 12, what="twelve events")

    status, _, document = http("GET", gateway + "/.well-known/jwks.json")
    assert status == 200 and all(key["kty"] == "OKP" and key["alg"] == "Ed25519" for key in document["keys"])
    by_kid = {key["kid"]: OKPKey.import_key(key) for key in document["keys"]}
    verified = 0
    for message in broker.get_all(platform.amqp_uri, PARTNER_QUEUE):
        event = JSONFormat().read(None, message.body)
        signature = event.get_extension("jwwsignature")
        # What the catalogue says a signature covers, as RFC 8785 canonical JSON.
        attributes = {"id": event.get_id(), "source": event.get_source(), "type": event.get_type(),
                      "subject": event.get_subject(), "time": json.loads(message.body)["time"],  # as sent
                      "jwwposition": event.get_extension("jwwposition"), "data": event.get_data()}
        kid = jws.extract_compact(signature.encode(), payload=b"").headers()["kid"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(signature, by_kid[kid], payload=rfc8785.dumps(attributes), algorithms=["Ed25519"])
        verified += 1
    assert verified >= 12

