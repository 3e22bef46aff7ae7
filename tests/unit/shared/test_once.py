"""A request the broker delivers again changes nothing the second time."""
import pytest

from shared import context, once
from shared.context import RequestContext
from shared.errors import Conflict
from tests.support.samples import WORKER
from tests.support import fakes


@pytest.fixture(autouse=True)
def no_request_left_current():
    yield
    context.use(RequestContext(request_marker=once.marker_for(None)))


def help_request(app, client_id):
    return app.receive_help_request(WORKER, client_id, "self", ["housing"], "a room", "normal")


def test_a_redelivered_request_is_refused_and_stores_nothing():
    app = fakes.intake()
    client_id = fakes.register(app)
    context.use(RequestContext(request_marker=once.marker_for("call-1")))
    help_request(app, client_id)
    context.use(RequestContext(request_marker=once.marker_for("call-1")))  # the same request, delivered again after the broker came back
    with pytest.raises(Conflict) as refused:
        help_request(app, client_id)
    context.use(RequestContext(request_marker=once.marker_for("call-2")))  # a new request does the same thing again, on purpose
    help_request(app, client_id)
    assert refused.value.details == {"request": ["already carried out"]}
    assert len(app.repository.get(client_id).help_requests) == 2


def test_a_request_may_save_more_than_once():
    app = fakes.intake()
    context.use(RequestContext(request_marker=once.marker_for("call-1")))
    client_id = fakes.register(app)  # one save
    help_request(app, client_id)  # a second save of the same request
    assert len(app.repository.get(client_id).help_requests) == 1


def test_outside_a_request_nothing_is_marked():
    app = fakes.intake()
    client_id = fakes.register(app)
    help_request(app, client_id)
    help_request(app, client_id)
    assert len(app.repository.get(client_id).help_requests) == 2
