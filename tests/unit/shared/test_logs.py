import json
import logging

from shared import context
from shared.context import RequestContext
from shared.logs import JsonFormatter


def format_record(**kwargs):
    record = logging.LogRecord("jww.test", logging.WARNING, __file__, 1, "client refused", None, None)
    for key, value in kwargs.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter("intake").format(record))


def test_a_log_line_is_json_with_the_current_correlation_id():
    context.use(RequestContext(correlation_id="c0ffee"))
    entry = format_record(upstream="intake")
    assert entry["correlation_id"] == "c0ffee"
    assert entry["service"] == "intake"
    assert entry["upstream"] == "intake"
    assert entry["level"] == "warning"


def test_an_exception_is_logged_by_type_and_place_never_by_its_message():
    try:
        raise ValueError("national number 85073003328 is invalid")
    except ValueError:
        import sys

        entry = format_record(exc_info=sys.exc_info())
    text = json.dumps(entry)
    assert entry["error"] == "ValueError"
    assert "85073003328" not in text
    assert any("test_logs.py" in where for where in entry["where"])
