"""An intake event travels to the three other services over the real RabbitMQ."""
from uuid import UUID

import pytest

from shared import checkpoints, evidence
from shared.errors import Forbidden, InvalidInput
from tests.support.broker import wait_until
from tests.support.platform import count_events, last_published
from tests.support.samples import WORKER, registration_payload

FOLLOWERS = ("guidance", "referrals", "notifications")


def registration(**overrides):
    return registration_payload(**{"actor": WORKER, **overrides})


def test_a_registered_client_reaches_every_follower_once(platform):
    platform.start_services("intake", *FOLLOWERS)
    with platform.rpc() as rpc:
        ids = [rpc.intake.register_client(registration())["client_id"] for _ in range(5)]

    head = last_published(platform.application("intake"))
    for service in FOLLOWERS:
        wait_until(lambda: platform.wait_healthy(service)["following"]["intake"] == head, what=f"{service} to apply 5")
        app = platform.application(service)
        assert count_events(app, "ClientOnRecord.Recorded") == 5
        assert {str(app.client_on_record(UUID(i)).id) for i in ids} == set(ids)
    # Intake's relay signed a checkpoint of what it published within seconds, and it holds.
    path = platform.settings("intake").checkpoint_path
    wait_until(lambda: any(c["position"] >= head for c in checkpoints.read(path)[0]), timeout=30,
               what="intake's relay to sign a checkpoint of the registrations")
    assert evidence.verify(platform.application("intake"), path) == []


def test_bad_input_is_refused_field_by_field_and_changes_nothing(platform):
    platform.start_services("intake")
    before = platform.application("intake").head()
    with platform.rpc() as rpc:
        with pytest.raises(InvalidInput) as refused:
            rpc.intake.register_client(
                registration(legal_position="guilty", languages=[], preferred_language="French", extra="x")
            )
        with pytest.raises(Forbidden):
            rpc.intake.register_client(registration(actor={**WORKER, "role": "auditor"}))
        health = rpc.intake.health()
    assert set(refused.value.details) == {"legal_position", "languages", "preferred_language", "extra"}
    assert refused.value.code == "invalid-input"
    assert health["position"] == before


def test_metrics_endpoint_counts_commands_by_outcome(platform, tmp_path):
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env_port = {"JWW_METRICS_PORT": str(port)}
    original = platform.env
    platform.env = lambda service: {**original(service), **env_port}
    platform.start_services("intake")
    with platform.rpc() as rpc:
        rpc.intake.register_client(registration())
        with pytest.raises(InvalidInput):
            rpc.intake.register_client({})
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'jww_commands_total{command="register_client",outcome="ok",service="intake"} 1.0' in body
    assert 'jww_commands_total{command="register_client",outcome="invalid-input",service="intake"} 1.0' in body
    assert "jww_command_seconds_bucket" in body


def test_the_correlation_id_of_a_command_follows_it_into_every_service(platform):
    platform.start_services("intake", "guidance")
    with platform.rpc(correlation_id="case-7f3a") as rpc:
        client_id = UUID(rpc.intake.register_client(registration())["client_id"])
    head = last_published(platform.application("intake"))
    wait_until(lambda: platform.wait_healthy("guidance")["following"]["intake"] == head, what="guidance to apply")

    for service in ("intake", "guidance"):
        (event,) = platform.application(service).events.get(client_id)
        assert event.correlation_id == "case-7f3a"
