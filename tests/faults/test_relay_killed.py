"""SIGKILL the relay between storing and publishing, or in the middle of a stream."""
import signal
import time

from tests.support import broker
from tests.support.broker import wait_until
from tests.support.followers import (
    FOLLOWERS, applied_position, assert_each_client_on_record_once, store_clients, wait_caught_up,
)
from tests.support.platform import count_events
from tests.support.samples import WORKER, registration_payload


def test_an_event_stored_but_not_yet_published_is_delivered_after_the_relay_is_killed(platform):
    platform.start_services("intake", *FOLLOWERS)
    wait_caught_up(platform, FOLLOWERS)  # the directory intake loaded at start is through
    platform.signal("intake", "relay", signal.SIGSTOP)  # frozen before it can publish
    with platform.rpc() as rpc:
        payload = registration_payload(WORKER, legal_position="interned")
        client_ids = [rpc.intake.register_client(payload)["client_id"] for _ in range(3)]
    assert count_events(platform.application("intake"), "Client.Registered") == 3
    time.sleep(0.5)
    # Nothing published: the queues are empty. A follower may still read the stored
    # facts from intake's log, when a catch-up that failed while intake started is
    # tried again meanwhile (shared/consumer.py); the relay's restart must then double nothing.
    for service in FOLLOWERS:
        assert broker.queue_messages(platform.amqp_uri, f"jww.{service}.from.intake") == 0

    platform.kill("intake", "relay")
    platform.start("intake", "relay")

    wait_caught_up(platform, FOLLOWERS)
    assert_each_client_on_record_once(platform, FOLLOWERS, client_ids)


def test_a_relay_killed_mid_stream_loses_nothing_and_duplicates_nothing(platform):
    platform.extra_env["intake"] = {"JWW_RELAY_BATCH": "10"}  # many confirm rounds: a long stream
    platform.start_services("intake", *FOLLOWERS)
    platform.signal("intake", "relay", signal.SIGSTOP)
    client_ids = store_clients(platform, 3000)
    platform.signal("intake", "relay", signal.SIGCONT)
    wait_until(lambda: 0 < applied_position(platform, "guidance"), timeout=30, interval=0.005, what="first events")
    platform.kill("intake", "relay")
    intake = platform.application("intake")
    published, stored = intake.position_of("relay"), intake.head()
    assert 0 < published < stored, f"not killed mid-stream: {published} of {stored} published"

    client_ids += store_clients(platform, 100)
    platform.start("intake", "relay")

    wait_caught_up(platform, FOLLOWERS)
    assert_each_client_on_record_once(platform, FOLLOWERS, client_ids)
