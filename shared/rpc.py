"""The thin layer around every RPC entrypoint: validate, call, count, and refuse clearly.

``@command(Schema)`` validates the payload against its marshmallow contract and
passes the loaded data on; refusals keep their code and field details; a version
conflict on an aggregate becomes ``Conflict``; anything unexpected is logged by
type with the correlation id and reaches the caller only as ``InternalError``
carrying that id as reference, never a stack trace or a database message.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from uuid import UUID

import amqp.exceptions
import kombu.exceptions
from eventsourcing.persistence import IntegrityError
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc, RpcConsumer

from shared import concurrency, correlation, metrics, once
from shared.contracts import validate_command
from shared.errors import Conflict, InternalError, Refused

log = logging.getLogger(__name__)


def command(schema=None):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self, payload=None):
            try:
                data = validate_command(schema, payload) if schema is not None else payload
                return fn(self, data)
            except Refused:
                raise
            except IntegrityError:
                raise Conflict("the record was changed by someone else meanwhile; reload it and try again") from None
            except Exception as error:
                log.error("command failed", extra={"command": fn.__name__, "error": type(error).__name__})
                raise InternalError(f"internal error; reference {correlation.current()}") from None

        wrapper.schema = schema  # the contract, for the gateway's routes and API document
        return wrapper

    return decorate


def jsonable(value):
    """Dates, times and ids as strings, recursively: what RPC callers receive is JSON."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


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
        data[once.CONTEXT_KEY] = message.properties.get("correlation_id")
        return data


rpc = AnsweringRpc.decorator  # every service's RPC entrypoints


class Observed(DependencyProvider):
    """Per worker: make the caller's correlation id current (or start one), and count
    the call and its latency by outcome."""

    def worker_setup(self, worker_ctx):
        cid = correlation.use(worker_ctx.data.get(correlation.CONTEXT_KEY))
        worker_ctx.data[correlation.CONTEXT_KEY] = cid  # nameko passes it to downstream calls
        # A version the caller expects holds for this command only, not for calls it makes.
        concurrency.use(worker_ctx.data.pop(concurrency.CONTEXT_KEY, None))
        once.use(worker_ctx.data.pop(once.CONTEXT_KEY, None))
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
