"""AMQP_URI as a failover list of a cluster's nodes (``amqp://a/vh;amqp://b/vh``):
how each part of the platform reads it, and what a cluster's topology adds."""
import re

import pytest

from shared import config, messaging, production, topology

CLUSTER = "amqp://rabbit-1:5672/jww;amqp://rabbit-2:5673/jww;amqp://rabbit-3/jww"


def test_a_single_address_is_a_list_of_one():
    assert config.alternatives("amqp://broker:5672/jww") == ["amqp://broker:5672/jww"]


def test_a_failover_list_keeps_its_order_and_ignores_blanks():
    assert config.alternatives(" amqp://a/jww ; amqp://b/jww;") == ["amqp://a/jww", "amqp://b/jww"]


@pytest.mark.parametrize("uri, what", [
    ("amqp://a:5672/jww;amqps://b:5671/jww", "scheme"),
    ("amqp://a:5672/jww;amqp://b:5672/other", "vhost"),
])
def test_a_list_whose_addresses_differ_is_refused_naming_the_setting(uri, what):
    with pytest.raises(config.ConfigError, match=f"AMQP_URI: .* same {what}"):
        config.alternatives(uri)


def test_the_default_vhost_is_one_however_it_is_written():
    assert len(config.alternatives("amqp://a:5672;amqp://b:5672/")) == 2


def test_credentials_are_taken_off_every_address():
    listed = "amqp://u:p@rabbit-1:5672/jww;amqp://u:p@rabbit-2:5673/jww"
    assert config.without_user(listed) == "amqp://rabbit-1:5672/jww;amqp://rabbit-2:5673/jww"
    assert config.without_user("amqp://u:p@broker:5672/jww") == "amqp://broker:5672/jww"


def test_each_process_kind_logs_in_on_every_address():
    access = config.BrokerAccess.from_env(CLUSTER, {"JWW_AMQP_PASSWORD": "s3cr:t"})
    assert access.uri("jww-intake") == (
        "amqp://jww-intake:s3cr%3At@rabbit-1:5672/jww;amqp://jww-intake:s3cr%3At@rabbit-2:5673/jww;"
        "amqp://jww-intake:s3cr%3At@rabbit-3/jww")


def test_an_address_that_names_its_user_is_used_as_it_is():
    listed = "amqp://guest:guest@a:1/;amqp://guest:guest@b:2/"
    assert config.BrokerAccess.from_env(listed, {}).uri("jww-intake") == listed


def test_tls_follows_the_list_and_checks_the_first_name():
    options = config.tls_options("amqps://rabbit-1:5671/jww;amqps://rabbit-2:5671/jww", "/ca.pem")
    assert options["server_hostname"] == "rabbit-1"
    assert config.tls_options(CLUSTER) is None


def test_py_amqp_parameters_are_the_first_address():
    params = messaging.connection_params("amqp://u:p@rabbit-1:5672/jww;amqp://u:p@rabbit-2:5673/jww", "")
    assert (params["host"], params["virtual_host"], params["userid"]) == ("rabbit-1:5672", "jww", "u")


class _Nodes:
    """Stands in for py-amqp's Connection: only the listed hosts answer."""

    def __init__(self, answering):
        self.answering, self.tried = set(answering), []

    def __call__(self, host, **_):
        nodes = self

        class Connection:
            def connect(self):
                nodes.tried.append(host)
                if host not in nodes.answering:
                    raise ConnectionRefusedError(host)

            def collect(self):
                pass

        return Connection()


def test_py_amqp_connections_try_each_node_in_turn(monkeypatch):
    nodes = _Nodes({"rabbit-3:5672"})
    monkeypatch.setattr(messaging.amqp, "Connection", nodes)
    _, index = messaging.connect(CLUSTER, "")
    assert index == 2 and nodes.tried == ["rabbit-1:5672", "rabbit-2:5673", "rabbit-3:5672"]

    nodes.tried.clear()
    _, index = messaging.connect(CLUSTER, "", first=2)  # the node that answered last goes first
    assert index == 2 and nodes.tried == ["rabbit-3:5672"]


def test_when_no_node_answers_the_last_error_is_raised(monkeypatch):
    monkeypatch.setattr(messaging.amqp, "Connection", _Nodes(set()))
    with pytest.raises(ConnectionRefusedError, match="rabbit-3"):
        messaging.connect(CLUSTER, "")


def test_production_refuses_a_password_in_any_address():
    with pytest.raises(production.Refused, match="AMQP_URI carries a password"):
        production.no_plain_secrets({"AMQP_URI": "amqp://rabbit-1/jww;amqp://jww-intake:s3cret@rabbit-2/jww"})
    production.no_plain_secrets({"AMQP_URI": CLUSTER})


def test_nameko_logs_every_address_masked():
    import nameko.messaging

    messaging.masked_failover_logs()
    shown = nameko.messaging.sanitize_url("amqp://u:secret-1@a:1/;amqp://u:secret-2@b:2/")
    assert "secret" not in shown and shown.count("amqp://u:") == 2


def _definitions(queue_type: str) -> dict:
    follows = {"guidance": ("intake",), "audit": ("intake", "intake.access")}
    return topology.definitions("/", follows, {s: queue_type for s in follows})


def test_on_a_cluster_every_platform_queue_is_quorum_and_rpc_queues_are_mirrored():
    made = _definitions("quorum")
    assert {q["name"]: q["arguments"].get("x-queue-type") for q in made["queues"]} == {
        q["name"]: "quorum" for q in made["queues"]}
    mirrored = [p for p in made["policies"] if p["definition"] == topology.RPC_MIRRORING]
    assert len(mirrored) == 1
    pattern = re.compile(mirrored[0]["pattern"])
    assert pattern.search("rpc-intake") and pattern.search("rpc.reply-gateway-0b6c5e1e-1d0e-4b4e-9f44-1c1f0b1d2e3f")
    assert not pattern.search("jww.guidance.from.intake") and not pattern.search("nameko-rpc")


def test_on_one_node_nothing_is_mirrored_and_dead_letter_queues_are_as_before():
    made = _definitions("classic")
    assert all(p["name"] != "jww-rpc-mirrored" for p in made["policies"])
    assert [q["arguments"] for q in made["queues"] if q["name"].endswith(".dead")] == [{}, {}, {}]


def test_the_feed_queues_follow_the_queue_type():
    feeds = topology.feed_definitions("/", ["apo"], "quorum")
    assert feeds["queues"][0]["arguments"]["x-queue-type"] == "quorum"
