"""One active relay per service, on the file lock beside an SQLite store: a second
one stands by, takes over when the first lets go, and can be stopped while waiting."""
import logging
import threading

import pytest

from shared import config
from shared.singleton import sole_relay
from tests.support.broker import wait_until


@pytest.fixture
def settings(tmp_path):
    return config.load("intake", env={"JWW_STORE_SQLITE_PATH": str(tmp_path / "intake.sqlite")})


class Standby(threading.Thread):
    """A second relay process: records what sole_relay yields it, then lets go."""

    def __init__(self, settings):
        super().__init__(daemon=True)
        self.settings = settings
        self.stopping = threading.Event()
        self.outcome: bool | None = None

    def run(self) -> None:
        with sole_relay(self.settings, self.stopping, poll_seconds=0.02) as active:
            self.outcome = active


def first_relay(settings):
    holding = sole_relay(settings, threading.Event())
    assert holding.__enter__() is True
    return holding


def test_a_second_relay_stands_by_and_takes_over_when_the_first_lets_go(settings, caplog):
    caplog.set_level(logging.INFO, logger="shared.singleton")
    first = first_relay(settings)
    standby = Standby(settings)
    standby.start()
    wait_until(lambda: "standing by" in caplog.text, timeout=5, what="the standby to wait")
    standby.join(0.3)
    assert standby.is_alive() and standby.outcome is None  # still waiting: never two at once
    first.__exit__(None, None, None)
    standby.join(5)
    assert standby.outcome is True


def test_a_relay_stopped_while_standing_by_never_becomes_active(settings):
    first = first_relay(settings)
    standby = Standby(settings)
    standby.start()
    standby.stopping.set()
    standby.join(5)
    assert standby.outcome is False
    first.__exit__(None, None, None)


def test_the_lock_goes_with_the_relay_that_held_it(settings):
    first_relay(settings).__exit__(None, None, None)
    after = Standby(settings)
    after.start()
    after.join(5)
    assert after.outcome is True


def test_relays_of_different_services_do_not_wait_for_each_other(settings, tmp_path):
    first = first_relay(settings)
    other = Standby(config.load("guidance", env={"JWW_STORE_SQLITE_PATH": str(tmp_path / "guidance.sqlite")}))
    other.start()
    other.join(5)
    assert other.outcome is True
    first.__exit__(None, None, None)
