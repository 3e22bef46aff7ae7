"""The relay's promises, on an in-memory store and a stand-in for the confirming
publisher: log order, a position saved only once the broker confirmed, nothing
lost when a publish fails."""
import threading

import pytest
from prometheus_client import REGISTRY

from shared import relay as relay_module
from shared.contracts import decode
from shared.messaging import PublishFailed
from shared.outbox import Outbox
from shared.relay import TRACKING_NAME, Relay
from tests.support import fakes
from tests.support.broker import wait_until


class Broker:
    """Confirms what it is given, except for the next ``failures`` batches; a batch
    is confirmed when the relay waits for it, as the broker's confirms arrive."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.attempts: list[list] = []
        self.confirmed: list = []
        self.closed = 0
        self._in_flight: list[tuple[int, list]] = []  # (last delivery tag, batch)
        self._tag = 0

    def publish(self, messages) -> int:
        batch = list(messages)
        self.attempts.append(batch)
        self._tag += len(batch)
        self._in_flight.append((self._tag, batch))
        return self._tag

    def await_confirms(self, upto: int) -> None:
        while self._in_flight and self._in_flight[0][0] <= upto:
            _, batch = self._in_flight.pop(0)
            if self.failures:
                self.failures -= 1
                self._in_flight.clear()
                raise PublishFailed("1 messages not confirmed in time")
            self.confirmed += batch

    def keep_alive(self) -> None:
        pass

    def close(self) -> None:
        self.closed += 1
        self._in_flight.clear()

    def positions(self) -> list[int]:
        return [decode(body)["jwwposition"] for _, _, body, _ in self.confirmed]


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": "intake"}) or 0.0


@pytest.fixture
def intake():
    app = fakes.intake(private_languages=True)
    for _ in range(3):
        fakes.register(app)
    return app


def test_events_are_published_in_log_order_with_their_type_and_id(intake):
    broker = Broker()
    relay = Relay(Outbox(intake), broker)
    expected = Outbox(intake).read(after=0, limit=100)
    assert relay.run_once() == len(expected) == 3
    assert [(exchange, key, message_id) for exchange, key, _, message_id in broker.confirmed] == [
        ("jww.intake.events", event["type"], event["id"]) for event in expected]
    positions = broker.positions()
    assert positions == sorted(positions) == [event["jwwposition"] for event in expected]


def test_the_position_is_saved_only_once_the_broker_confirmed(intake):
    relay = Relay(Outbox(intake), Broker(failures=1))
    with pytest.raises(PublishFailed):
        relay.run_once()
    assert relay.position == 0
    assert intake.position_of(TRACKING_NAME) == 0
    relay.run_once()
    assert relay.position == intake.position_of(TRACKING_NAME) == intake.head()


def test_a_failed_batch_is_published_again_after_resuming(intake):
    broker = Broker(failures=1)
    relay = Relay(Outbox(intake), broker)
    with pytest.raises(PublishFailed):
        relay.run_once()
    relay.resume()
    relay.run_once()
    assert len(broker.attempts) == 2
    assert broker.attempts[1] == broker.attempts[0] == broker.confirmed


def test_private_events_are_passed_over_but_their_positions_are_examined(intake):
    client = fakes.register(intake)
    fakes.change_languages(intake, client)  # private: the log's newest event
    broker = Broker()
    relay = Relay(Outbox(intake), broker)
    relay.run_once()
    assert not any(key.endswith("languages-recorded.v1") for _, key, _, _ in broker.confirmed)
    assert len(broker.confirmed) == 4
    assert intake.position_of(TRACKING_NAME) == intake.head() > broker.positions()[-1]
    assert relay.run_once() == 0  # nothing is left waiting behind the private event


def test_a_full_batch_stops_at_its_last_event_and_the_rest_follows_in_order(intake):
    for _ in range(2):
        fakes.register(intake)
    broker = Broker()
    relay = Relay(Outbox(intake), broker, batch=2)
    assert [relay.run_once() for _ in range(2)] == [5, 0]  # one round, three batches in flight in turn
    assert broker.positions() == [e["jwwposition"] for e in Outbox(intake).read(after=0, limit=100)]
    assert [len(batch) for batch in broker.attempts] == [2, 2, 1]
    assert intake.position_of(TRACKING_NAME) == intake.head()


def test_a_round_publishes_at_most_its_window_of_batches(intake):
    for _ in range(2):
        fakes.register(intake)
    relay = Relay(Outbox(intake), Broker(), batch=2, window=2)
    assert [relay.run_once() for _ in range(3)] == [4, 1, 0]
    assert intake.position_of(TRACKING_NAME) == intake.head()


def test_a_batch_confirmed_is_saved_though_the_one_after_it_fails(intake):
    """Batches are confirmed in order: the position moves past each one confirmed,
    and a failure after it costs only what was still in flight."""
    for _ in range(2):
        fakes.register(intake)
    broker = Broker()
    relay = Relay(Outbox(intake), broker, batch=2)
    first_batch_end = Outbox(intake).read(after=0, limit=2)[-1]["jwwposition"]
    real = broker.await_confirms

    def fail_second(upto: int) -> None:
        if len(broker.confirmed) == 2:
            raise PublishFailed("connection lost")
        real(upto)

    broker.await_confirms = fail_second
    with pytest.raises(PublishFailed):
        relay.run_once()
    assert intake.position_of(TRACKING_NAME) == first_batch_end
    assert len(broker.attempts) == 3  # the third was published while the second awaited its confirm
    relay.resume()
    broker.await_confirms = real
    broker.close()
    assert relay.run_once() == 3
    assert broker.positions()[2:] == [e["jwwposition"] for e in Outbox(intake).read(after=first_batch_end,
                                                                                    limit=100)]


def test_the_backlog_gauge_counts_what_is_stored_but_not_yet_examined(intake):
    relay = Relay(Outbox(intake), Broker(), batch=1, window=1)
    relay.run_once()
    assert sample("jww_relay_backlog") == intake.head() - relay.position > 0
    while relay.run_once():
        pass
    assert sample("jww_relay_backlog") == 0
    assert sample("jww_relay_position") == intake.head()


@pytest.fixture
def short_pauses(monkeypatch):
    monkeypatch.setattr(relay_module, "PAUSES", {"interval_start": 0.01, "interval_step": 0.01, "interval_max": 0.05})


def running(relay: Relay) -> threading.Thread:
    thread = threading.Thread(target=relay.run, daemon=True)
    thread.start()
    return thread


def test_the_loop_retries_after_failures_and_publishes_each_event_once(intake, short_pauses):
    broker = Broker(failures=2)
    checkpoints, resumed = [], []

    class Checkpoints:  # asked each round, whether or not one is due
        def maybe(self):
            checkpoints.append(1)

        def resume(self):  # after a failure: its own last save may be stored though it failed
            resumed.append(1)

    relay = Relay(Outbox(intake), broker, checkpoints=Checkpoints())
    failures_before = sample("jww_relay_failures_total")
    thread = running(relay)
    wait_until(lambda: intake.position_of(TRACKING_NAME) == intake.head(), timeout=5, what="the relay to publish")
    relay.stopping.set()
    thread.join(5)
    assert not thread.is_alive()
    assert len(broker.attempts) == 3
    assert broker.attempts[0] == broker.attempts[2] == broker.confirmed  # the same batch, confirmed once
    assert sample("jww_relay_failures_total") - failures_before == 2
    assert broker.closed == 3  # after each failure, and when it stopped
    assert len(checkpoints) >= 3  # every round, failed ones included: the rounds go on
    assert len(resumed) == 2  # from the log again after each failure


def test_a_store_away_while_resuming_is_retried_too(intake, short_pauses, monkeypatch):
    relay = Relay(Outbox(intake), Broker(failures=1))
    saved_position = intake.position_of
    outage = iter([True])

    def store_away_once(name):
        if next(outage, False):
            raise ConnectionError("the store went away")
        return saved_position(name)

    monkeypatch.setattr(intake, "position_of", store_away_once)
    thread = running(relay)
    wait_until(lambda: saved_position(TRACKING_NAME) == intake.head(), timeout=5, what="the relay to recover")
    relay.stopping.set()
    thread.join(5)
    assert not thread.is_alive()


def test_a_stop_ends_a_pause_at_once(intake, monkeypatch):
    monkeypatch.setattr(relay_module, "PAUSES", {"interval_start": 60, "interval_step": 0, "interval_max": 60})
    broker = Broker(failures=1)
    relay = Relay(Outbox(intake), broker)
    thread = running(relay)
    wait_until(lambda: broker.attempts, timeout=5, what="a first attempt")
    relay.stopping.set()
    thread.join(2)
    assert not thread.is_alive()
    assert broker.confirmed == []


def test_a_quiet_relay_looks_less_often_and_a_busy_one_at_its_poll_interval(intake, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(relay_module.time, "monotonic", lambda: now[0])
    relay = Relay(Outbox(intake), Broker(), poll_seconds=0.005)
    waits = []
    monkeypatch.setattr(relay.stopping, "wait", lambda seconds: waits.append(seconds))
    relay._round()  # publishes the sample client's events: busy
    for _ in range(3):
        relay._round()  # nothing new within the second: still at the poll interval
    now[0] += relay_module.QUIET_AFTER_SECONDS
    for _ in range(9):
        relay._round()
    doubling = [min(0.005 * 2 ** n, relay_module.IDLE_POLL_MAX_SECONDS) for n in range(1, 10)]
    assert waits == [0.005] * 3 + doubling and doubling[-1] == relay_module.IDLE_POLL_MAX_SECONDS
    fakes.register(intake)
    relay._round()  # something to publish again: back to the poll interval at once
    relay._round()
    assert waits[-1] == 0.005
