"""The one request context (shared/context.py)."""
import threading

from shared import context
from shared.context import RequestContext


def test_a_context_without_a_correlation_id_gets_a_new_one():
    made = context.use(RequestContext())
    assert len(made.correlation_id) == 32 and context.correlation_id() == made.correlation_id
    assert context.use(RequestContext(correlation_id="c0ffee")).correlation_id == "c0ffee"


def test_each_thread_has_its_own_context():
    context.use(RequestContext(correlation_id="main"))
    seen = []
    worker = threading.Thread(target=lambda: seen.append(context.correlation_id()))
    worker.start()
    worker.join()
    assert seen == [""] and context.correlation_id() == "main"
