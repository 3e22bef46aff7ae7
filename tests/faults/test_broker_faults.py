"""The broker drops every connection, or restarts, while events are flowing."""
import threading

import pytest

from tests.support import broker
from tests.support.broker import wait_until
from tests.support.followers import (
    FOLLOWERS, applied_position, assert_each_client_on_record_once, store_clients, wait_caught_up,
)


@pytest.mark.parametrize("fault", ["server closes connections", "broker restarts"])
def test_relay_and_followers_reconnect_on_their_own_and_nothing_is_lost(platform, vhost, fault):
    platform.start_services("intake", *FOLLOWERS)
    client_ids = []
    writer = threading.Thread(target=lambda: client_ids.extend(store_clients(platform, 400, pace=0.01)))
    writer.start()
    directory = platform.application("intake").head()  # what intake stored before any client
    wait_until(lambda: applied_position(platform, "guidance") > directory + 50, what="events to flow")

    if fault == "broker restarts":
        broker.restart_broker()
    else:
        broker.close_connections(vhost[0])
    writer.join(60)
    assert len(client_ids) == 400

    wait_caught_up(platform, FOLLOWERS, timeout=90)
    # The fault really hit them, and they recovered by themselves.
    assert "relay could not publish" in platform.logs("intake", "relay")
    for service in FOLLOWERS:
        assert "follower interrupted; reconnecting" in platform.logs(service, "serve")
    assert_each_client_on_record_once(platform, FOLLOWERS, client_ids)
    for service in ("intake", *FOLLOWERS):  # RPC works again too
        assert platform.wait_healthy(service)["status"] == "ok"
