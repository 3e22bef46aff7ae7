"""A worker's answer when the broker is lost meanwhile: the service lives on."""
import logging

import pytest

from shared import rpc


class Request:
    """A request whose connection was reset under it, as in a broker restart."""

    def __init__(self, error):
        self.error = error

    def ack(self):
        raise self.error


class Consumer:
    def ack_message(self, message):
        message.ack()


@pytest.fixture
def consumer(monkeypatch):
    class Responder:
        def __init__(self, *args, **kwargs):
            pass

        def send_response(self, result, exc_info):
            return result, exc_info

    monkeypatch.setattr("nameko.rpc.Responder", Responder)
    the_consumer = rpc.AnsweringRpcConsumer()
    the_consumer.container = type("Container", (), {"config": {"AMQP_URI": "amqp://unused"}})()
    the_consumer.queue_consumer = Consumer()
    return the_consumer


@pytest.mark.parametrize("error", [ConnectionResetError(104, "Connection reset by peer"), BrokenPipeError()])
def test_a_reset_connection_while_answering_is_logged_not_raised(consumer, error, caplog):
    with caplog.at_level(logging.WARNING):
        assert consumer.handle_result(Request(error), {"ok": 1}, None) == ({"ok": 1}, None)
    assert "the broker connection was lost" in caplog.text


def test_any_other_failure_while_answering_still_surfaces(consumer):
    with pytest.raises(KeyError):
        consumer.handle_result(Request(KeyError("a bug")), {"ok": 1}, None)
