"""A service believes an actor only from an assertion the gateway signed for that very
message, over the real broker: anything else is refused and changes nothing."""
from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nameko.standalone.rpc import ClusterRpcProxy

from shared import assertions
from shared.errors import Forbidden, Unauthenticated
from shared.keys import SigningKey
from tests.support.broker import wait_until
from tests.support.platform import count_events, signed_rpc
from tests.support.samples import COORDINATOR, WORKER, registration_payload


def send(platform, token, payload, method="register_client"):
    """One RPC to intake carrying ``token`` as it is, as anyone on the bus could send it."""
    context = {assertions.ASSERTION_KEY: token} if token is not None else None
    with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=10, context_data=context) as rpc:
        return getattr(rpc.intake, method)(payload)


def refused_reason(platform, token, payload, method="register_client") -> str:
    with pytest.raises(Unauthenticated) as refused:
        send(platform, token, payload, method)
    return refused.value.reason


def registrations(platform) -> int:
    return count_events(platform.application("intake"), "Client.Registered")


@pytest.fixture
def intake(platform):
    platform.start_services("intake")
    return platform


def test_a_call_without_a_valid_assertion_is_refused_and_changes_nothing(intake):
    payload = registration_payload()
    gateway = assertions.Signer("gateway")
    head = intake.application("intake").head()
    assert refused_reason(intake, None, payload) == "missing"
    stranger = assertions.Signer("gateway", key=SigningKey("gateway-actors", Ed25519PrivateKey.generate()))
    assert refused_reason(intake, stranger.assertion(WORKER, "intake", "register_client", (payload,)),
                          payload) == "unknown-key"
    stale = assertions.Signer("gateway", clock=lambda: time.time() - 3600)
    assert refused_reason(intake, stale.assertion(WORKER, "intake", "register_client", (payload,)), payload) \
        == "expired"
    elsewhere = gateway.assertion(WORKER, "guidance", "register_client", (payload,))
    assert refused_reason(intake, elsewhere, payload) == "wrong-audience"
    other_payload = registration_payload(family_name="Otherperson")
    assert refused_reason(intake, gateway.assertion(WORKER, "intake", "register_client", (payload,)),
                          other_payload) == "payload-mismatch"
    assert intake.application("intake").head() == head
    log = wait_until(lambda: (lambda text: text if text.count("no valid actor assertion") == 5 else None)(
        intake.logs("intake", "serve")), timeout=5, what="a log line per refusal")
    assert WORKER["user_id"] not in log and "Testperson" not in log and "Otherperson" not in log


def test_a_payload_naming_another_actor_than_the_assertion_is_refused(intake):
    posing = registration_payload(actor={**COORDINATOR, "agency": "another-agency"})
    token = assertions.Signer("gateway").assertion(WORKER, "intake", "register_client", (posing,))
    assert refused_reason(intake, token, posing) == "actor-mismatch"
    assert registrations(intake) == 0


def test_an_assertion_sent_again_in_another_message_is_refused(intake):
    payload = registration_payload()
    token = assertions.Signer("gateway").assertion(WORKER, "intake", "register_client", (payload,))
    assert send(intake, token, payload)["client_id"]
    head = intake.application("intake").head()
    assert refused_reason(intake, token, payload) == "replayed"
    assert intake.application("intake").head() == head
    assert registrations(intake) == 1


def test_a_system_actor_may_pull_events_but_not_act_for_a_person(intake):
    with signed_rpc(intake.amqp_uri) as rpc:
        rpc.intake.register_client(registration_payload())
    pull = (0, None, 10)
    follower = assertions.Signer("guidance")
    token = follower.assertion(assertions.system_actor("guidance"), "intake", "integration_events", pull)
    with ClusterRpcProxy({"AMQP_URI": intake.amqp_uri}, timeout=10,
                         context_data={assertions.ASSERTION_KEY: token}) as rpc:
        assert rpc.intake.integration_events(*pull)
    payload = registration_payload()
    command = follower.assertion(assertions.system_actor("guidance"), "intake", "register_client", (payload,))
    assert refused_reason(intake, command, payload) == "system-actor-not-allowed"
    assert registrations(intake) == 1


def pull_access(platform, holder: str):
    pull = (0, None, 10)
    token = assertions.Signer(holder).assertion(assertions.system_actor(holder), "intake", "access_events", pull)
    with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=10,
                         context_data={assertions.ASSERTION_KEY: token}) as rpc:
        return rpc.intake.access_events(*pull)


def test_only_audit_pulls_who_read_a_file(intake):
    with signed_rpc(intake.amqp_uri) as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        rpc.intake.client_file({"actor": WORKER, "client_id": client_id, "purpose": "casework"})
        events = rpc.intake.integration_events(0, None, 1000)
    assert events and not [e for e in events if "file-read" in e["type"]]  # the read is not among them
    (read,) = pull_access(intake, "audit")
    assert (read["type"], read["data"]["purpose"]) == ("be.jww.intake.client-file-read.v2", "casework")
    with pytest.raises(Forbidden):
        pull_access(intake, "guidance")
