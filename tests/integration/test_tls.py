"""The platform over AMQP with TLS, against a throw-away node whose certificate a
throw-away CA signed (tests/support/tls_broker.py): every connection verifies it."""
import ssl

import amqp
import pytest

from shared import config
from shared.messaging import connection_params
from tests.support.followers import wait_trajectory
from tests.support.platform import Platform, free_port, http
from tests.support.samples import COORDINATOR, WORKER, registration_payload
from tests.support.tls_broker import tls_broker  # noqa: F401  (the session's node)


@pytest.fixture
def tls_platform(tls_broker, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JWW_AMQP_CA_FILE", tls_broker.ca_file)
    the_platform = Platform(tmp_path, tls_broker.uri())
    yield the_platform
    the_platform.stop_all()


def test_an_accepted_client_opens_a_trajectory_over_tls(tls_platform, tls_broker):  # noqa: F811
    tls_platform.start_services("intake", "guidance")
    me = {"actor": WORKER}
    with tls_platform.rpc() as rpc:
        client_id = rpc.intake.register_client(registration_payload())["client_id"]
        me["client_id"] = client_id
        rpc.intake.receive_help_request({**me, "source": "justice_assistant", "domains": ["housing"],
                                         "question": "...", "urgency": "normal"})
        rpc.intake.accept_intake({"actor": COORDINATOR, "client_id": client_id, "worker": "apo-sa-1"})

        trajectory = wait_trajectory(rpc, me)
    assert (trajectory["worker"], trajectory["domains"]) == ("apo-sa-1", ["housing"])
    url = tls_platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
    token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})[2]
    status, _, seen = http("GET", f"{url}/trajectories/{client_id}",
                           headers={"Authorization": f"Bearer {token['access_token']}"})
    assert (status, seen["worker"]) == (200, "apo-sa-1")
    connections = tls_broker.connections()
    # The node has no plain listener; the relay's confirmed publish, guidance's
    # follower, both services' RPC and the gateway's went over TLS as their own
    # broker users.
    prefix = tls_platform.settings("intake").broker.user_prefix
    assert all(c["ssl"] for c in connections)
    expected = {config.relay_user("intake", prefix), *(config.worker_user(kind, prefix)
                                                      for kind in ("intake", "guidance", "gateway"))}
    assert expected <= {c["user"] for c in connections}


def test_a_broker_certificate_that_the_trusted_ca_did_not_sign_is_refused(tls_broker):  # noqa: F811
    connection = amqp.Connection(**connection_params(tls_broker.uri(), tls_broker.stranger_ca_file),
                                 connect_timeout=5)
    with pytest.raises(ssl.SSLCertVerificationError):
        connection.connect()


def test_a_host_name_the_certificate_does_not_name_is_refused(tls_broker):  # noqa: F811
    connection = amqp.Connection(**connection_params(tls_broker.uri("127.0.0.2"), tls_broker.ca_file),
                                 connect_timeout=5)
    with pytest.raises(ssl.SSLCertVerificationError):
        connection.connect()


def test_the_trusted_ca_lets_a_connection_through(tls_broker):  # noqa: F811
    connection = amqp.Connection(**connection_params(tls_broker.uri(), tls_broker.ca_file),
                                 connect_timeout=5)
    connection.connect()
    try:
        assert connection.connected
    finally:
        connection.close()


def test_plain_amqp_settings_use_no_tls():
    assert config.tls_options("amqp://localhost:5672/") is None
    assert config.nameko_amqp("amqp://localhost:5672/") == {"AMQP_URI": "amqp://localhost:5672/"}


def test_a_ca_file_that_is_not_there_is_named_at_start(tmp_path):
    with pytest.raises(config.ConfigError, match="JWW_AMQP_CA_FILE"):
        config.amqp_ca_file({"JWW_AMQP_CA_FILE": str(tmp_path / "missing.pem")})
