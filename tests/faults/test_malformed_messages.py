"""Messages that cannot be read go to the dead-letter queue with their reason;
the messages after them are still applied."""
import json

from shared.contracts import encode
from shared.outbox import Outbox
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.followers import assert_each_client_on_record_once, store_clients, wait_caught_up


def test_malformed_messages_are_dead_lettered_with_their_reason(platform):
    platform.start_services("intake", "guidance")
    first = store_clients(platform, 1)
    wait_caught_up(platform, ["guidance"])
    genuine = Outbox(platform.application("intake")).read(after=0, limit=100)[0]
    forged_position = {"jwwposition": 1000, "jwwprevposition": 1}

    bad = {
        "not JSON": b"\x00\x01 definitely not json",
        "unknown type": encode({**genuine, **forged_position, "type": "be.jww.intake.client-teleported.v1"}),
        "schema violation": encode({**genuine, **forged_position, "data": {**genuine["data"], "legal_position": "guilty"}}),
    }
    for body in bad.values():
        broker.publish(platform.amqp_uri, "jww.intake.events", "be.jww.intake.client-registered.v1", body)
    later = store_clients(platform, 2)

    wait_caught_up(platform, ["guidance"])
    assert_each_client_on_record_once(platform, ["guidance"], first + later)
    dead_queue = "jww.guidance.from.intake.dead"
    wait_until(lambda: broker.queue_messages(platform.amqp_uri, dead_queue) == 3, what="three dead letters")
    reasons = {m.headers["x-jww-reason"] for m in broker.get_all(platform.amqp_uri, dead_queue)}
    for expected in bad:
        assert any(r.startswith(expected) for r in reasons), (expected, reasons)
    assert any("data.legal_position" in r for r in reasons)
    assert json.dumps(sorted(reasons))  # reasons are plain text an operator can read
