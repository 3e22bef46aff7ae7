import pytest

from services.intake.application import IntakeApplication
from shared import context, once
from shared.config import DEPLOY_DIR
from shared.context import RequestContext
from shared.outbox import Outbox
from tests.support.fakes import IN_MEMORY
from tests.support.samples import WORKER, registration_args


@pytest.fixture
def intake():
    app = IntakeApplication(env=IN_MEMORY)
    app.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    return app


@pytest.fixture
def register(intake):
    """Register a client (the sample person unless overridden); returns its id."""
    def register_one(actor=WORKER, **overrides):
        return intake.register_client(actor, **registration_args(**overrides))
    return register_one


@pytest.fixture
def published(intake):
    """The types (e.g. ``consent-given``) of what intake has published so far."""
    return lambda: [e["type"].split(".")[3] for e in Outbox(intake).read(after=0, limit=1000)]


@pytest.fixture
def new_request():
    """Make a new RPC request current: its first save stores the request's marker too
    (shared/once.py), so a command that changes nothing must not save at all."""
    count = iter(range(1, 1000))
    yield lambda: context.use(RequestContext(request_marker=once.marker_for(f"call-{next(count)}")))
    context.use(RequestContext())
