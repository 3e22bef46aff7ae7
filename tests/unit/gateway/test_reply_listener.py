"""The gateway's reply listener survives losing the broker while it acknowledges a
reply (issue 18's campaign: a socket reset there stopped the whole gateway)."""
from types import SimpleNamespace

from eventlet.event import Event

from services.gateway.extensions import SteadyReplyListener


class BrokenConsumer:
    def ack_message(self, message):
        raise ConnectionResetError("the broker went away")


def test_a_reply_whose_acknowledgement_fails_still_reaches_its_request():
    listener = SteadyReplyListener()
    listener.queue_consumer = BrokenConsumer()
    listener._reply_events = {"call-1": Event()}
    waiting = listener._reply_events["call-1"]
    listener.handle_message({"result": {"ok": True}, "error": None},
                            SimpleNamespace(properties={"correlation_id": "call-1"}))
    assert waiting.ready() and waiting.wait() == {"result": {"ok": True}, "error": None}
    assert listener._reply_events == {}
