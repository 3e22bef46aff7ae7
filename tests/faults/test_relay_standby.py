"""A second relay for the same service stands by, and takes over when the first dies."""
import pytest

from tests.support.broker import wait_until
from tests.support.followers import assert_each_client_on_record_once, store_clients, wait_caught_up


@pytest.mark.parametrize("store", ["postgres", "sqlite"], indirect=True)
def test_a_standby_relay_takes_over_without_publishing_twice(platform):
    platform.start_services("intake", "guidance")
    platform.start("intake", "relay", label="standby-relay")
    wait_until(lambda: "standing by" in platform.logs("intake", "standby-relay"), what="the standby to wait")

    client_ids = store_clients(platform, 200)
    wait_caught_up(platform, ["guidance"])
    platform.kill("intake", "relay")
    client_ids += store_clients(platform, 200)

    wait_caught_up(platform, ["guidance"])
    assert_each_client_on_record_once(platform, ["guidance"], client_ids)
    assert "relay started" in platform.logs("intake", "standby-relay")
