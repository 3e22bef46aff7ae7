"""A request whose publish is not confirmed in time: answered 503, saying the command
may have taken effect (the broker may have queued it before the confirm was lost)."""
from kombu.exceptions import OperationalError

from services.gateway.extensions import _timed_out


def _raised_from(cause: BaseException) -> OperationalError:
    try:
        try:
            raise cause
        except BaseException as error:
            raise OperationalError("publish failed") from error
    except OperationalError as wrapped:
        return wrapped


def test_a_confirm_that_ran_out_is_told_apart_from_a_broker_that_refused_the_connection():
    assert _timed_out(TimeoutError("timed out"))
    assert _timed_out(_raised_from(TimeoutError("timed out")))  # kombu, its retries spent
    assert not _timed_out(_raised_from(ConnectionRefusedError(111, "refused")))  # never sent
    assert not _timed_out(OperationalError("no route"))

