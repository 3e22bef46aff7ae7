"""Safe retries (issue 18, part 1): a command with an idempotency key stores its answer
with its effect; the same request again gets that answer and changes nothing, whether
a client retried or the broker delivered it again; another payload under the same key
is refused; a key lives 24 hours; the answer is sealed under the client's key.

The RPC entrypoint is called as nameko calls it (``shared.rpc.command``), on intake in
memory, with the request context the gateway's call would set."""
import datetime as dt
import threading
import uuid

import pytest
from eventsourcing.persistence import OperationalError

from services.intake.service import IntakeService
from shared import context, once, outcomes
from shared.context import RequestContext
from shared.contracts.declare import RETENTION_CLASSES
from shared.errors import Conflict, Gone, InvalidInput, Unavailable
from tests.support import fakes
from tests.support.samples import WORKER

OTHER_WORKER = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}


@pytest.fixture(autouse=True)
def no_request_left_current():
    yield
    context.use(RequestContext())


@pytest.fixture
def intake():
    app = fakes.intake()
    return app, fakes.register(app)


def payload(client_id, question="a room for the night", actor=WORKER):
    return {"actor": actor, "client_id": str(client_id), "source": "self", "domains": ["housing"],
            "question": question, "urgency": "normal"}


def command(app, body, key="key-1", request="call-1", actor=WORKER):
    """``receive_help_request`` as the gateway's call reaches it: each call is a new
    RPC request (its own AMQP id) unless ``request`` says it is the same one again."""
    context.use(RequestContext(request_marker=once.marker_for(request), actor=actor, idempotency_key=key))
    return IntakeService.receive_help_request(type("Worker", (), {"app": app})(), body)


def help_requests(app, client_id) -> int:
    return len(app.repository.get(client_id).help_requests)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_changes_nothing(intake):
    app, client_id = intake
    first = command(app, payload(client_id), request="call-1")
    again = command(app, payload(client_id), request="call-2")  # the client retried after a 503
    assert again == first and help_requests(app, client_id) == 1
    redelivered = command(app, payload(client_id), request="call-1")  # the broker gave call-1 again
    assert redelivered == first and help_requests(app, client_id) == 1
    other = command(app, payload(client_id), key="key-2", request="call-3")  # a new key: a new command
    assert other != first and help_requests(app, client_id) == 2


def test_the_same_key_with_another_payload_is_refused_naming_the_header(intake):
    app, client_id = intake
    command(app, payload(client_id))
    with pytest.raises(InvalidInput) as refused:
        command(app, payload(client_id, question="something else"), request="call-2")
    assert list(refused.value.details) == ["Idempotency-Key"]
    assert help_requests(app, client_id) == 1


def test_keys_are_each_users_own(intake):
    app, client_id = intake
    mine = command(app, payload(client_id))
    theirs = command(app, payload(client_id, actor=OTHER_WORKER), request="call-2", actor=OTHER_WORKER)
    assert theirs != mine and help_requests(app, client_id) == 2


def test_a_key_lives_24_hours_then_names_a_new_command(intake, monkeypatch):
    app, client_id = intake
    first = command(app, payload(client_id))
    later = dt.datetime.now(dt.timezone.utc) + outcomes.LIFETIME + dt.timedelta(minutes=1)
    monkeypatch.setattr(outcomes, "_now", lambda: later)
    second = command(app, payload(client_id, question="a new question"), request="call-2")
    assert second != first and help_requests(app, client_id) == 2
    assert command(app, payload(client_id, question="a new question"), request="call-3") == second


def test_two_copies_racing_each_other_take_effect_once_and_both_get_the_answer(intake, monkeypatch):
    """The first copy is held inside the command until the second has stored its
    effect: the first then collides on the outcome's id and answers what was stored."""
    app, client_id = intake
    inside, go_on = threading.Event(), threading.Event()
    original = app.receive_help_request

    def slow_first(*args, **kwargs):
        answer = original(*args, **kwargs)
        if not inside.is_set():
            inside.set()
            go_on.wait(10)
        return answer

    monkeypatch.setattr(app, "receive_help_request", slow_first)
    answers = {}
    first = threading.Thread(target=lambda: answers.update(first=command(app, payload(client_id), request="a")))
    first.start()
    assert inside.wait(10)
    answers["second"] = command(app, payload(client_id), request="b")
    go_on.set()
    first.join(10)
    assert answers["first"] == answers["second"] and help_requests(app, client_id) == 1


def test_a_command_reads_its_own_saves_while_they_are_held_back(intake):
    app, client_id = intake
    context.use(RequestContext(request_marker=once.marker_for("call-1"), actor=WORKER, idempotency_key="k"))
    answer = outcomes.carry_out(app, "two_help_requests", {}, lambda: [
        app.receive_help_request(WORKER, client_id, "self", ["housing"], "one", "normal"),
        app.receive_help_request(WORKER, client_id, "self", ["housing"], "two", "normal")])
    assert len(answer) == 2 and help_requests(app, client_id) == 2


def test_the_answer_is_sealed_under_the_clients_key_and_erased_with_it(intake):
    app, client_id = intake
    answer = command(app, payload(client_id))
    key = outcomes.outcome_id(WORKER["user_id"], "key-1")
    (stored,) = app.recorder.select_events(key)
    assert answer["request_id"].encode() not in stored.state  # sealed, not in clear
    app.data_keys.shred(client_id, RETENTION_CLASSES, "erasure decision 7")
    with pytest.raises(Gone):
        command(app, payload(client_id), request="call-2")


def test_without_a_key_a_redelivered_request_is_still_refused_as_carried_out(intake):
    """Callers other than the gateway send no key: the once-marker holds as before."""
    app, client_id = intake
    command(app, payload(client_id), key=None, request="call-1")
    with pytest.raises(Conflict):
        command(app, payload(client_id), key=None, request="call-1")
    assert help_requests(app, client_id) == 1


def test_a_store_that_does_not_answer_is_unavailable_not_an_internal_error(intake, monkeypatch):
    app, client_id = intake

    def gone(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(app, "commit", gone)
    with pytest.raises(Unavailable):
        command(app, payload(client_id))
    monkeypatch.undo()
    assert command(app, payload(client_id), request="call-2")["request_id"]  # the retry goes through
    assert help_requests(app, client_id) == 1
    assert uuid.UUID(command(app, payload(client_id), request="call-3")["request_id"])


def test_a_killed_postgresql_connection_is_unavailable_too():
    """psycopg's own error for pg_terminate_backend escapes the library unwrapped."""
    import psycopg.errors

    from shared.rpc import store_unavailable

    assert store_unavailable(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))
    assert store_unavailable(OperationalError("database is locked"))
    assert not store_unavailable(ValueError("a bug"))
