"""What a test counts and waits for in the followers' stores: that each applied
intake's events up to a position, and applied each client exactly once."""
from __future__ import annotations

import threading
import time

from tests.support.broker import wait_until
from tests.support.platform import Platform, count_events, last_published
from tests.support.samples import WORKER, registration_args

FOLLOWERS = ("guidance", "referrals", "notifications")


def store_clients(platform: Platform, count: int, pace: float = 0.0) -> list:
    """Register clients straight into intake's store, as intake's workers would."""
    app = platform.application("intake")
    ids = []
    for _ in range(count):
        ids.append(app.register_client(WORKER, **registration_args()))
        if pace:
            time.sleep(pace)
    return ids


def store_clients_in_background(platform: Platform, count: int, pace: float) -> threading.Thread:
    thread = threading.Thread(target=store_clients, args=(platform, count, pace), daemon=True)
    thread.start()
    return thread


def applied_position(platform: Platform, service: str) -> int:
    return platform.application(service).position_of("intake")


def wait_applied(platform: Platform, services, position: int, timeout: float = 60) -> None:
    for service in services:
        wait_until(
            lambda: applied_position(platform, service) >= position,
            timeout=timeout, interval=0.2, what=f"{service} to apply intake up to {position}",
        )


def wait_caught_up(platform: Platform, services, timeout: float = 60) -> None:
    """Until each follower has applied everything intake has stored so far."""
    wait_applied(platform, services, last_published(platform.application("intake")), timeout)


def assert_each_client_on_record_once(platform: Platform, services, client_ids) -> None:
    expected = {str(i) for i in client_ids}
    for service in services:
        app = platform.application(service)
        notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
        recorded = [str(n.originator_id) for n in notifications if n.topic.endswith("ClientOnRecord.Recorded")]
        assert len(recorded) == len(set(recorded)), f"{service} applied an event twice"
        assert set(recorded) == expected, f"{service} lost {len(expected - set(recorded))} events"
        assert count_events(app, "ClientOnRecord.Recorded") == len(client_ids)


def wait_trajectory(rpc, me: dict) -> dict:
    """The client's trajectory once guidance has opened it (after intake's acceptance)."""
    def opened():
        try:
            return rpc.guidance.trajectory(me)
        except Exception:  # not there yet: guidance has not applied the acceptance
            return None

    return wait_until(opened, what="guidance to open the trajectory")
