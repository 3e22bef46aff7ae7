"""A faulty relay delivers twice, out of order, and loses messages: each event is
still applied once, in order, and the lost ones are pulled from intake's log."""
from shared.contracts import encode
from shared.outbox import Outbox
from tests.faults.helpers import assert_each_client_on_record_once, store_clients, wait_applied
from tests.support import broker


def test_duplicates_reordering_and_gaps_are_applied_once_in_order(platform):
    platform.start("intake", "serve")  # answers the gap pulls; its relay stays off
    platform.start("guidance", "serve")
    platform.wait_healthy("intake")
    platform.wait_healthy("guidance")
    client_ids = store_clients(platform, 8)
    events = {e["jwwposition"]: e for e in Outbox(platform.application("intake")).read(after=0, limit=100)}

    # 1 twice, 3 before 2, 4 and 6 never sent, 5 and 8 twice, 7 last.
    for position in (1, 1, 3, 2, 5, 8, 5, 8, 7):
        broker.publish(platform.amqp_uri, "jww.intake.events", events[position]["type"], encode(events[position]))

    wait_applied(platform, ["guidance"], 8)
    assert_each_client_on_record_once(platform, ["guidance"], client_ids)
    guidance = platform.application("guidance")
    applied_order = [
        str(n.originator_id) for n in guidance.recorder.select_notifications(start=1, limit=100)
    ]
    assert applied_order == [str(i) for i in client_ids]
