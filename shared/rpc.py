"""The thin layer around every RPC entrypoint: validate, call, count, and refuse clearly.

``@command(Schema)`` validates the payload against its marshmallow contract and
passes the loaded data on; refusals keep their code and field details; a domain
rule's refusal (``shared.domain``) becomes the matching refusal; a version
conflict on an aggregate becomes ``Conflict``; anything unexpected is logged by
type with the correlation id and reaches the caller only as ``InternalError``
carrying that id as reference, never a stack trace or a database message.

``Observed`` is where a worker's request context (``shared.context``) is set, from
the nameko context data the caller sent: the one place it is made.
"""
from __future__ import annotations

import functools
import logging
import time

import amqp.exceptions
import kombu.exceptions
from eventsourcing.persistence import IntegrityError
from nameko.exceptions import deserialize_to_instance
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc, RpcConsumer

from shared import concurrency, context, domain, metrics, once
from shared.context import RequestContext
from shared.contracts import validate_command
from shared.errors import REFUSALS, Conflict, Forbidden, InternalError, InvalidInput, NotFound, Refused

log = logging.getLogger(__name__)

# nameko context data keys: what a caller's worker passes along with each call.
CORRELATION_KEY = "correlation_id"  # nameko propagates it to every downstream call
PRECONDITION_KEY = "jww_if_match"  # "<aggregate id>:<version>", for this call only
REQUEST_KEY = "jww_request"  # the AMQP correlation id of the request, set on receipt

for _refusal in REFUSALS:  # the caller gets the same class back, not a bare RemoteError
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


def command(schema=None):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self, payload=None):
            try:
                data = validate_command(schema, payload) if schema is not None else payload
                return fn(self, data)
            except Refused:
                raise
            except domain.RuleRefused as rule:
                raise refusal_of(rule) from None
            except IntegrityError:
                raise Conflict("the record was changed by someone else meanwhile; reload it and try again") from None
            except Exception as error:
                log.error("command failed", extra={"command": fn.__name__, "error": type(error).__name__})
                raise InternalError(f"internal error; reference {context.correlation_id()}") from None

        wrapper.schema = schema  # the contract, for the gateway's routes and API document
        return wrapper

    return decorate


class AnsweringRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, except that losing the broker while a worker answers
    does not kill the service.

    nameko sends the reply, then acknowledges the request; it tolerates only
    amqp's own ConnectionError there, so a socket reset during a broker restart
    (ConnectionResetError) escapes the worker and stops the whole container. The
    request is unacknowledged then, and the broker gives it to a worker again, as it
    would after a crash; that delivery changes nothing (shared/once.py), and the
    caller's reply queue is gone with the old connection.
    """

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
        return data


rpc = AnsweringRpc.decorator  # every service's RPC entrypoints


class Observed(DependencyProvider):
    """Per worker: make the caller's correlation id current (or start one), and count
    the call and its latency by outcome."""

    def worker_setup(self, worker_ctx):
        # A version the caller expects, and the request's own id, hold for this
        # command only, not for the calls it makes: taken out of what travels on.
        request = context.use(RequestContext(
            correlation_id=worker_ctx.data.get(CORRELATION_KEY) or "",
            request_marker=once.marker_for(worker_ctx.data.pop(REQUEST_KEY, None)),
            precondition=concurrency.parse(worker_ctx.data.pop(PRECONDITION_KEY, None) or ""),
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
