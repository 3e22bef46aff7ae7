"""A faulty relay delivers twice, out of order, and loses messages: each event is
still applied once, in order, and the lost ones are pulled from intake's log."""
from shared.contracts import encode
from shared.outbox import Outbox
from tests.support import broker
from tests.support.followers import assert_each_client_on_record_once, store_clients, wait_applied


def test_duplicates_reordering_and_gaps_are_applied_once_in_order(platform):
    platform.start("intake", "serve")  # answers the gap pulls; its relay stays off
    platform.start("guidance", "serve")
    platform.wait_healthy("intake")
    platform.wait_healthy("guidance")
    client_ids = store_clients(platform, 8)
    published = Outbox(platform.application("intake")).read(after=0, limit=1000)
    events = [e for e in published if e["type"].endswith(".client-registered.v1")]
    assert len(events) == 8

    # The 1st twice, the 3rd before the 2nd, the 4th and 6th never sent, the 5th and
    # 8th twice, the 7th last.
    for index in (0, 0, 2, 1, 4, 7, 4, 7, 6):
        broker.publish(platform.amqp_uri, "jww.intake.events", events[index]["type"], encode(events[index]))

    wait_applied(platform, ["guidance"], events[-1]["jwwposition"])
    assert_each_client_on_record_once(platform, ["guidance"], client_ids)
    guidance = platform.application("guidance")
    applied_order = [
        str(n.originator_id) for n in guidance.recorder.select_notifications(start=1, limit=100)
    ]
    assert applied_order == [str(i) for i in client_ids]
