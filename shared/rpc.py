"""The thin layer around every RPC entrypoint: validate, call, count, and refuse clearly.

``@command(Schema)`` validates the payload against its marshmallow contract and
passes the loaded data on; refusals keep their code and field details; a domain
rule's refusal (``shared.domain``) becomes the matching refusal; a version
conflict on an aggregate becomes ``Conflict``; anything unexpected is logged by
type with the correlation id and reaches the caller only as ``InternalError``
carrying that id as reference, never a stack trace or a database message. A
refusal of a command or read about a client (``Forbidden`` from the access check, a
record's own ``NotPermitted`` rule) is put on the service's access log before the
caller hears it (``shared.access_log``).

Every call must carry an actor assertion (``shared.assertions``): ``AnsweringRpc``
checks it as the message arrives, before any worker runs, and answers
``Unauthenticated`` (one log line, a reason code) when it does not hold; a command
whose assertion another request spent already is refused before it runs
(``shared.replays``).

``Observed`` is where a worker's request context (``shared.context``) is set, from
the nameko context data the caller sent and the verified assertion: the one place
it is made.
"""
from __future__ import annotations

import functools
import logging
import re
import time
from uuid import UUID

import amqp.exceptions
import kombu.exceptions
from eventsourcing.persistence import IntegrityError
from nameko.exceptions import deserialize_to_instance
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc, RpcConsumer

from shared import access_log, assertions, concurrency, context, domain, metrics, once, outcomes, replays
from shared.assertions import ASSERTION_KEY
from shared.context import RequestContext
from shared.contracts import validate_command
from shared.errors import (
    REFUSALS, Conflict, Forbidden, InternalError, InvalidInput, NotFound, Refused, Unauthenticated, Unavailable,
)

log = logging.getLogger(__name__)

# nameko context data keys: what a caller's worker passes along with each call.
CORRELATION_KEY = "correlation_id"  # nameko propagates it to every downstream call
PRECONDITION_KEY = "jww_if_match"  # "<aggregate id>:<version>", for this call only
REQUEST_KEY = "jww_request"  # the AMQP correlation id of the request, set on receipt
VERIFIED_KEY = "jww_verified"  # the verified assertion's claims, set on receipt (whatever the caller sent)
IDEMPOTENCY_KEY = "jww_idempotency_key"  # a command's key (shared.outcomes), for this call only
# What a store raises when its database is gone for the moment (eventsourcing's,
# psycopg's own when it escapes the library, such as AdminShutdown for a killed
# connection, and sqlite3's): the caller may retry.
UNAVAILABLE_KINDS = ("OperationalError", "InterfaceError")


def store_unavailable(error: BaseException) -> bool:
    return any(kind.__name__ in UNAVAILABLE_KINDS for kind in type(error).__mro__)


for _refusal in (*REFUSALS, outcomes.CarriedOut):  # the caller gets the same class back, not a bare RemoteError
    deserialize_to_instance(_refusal)

_RULE_REFUSALS = {
    domain.NotNow: Conflict, domain.Unknown: NotFound, domain.Invalid: InvalidInput, domain.NotPermitted: Forbidden,
}


def refusal_of(rule: domain.RuleRefused) -> Refused:
    """The refusal a caller receives for a domain rule's refusal."""
    for kind, refusal in _RULE_REFUSALS.items():
        if isinstance(rule, kind):
            return refusal(rule.message, rule.details)
    return Conflict(rule.message, rule.details)


ANSWER, CARRIED_OUT, MARKER = "answer", "carried-out", "marker"


def command(schema=None, retry: str = ANSWER):
    """What a command sent again with the same idempotency key gets (``shared.outcomes``):

    - ``ANSWER``: the first answer, stored with the effect in one transaction;
    - ``CARRIED_OUT``: told it was carried out: the answer held a secret shown once
      (an enrolment code), which is not kept;
    - ``MARKER``: the command acts on its own saves once stored (an approved
      erasure destroys keys only after the approval is on record), so its saves are
      not held back; the broker's redelivery is refused as carried out
      (``shared.once``), and a retry meets the record's own rules.
    """
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self, payload=None):
            # The request's marker, before a save consumes it: a refusal's id derives from it.
            request, data = context.current().request_marker, None
            try:
                app = getattr(self, "app", None)
                if app is not None:
                    replays.refuse_replay(app)
                data = validate_command(schema, payload) if schema is not None else payload
                if app is None or retry == MARKER:
                    return fn(self, data)
                client_id = data.get("client_id") if isinstance(data, dict) else None
                return outcomes.carry_out(app, fn.__name__, payload, lambda: fn(self, data),
                                          client_id if isinstance(client_id, UUID) else None, retry == ANSWER)
            except Unauthenticated as refused:
                _log_refusal(f"{getattr(self, 'name', '')}.{fn.__name__}", refused)
                raise
            except Forbidden as refused:
                _record_refusal(self, fn.__name__, data, refused.rule, request, refused.client_id)
                raise
            except Refused:
                raise
            except domain.NotPermitted as rule:
                _record_refusal(self, fn.__name__, data, rule_code(rule), request)
                raise refusal_of(rule) from None
            except domain.RuleRefused as rule:
                raise refusal_of(rule) from None
            except IntegrityError:
                raise Conflict("the record was changed by someone else meanwhile; reload it and try again") from None
            except Exception as error:
                if store_unavailable(error):
                    # The database went away (a killed connection, a failover, a locked file):
                    # nothing was committed, or the commit's answer was lost; the same
                    # Idempotency-Key makes a retry safe either way.
                    log.warning("store unavailable", extra={"command": fn.__name__, "error": type(error).__name__})
                    raise Unavailable("the store is not answering now; retry with the same Idempotency-Key") from None
                log.error("command failed", extra={"command": fn.__name__, "error": type(error).__name__})
                raise InternalError(f"internal error; reference {context.correlation_id()}") from None

        wrapper.schema = schema  # the contract, for the gateway's routes and API document
        return wrapper

    return decorate


