"""Actor assertions: made by the gateway or a service's system actor, checked with
public keys only, refused with a reason code that names no one."""
from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import assertions, keys
from shared.assertions import Signer, Verifier, system_actor
from shared.errors import Unauthenticated
from shared.keys import SigningKey

PERSON = {"user_id": "u-17", "role": "coordinator", "agency": "agency-b"}
PAYLOAD = ({"actor": PERSON, "client_id": "c-1", "due": dt.date(2025, 3, 1), "hours": 1.5},)
NOW = 1_750_000_000


@pytest.fixture
def at(tmp_path, monkeypatch):
    monkeypatch.setenv("JWW_KEYS_DIR", str(tmp_path))
    keys.ensure_development_keys(keys.actor_key_names())
    return {"now": NOW}


def signer(at, holder="gateway", **kwargs) -> Signer:
    return Signer(holder, clock=lambda: at["now"], **kwargs)


def verifier(at) -> Verifier:
    return Verifier(clock=lambda: at["now"])


def refusal(at, token, service="intake", method="record_contact", args=PAYLOAD, **kwargs) -> str:
    with pytest.raises(Unauthenticated) as refused:
        verifier(at).verify(token, service, method, args, **kwargs)
    assert refused.value.code == "unauthenticated"
    return refused.value.reason


def test_the_gateway_asserts_a_person_for_one_call_and_a_service_believes_it(at):
    token = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD, correlation_id="cid-1")
    claims = verifier(at).verify(token, "intake", "record_contact", PAYLOAD)
    assert (claims.issuer, claims.actor, claims.audience, claims.correlation_id) == (
        "gateway", PERSON, "intake.record_contact", "cid-1")
    assert claims.jti
    other = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    assert verifier(at).verify(other, "intake", "record_contact", PAYLOAD).jti != claims.jti


def test_no_assertion_or_a_garbled_one_is_refused(at):
    assert refusal(at, None) == "missing"
    assert refusal(at, "") == "missing"
    assert refusal(at, "a.b") == "malformed"
    assert refusal(at, "!!.??.**") == "malformed"


def test_a_forged_assertion_is_refused(at):
    token = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    header, claims, signature = token.split(".")
    changed = claims[:-2] + ("AA" if claims[-2:] != "AA" else "BB")
    assert refusal(at, f"{header}.{changed}.{signature}") == "bad-signature"
    stranger = SigningKey("gateway-actors", Ed25519PrivateKey.generate())
    assert refusal(at, signer(at, key=stranger).assertion(PERSON, "intake", "record_contact", PAYLOAD)) \
        == "unknown-key"


def test_an_assertion_holds_for_its_rpc_and_payload_only(at):
    token = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    assert refusal(at, token, method="register_client") == "wrong-audience"
    assert refusal(at, token, service="guidance") == "wrong-audience"
    tampered = ({**PAYLOAD[0], "hours": 2.5},)
    assert refusal(at, token, args=tampered) == "payload-mismatch"


def test_a_payload_naming_another_actor_is_refused(at):
    other = {**PERSON, "agency": "agency-a"}
    payload = ({**PAYLOAD[0], "actor": other},)
    token = signer(at).assertion(PERSON, "intake", "record_contact", payload)
    assert refusal(at, token, args=payload) == "actor-mismatch"


def test_an_assertion_lives_a_minute_except_for_a_message_the_broker_delivers_again(at):
    token = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    at["now"] = NOW + assertions.LIFETIME_SECONDS + assertions.CLOCK_SKEW_SECONDS + 1
    assert refusal(at, token) == "expired"
    assert verifier(at).verify(token, "intake", "record_contact", PAYLOAD, redelivered=True).actor == PERSON
    at["now"] = NOW - assertions.CLOCK_SKEW_SECONDS - 1
    assert refusal(at, token) == "not-yet-valid"
    at["now"] = NOW
    long_lived = signer(at, lifetime=assertions.LONGEST_LIFE_SECONDS + 1).assertion(
        PERSON, "intake", "record_contact", PAYLOAD)
    assert refusal(at, long_lived) == "too-long-lived"


def test_a_service_speaks_as_its_own_system_actor_only_for_system_methods(at):
    pull = (10, None, 500)
    token = signer(at, "guidance").assertion(system_actor("guidance"), "intake", "integration_events", pull)
    assert verifier(at).verify(token, "intake", "integration_events", pull).actor == system_actor("guidance")
    command = signer(at, "guidance").assertion(system_actor("guidance"), "intake", "record_contact", PAYLOAD)
    assert refusal(at, command) == "system-actor-not-allowed"
    posing = signer(at, "guidance").assertion(system_actor("referrals"), "intake", "integration_events", pull)
    assert refusal(at, posing, method="integration_events", args=pull) == "system-actor-not-allowed"


def test_only_the_gateway_vouches_for_a_person_and_never_for_a_system_method(at):
    by_service = signer(at, "guidance").assertion(PERSON, "intake", "record_contact", PAYLOAD)
    assert refusal(at, by_service) == "person-not-allowed"
    health = signer(at).assertion(PERSON, "intake", "health")
    assert refusal(at, health, method="health", args=()) == "person-not-allowed"
    probe = signer(at).assertion(system_actor("gateway"), "intake", "health")
    assert verifier(at).verify(probe, "intake", "health").actor["role"] == "system"


def test_the_previous_gateway_key_is_still_believed_during_a_rotation(at, tmp_path):
    old = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    (tmp_path / "gateway-actors.pub.pem").rename(tmp_path / "gateway-actors.previous.pub.pem")
    (tmp_path / "gateway-actors.key.pem").unlink()
    keys.ensure_development_keys(["gateway-actors"])
    new = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    assert new.split(".")[0] != old.split(".")[0]  # another kid
    for token in (old, new):
        assert verifier(at).verify(token, "intake", "record_contact", PAYLOAD).actor == PERSON


def test_a_refusal_names_a_reason_and_nobody(at):
    token = signer(at).assertion(PERSON, "intake", "record_contact", PAYLOAD)
    with pytest.raises(Unauthenticated) as refused:
        verifier(at).verify(token, "intake", "register_client", PAYLOAD)
    said = str(refused.value.as_dict())
    assert refused.value.details == {"assertion": ["wrong-audience"]}
    assert PERSON["user_id"] not in said and "c-1" not in said
