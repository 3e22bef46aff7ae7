"""Whatever the service's log level, a library never logs below INFO: at DEBUG,
nameko logs RPC reply bodies and kombu/amqp log frames. Our own loggers keep the
level asked for."""
import io
import json
import logging

import pytest

from shared import logs

BODY = {"family_name": "Zyxquorbelova", "national_number": "85073003328"}


@pytest.fixture
def configured():
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level
                                           for name in (*logs.LIBRARIES, "nameko.containers")}
    logs.configure("intake", "DEBUG")
    written = io.StringIO()
    (ours,) = root.handlers
    ours.setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_at_debug_no_library_logs_a_body_and_our_own_loggers_still_do(configured):
    logging.getLogger("nameko.rpc").debug("RPC reply event complete %s %s", "reply", BODY)
    logging.getLogger("kombu.messaging").debug("publish %s", BODY)
    logging.getLogger("amqp").debug("frame %s", BODY)
    logging.getLogger("shared.relay").debug("batch", extra={"count": 3})
    logging.getLogger("nameko.runners").info("starting services: %s", "intake")
    lines = configured()
    assert [line["logger"] for line in lines] == ["shared.relay", "nameko.runners"]
    assert "Zyxquorbelova" not in json.dumps(lines)


def test_a_library_logger_set_to_debug_later_is_still_held_at_info(configured):
    logging.getLogger("nameko.rpc").setLevel(logging.DEBUG)  # as a library or a debugging session might
    logging.getLogger("nameko.rpc").debug("RPC reply event complete %s %s", "reply", BODY)
    logging.getLogger("nameko.rpc").warning("Unknown correlation id")
    assert [line["level"] for line in configured()] == ["warning"]
