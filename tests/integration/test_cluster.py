"""The platform on a 3-node RabbitMQ cluster of throw-away nodes (WAVE2 20,
chaos/nodes.py) loses the node its relay and followers are connected to, under
load: they move to another node of AMQP_URI's failover list, nothing is lost or
applied twice, and RPC commands are answered again. `jww broker setup` made the
platform's queues quorum queues and mirrors nameko's RPC queues."""
import os
import threading

import pytest

from chaos.nodes import Cluster, provision
from shared import config
from tests.support.broker import wait_until
from tests.support.followers import (
    FOLLOWERS, applied_position, assert_each_client_on_record_once, store_clients, wait_caught_up,
)
from tests.support.platform import Platform
from tests.support.samples import registration_payload

CLIENTS = 300


@pytest.fixture(scope="module")
def cluster(broker_users):
    """Three nodes, provisioned for quorum queues with the session's broker users
    (same prefix and password folder as on the system broker)."""
    the_cluster = Cluster(3, prefix="jwwcluster")
    the_cluster.start()
    try:
        provision(the_cluster.management_uri, the_cluster.address(), queue_type="quorum")
        yield the_cluster
    finally:
        the_cluster.close()


@pytest.fixture
def cluster_platform(cluster, tmp_path, monkeypatch, request):
    monkeypatch.setenv("JWW_AMQP_QUEUE_TYPE", "quorum")
    the_platform = Platform(tmp_path, cluster.amqp_uri())
    yield the_platform
    the_platform.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(the_platform.log_tails())


def users_by_node(cluster: Cluster) -> dict[int, set[str]]:
    """Which broker users have a connection on which node."""
    out: dict[int, set[str]] = {}
    for connection in cluster.connections("user", "port"):
        out.setdefault(cluster.node_at_port(connection["port"]), set()).add(connection["user"])
    return out


def mirrored_queue(cluster: Cluster, name: str) -> dict | None:
    queue = cluster.management().call("GET", f"/api/queues/%2F/{name}")
    return queue if queue.get("policy") == "jww-rpc-mirrored" and queue.get("node") else None


def test_the_platform_survives_losing_a_cluster_node_under_load(cluster, cluster_platform):
    platform = cluster_platform
    prefix = os.environ["JWW_BROKER_USER_PREFIX"]
    platform.start_services("intake", *FOLLOWERS)
    client_ids = []
    writer = threading.Thread(target=lambda: client_ids.extend(store_clients(platform, CLIENTS, pace=0.02)))
    writer.start()
    directory = platform.application("intake").head()  # what intake stored before any client
    wait_until(lambda: applied_position(platform, "guidance") > directory + 30, timeout=30, what="events to flow")

    # The node intake's relay publishes through: the one whose loss it must survive.
    relay = config.relay_user("intake", prefix)
    before = users_by_node(cluster)
    lost = next(index for index, users in before.items() if relay in users)
    cluster.stop_node(lost)
    writer.join(60)
    assert len(client_ids) == CLIENTS

    wait_caught_up(platform, FOLLOWERS, timeout=60)
    # The fault really hit them, and they recovered on another node by themselves.
    assert "relay could not publish" in platform.logs("intake", "relay")
    for service in FOLLOWERS:
        if config.worker_user(service, prefix) in before[lost]:
            assert "follower interrupted; reconnecting" in platform.logs(service, "serve")
    after = users_by_node(cluster)
    assert lost not in after and relay in set().union(*after.values())

    # Commands are answered again, and their effects reach every follower once.
    with platform.rpc(timeout=20) as rpc:
        client_ids.append(rpc.intake.register_client(registration_payload())["client_id"])
        for service in ("intake", *FOLLOWERS):
            assert rpc[service].health()["status"] == "ok"
    wait_caught_up(platform, FOLLOWERS, timeout=60)
    assert_each_client_on_record_once(platform, FOLLOWERS, client_ids)

    # What `jww broker setup` made: quorum queues, and nameko's RPC queues mirrored
    # (the survivors hold them now).
    queues = {queue["name"]: queue for queue in cluster.management().call("GET", "/api/queues/%2F")}
    platform_queues = [name for name in queues if name.startswith("jww.")]
    assert platform_queues and all(queues[name]["type"] == "quorum" for name in platform_queues)
    survivors = {node.name for index, node in enumerate(cluster.nodes) if index != lost}
    for service in ("intake", *FOLLOWERS):
        # The management API fills in a queue promoted on another node within a few
        # seconds (its statistics): until then the record lacks these fields.
        rpc_queue = wait_until(lambda: mirrored_queue(cluster, f"rpc-{service}"), timeout=30,
                               what=f"rpc-{service}'s record after the failover")
        assert rpc_queue["effective_policy_definition"]["ha-mode"] == "all"
        assert rpc_queue["node"] in survivors

    # The failover list holds every node's address with the password: logs mask each.
    logs = platform.log_tails(chars=10_000_000)
    for service in ("intake", *FOLLOWERS):
        for user in (config.worker_user(service, prefix), config.relay_user(service, prefix)):
            assert (config.broker_secrets_dir() / f"{user}.password").read_text().strip() not in logs
