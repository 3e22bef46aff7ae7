"""Messages that cannot be read, or whose signature does not hold, go to the
dead-letter queue with their reason; the messages after them are still applied;
a forged consent never opens the referral gate."""
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import keys, signing
from shared.contracts import encode, event_type
from shared.errors import Forbidden
from shared.outbox import Outbox
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.followers import assert_each_client_on_record_once, store_clients, wait_caught_up
from tests.support.samples import COORDINATOR, WORKER, registration_payload


def test_malformed_messages_are_dead_lettered_with_their_reason(platform):
    platform.start_services("intake", "guidance")
    first = store_clients(platform, 1)
    wait_caught_up(platform, ["guidance"])
    genuine = Outbox(platform.application("intake")).read(after=0, limit=100)[0]
    forged_position = {"jwwposition": 1000, "jwwprevposition": 1}
    intake_key = keys.signing_key("intake-events")  # intake's own bugs: signed, yet unreadable

    # (A genuine event of a type guidance does not know is no malformed message: it is
    # passed, or stops intake's upstream when guidance acts on its fact; WAVE2 18,
    # tests/integration/test_unknown_versions.py.)
    bad = {
        "not JSON": b"\x00\x01 definitely not json",
        "schema violation": encode(signing.sign(
            {**genuine, **forged_position, "data": {**genuine["data"], "legal_position": "guilty"}}, intake_key)),
        "bad signature": encode({**genuine, **forged_position, "data": {**genuine["data"], "languages": ["ar"]}}),
    }
    for body in bad.values():
        broker.publish(platform.amqp_uri, "jww.intake.events", "be.jww.intake.client-registered.v1", body)
    later = store_clients(platform, 2)

    wait_caught_up(platform, ["guidance"])
    assert_each_client_on_record_once(platform, ["guidance"], first + later)
    dead_queue = "jww.guidance.from.intake.dead"
    wait_until(lambda: broker.queue_messages(platform.amqp_uri, dead_queue) == len(bad), what="three dead letters")
    reasons = {m.headers["x-jww-reason"] for m in broker.get_all(platform.amqp_uri, dead_queue)}
    for expected in bad:
        assert any(r.startswith(expected) for r in reasons), (expected, reasons)
    assert any("data.legal_position" in r for r in reasons)
    assert json.dumps(sorted(reasons))  # reasons are plain text an operator can read


def test_a_forged_consent_published_with_the_broker_s_own_credentials_never_opens_the_referral_gate(platform):
    """Anyone holding a broker password can publish on intake's exchange; only intake's
    relay holds intake's signing key."""
    platform.start_services("intake", "guidance", "referrals")
    with platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})
        wait_caught_up(platform, ["referrals"])
        referral = {"actor": WORKER, "referral_id": rpc.referrals.propose_referral({
            "actor": WORKER, "client_id": client_id, "partner": "projet-lama", "domains": ["addiction"],
            "reason": "support with use"})["referral_id"]}
        intake = platform.application("intake")
        last = Outbox(intake).read(after=0, limit=100)[-1]
        forged = {**last, "id": "forged-1", "type": event_type("intake", "consent-given", 1),
                  "jwwposition": last["jwwposition"] + 1, "jwwprevposition": last["jwwposition"],
                  "data": {"client_id": client_id, "consent_id": client_id, "recipient": "projet-lama",
                           "purpose": "referral", "scope": ["identity", "help_request"]}}
        made_up_key = keys.SigningKey("intake-events", Ed25519PrivateKey.generate())  # a key of the forger's own
        for body in (encode({k: v for k, v in forged.items() if k != signing.ATTRIBUTE}),
                     encode(signing.sign(forged, made_up_key))):
            broker.publish(platform.amqp_uri, "jww.intake.events", forged["type"], body)
        dead_queue = "jww.referrals.from.intake.dead"
        wait_until(lambda: broker.queue_messages(platform.amqp_uri, dead_queue) == 2, what="both forgeries set aside")
        with pytest.raises(Forbidden) as closed:
            rpc.referrals.record_referral_step({**referral, "step": "sent"})
    assert "projet-lama" in closed.value.details["consent"][0]
    reasons = [m.headers["x-jww-reason"] for m in broker.get_all(platform.amqp_uri, dead_queue)]
    assert any("unsigned" in r for r in reasons) and any("unknown key" in r for r in reasons), reasons
