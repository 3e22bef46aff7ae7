"""RPC requests and replies carry names, notes and answers: they travel
non-persistent (delivery mode 1), so they never reach the broker's disk (WAVE2 12).
Shown on a request the gateway sends while the service is down: it waits in the
service's queue, and the broker says how it keeps it."""
import threading

from tests.support import broker
from tests.support.broker import wait_until
from tests.support.platform import free_port, http


def test_a_request_waiting_for_a_service_is_not_persistent(platform):
    platform.start_services("intake")
    platform.stop("intake", "serve")  # its queue stays; nothing consumes it
    url = platform.start_gateway(JWW_METRICS_PORT=str(free_port()), JWW_GATEWAY_RPC_TIMEOUT_SECONDS="5")
    token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})[2]
    answered = []
    asking = threading.Thread(target=lambda: answered.append(http(
        "GET", url + "/clients/00000000-0000-4000-8000-000000000000",
        headers={"Authorization": f"Bearer {token['access_token']}"})[0]))
    asking.start()
    vhost = platform.amqp_uri.rsplit("/", 1)[-1]
    waiting = wait_until(lambda: broker.management().call(
        "POST", f"/api/queues/{vhost}/rpc-intake/get",
        {"count": 10, "ackmode": "ack_requeue_true", "encoding": "auto"}), what="the request to wait in the queue")
    asking.join(15)
    assert {m["properties"]["delivery_mode"] for m in waiting} == {1}
    assert answered == [503]


def test_the_rpc_consumers_ask_to_be_told_when_their_mirrored_queue_fails_over(platform):
    # Without it, a cluster node stopping could drop a service's consumer while the
    # service went on waiting for requests (the fault campaign saw minutes of 503s).
    platform.start_services("intake")
    url = platform.start_gateway(JWW_METRICS_PORT=str(free_port()))
    assert http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})[0] == 200
    vhost = platform.amqp_uri.rsplit("/", 1)[-1]

    def consumer_arguments(prefix: str) -> list[dict]:
        consumers = broker.management().call("GET", f"/api/consumers/{vhost}") or []
        return [c["arguments"] for c in consumers if c["queue"]["name"].startswith(prefix)]

    service = wait_until(lambda: consumer_arguments("rpc-intake"), what="intake's RPC consumer")
    replies = wait_until(lambda: consumer_arguments("rpc.reply-gateway"), what="the gateway's reply consumer")
    assert service == [{"x-cancel-on-ha-failover": True}]
    assert replies and all(a == {"x-cancel-on-ha-failover": True} for a in replies)