def rule_code(rule: domain.NotPermitted) -> str:
    """The code a record's own rule is known by in the access log: its class's name
    in snake case (``FourEyes``: ``four_eyes``), never its message, which may name
    a partner or a person."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(rule).__name__).lower()


def _record_refusal(service, what: str, data, rule: str, request, client_id=None) -> None:
    """Put a refused command or read about a client on the access log
    (shared.access_log). When the record cannot be saved, the caller still gets the
    refusal: it discloses nothing, unlike a read, whose rule is that one that cannot
    be recorded is not answered; an internal error instead would invite the same
    attempt again and hide why it is not allowed. The missing record is not silent:
    an error line names what it would have held, and a counter counts it."""
    app = getattr(service, "app", None)
    actor, client_id = (data.get("actor"), data.get("client_id") or client_id) if isinstance(data, dict) \
        else (None, None)
    if app is None or actor is None or client_id is None:
        return
    try:
        access_log.record_refusal(app, actor, client_id, what, rule, request)
    except Unauthenticated as replayed:  # a copy of this message was carried out first (shared.replays)
        _log_refusal(f"{getattr(service, 'name', app.service_name)}.{what}", replayed)
        raise
    except Exception as error:
        access_log.UNRECORDED.labels(app.service_name).inc()
        log.error("a refusal could not be recorded in the access log", extra={
            "rpc": what, "client_id": str(client_id), "actor": actor.get("user_id"), "actor_role": actor.get("role"),
            "actor_agency": actor.get("agency"), "rule": rule, "error": type(error).__name__})


def _log_refusal(rpc_name: str, refused: Unauthenticated) -> None:
    log.warning("call refused: no valid actor assertion", extra={"rpc": rpc_name, "reason": refused.reason})


class AnsweringRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, except that losing the broker while a worker answers
    does not kill the service.

    nameko sends the reply, then acknowledges the request; it tolerates only
    amqp's own ConnectionError there, so a socket reset during a broker restart
    (ConnectionResetError) escapes the worker and stops the whole container. The
    request is unacknowledged then, and the broker gives it to a worker again, as it
    would after a crash; that delivery changes nothing (shared/once.py), and the
    caller's reply queue is gone with the old connection.

    It also holds the public keys every entrypoint checks assertions with, loaded
    once as the service starts (a missing key stops it there, with its name).
    """

    def setup(self):
        super().setup()
        self.verifier = assertions.Verifier()

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except (OSError, amqp.exceptions.ConnectionError, kombu.exceptions.OperationalError) as error:
            log.warning("could not answer an RPC: the broker connection was lost",
                        extra={"error": type(error).__name__})
            return result, exc_info


class AnsweringRpc(Rpc):
    rpc_consumer = AnsweringRpcConsumer()

    def unpack_message_headers(self, message):
        # The request's own id, the same when the broker delivers it again (shared/once.py).
        data = super().unpack_message_headers(message)
        data[REQUEST_KEY] = message.properties.get("correlation_id")
        # Raised here, nameko answers the refusal itself and starts no worker.
        data[VERIFIED_KEY] = self._verified(message, data.pop(ASSERTION_KEY, None))
        return data

    def _verified(self, message, token) -> assertions.Claims:
        service, method = self.container.service_name, self.method_name
        body = message.payload
        try:
            return self.rpc_consumer.verifier.verify(
                token, service, method, body.get("args") or (), body.get("kwargs") or {},
                redelivered=bool(message.delivery_info.get("redelivered")),
            )
        except Unauthenticated as refused:
            _log_refusal(f"{service}.{method}", refused)
            metrics.COMMANDS.labels(service, method, refused.code).inc()
            raise


rpc = AnsweringRpc.decorator  # every service's RPC entrypoints


class Observed(DependencyProvider):
    """Per worker: make the caller's correlation id current (or start one), and count
    the call and its latency by outcome."""

    def worker_setup(self, worker_ctx):
        # A version the caller expects, and the request's own id, hold for this
        # command only, not for the calls it makes: taken out of what travels on.
        verified: assertions.Claims | None = worker_ctx.data.pop(VERIFIED_KEY, None)  # None: a timer
        request = context.use(RequestContext(
            correlation_id=worker_ctx.data.get(CORRELATION_KEY) or "",
            request_marker=once.marker_for(worker_ctx.data.pop(REQUEST_KEY, None)),
            precondition=concurrency.parse(worker_ctx.data.pop(PRECONDITION_KEY, None) or ""),
            idempotency_key=worker_ctx.data.pop(IDEMPOTENCY_KEY, None),
            actor=verified.actor if verified else None,
            assertion=verified.jti if verified else None,
        ))
        worker_ctx.data[CORRELATION_KEY] = request.correlation_id  # nameko passes it to downstream calls
        worker_ctx.data["_jww_started"] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        service = self.container.service_name
        name = worker_ctx.entrypoint.method_name
        elapsed = time.perf_counter() - worker_ctx.data.pop("_jww_started", time.perf_counter())
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], Refused):
            outcome = exc_info[1].code
        else:
            outcome = "error"
        metrics.COMMANDS.labels(service, name, outcome).inc()
        metrics.COMMAND_SECONDS.labels(service, name).observe(elapsed)
