"""The gateway's nameko parts: one HTTP entrypoint that takes every request (the
route table decides, in ``api.py``), and the calls to the services over RPC with
a timeout, carrying the correlation id, any If-Match and an actor assertion along:
the services believe the signed-in person only from it (``shared.assertions``)."""
from __future__ import annotations

import logging
import re
import uuid

import eventlet
from eventlet import wsgi
from kombu.exceptions import OperationalError
from nameko.exceptions import ContainerBeingKilled, RemoteError, ReplyQueueExpiredWithPendingReplies, UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import MethodProxy, ReplyListener
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer
from werkzeug.wrappers import Request

from shared import assertions, context
from shared.assertions import ASSERTION_KEY
from shared.context import RequestContext
from shared.rpc import CORRELATION_KEY, IDEMPOTENCY_KEY, PRECONDITION_KEY
from shared.service import SETTINGS_KEY

from services.gateway import problems

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"
# What nameko answers when the instance a call reached is stopping: nothing was run.
ANSWERED_BY_A_DYING_SERVICE = {"ContainerBeingKilled"}
_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def correlation_from(headers) -> str:
    """The caller's correlation id if it is a plain one; otherwise a new one (a
    header is not trusted into logs and other services as it is)."""
    given = headers.get(CORRELATION_HEADER, "")
    return given if _CORRELATION.match(given) else uuid.uuid4().hex


class ApiServer(WebServer):
    def get_wsgi_server(self, sock, wsgi_app, protocol=HttpOnlyProtocol, debug=False):
        # No access log from the server: a request line can carry a name searched
        # for. The gateway logs each answer itself, by route template.
        return wsgi.Server(sock, sock.getsockname(), wsgi_app, protocol=protocol, debug=False, log_output=False)

    def get_wsgi_app(self):
        return EveryRequest(self)

    def context_data_from_headers(self, request):
        return {CORRELATION_KEY: correlation_from(request.headers)}


class EveryRequest:
    """The WSGI app: every request goes to the gateway's one entrypoint."""

    def __init__(self, server: ApiServer):
        self.server = server

    def __call__(self, environ, start_response):
        (entrypoint,) = self.server._providers
        return entrypoint.handle_request(Request(environ))(environ, start_response)


class Api(HttpRequestHandler):
    server = ApiServer()

    def __init__(self, **kwargs):
        super().__init__("GET", "/", **kwargs)  # unused: EveryRequest routes nothing itself

    def get_entrypoint_parameters(self, request):
        return (request,), {}

    def response_from_exception(self, exc):
        if isinstance(exc, ContainerBeingKilled):
            return problems.unavailable("gateway", effect="none").response()
        log.error("request failed", extra={"error": type(exc).__name__})
        return problems.internal("none").response()


api = Api.decorator


class SteadyReplyListener(ReplyListener):
    """nameko's listener for the services' replies, except that losing the broker
    while it acknowledges a reply does not kill the gateway.

    nameko acknowledges a reply before handing it to the waiting request and
    tolerates only amqp's own ConnectionError there: a socket reset during a broker
    restart (ConnectionResetError, BrokenPipeError) escaped, stopped the container
    and closed the HTTP port until something started the gateway again. The reply
    itself is in hand: the request gets it; the acknowledgement is moot, since the
    reply queue goes with the lost connection."""

    def handle_message(self, body, message):
        try:
            super().handle_message(body, message)
        except OSError as error:
            log.warning("could not acknowledge a reply: the broker connection was lost",
                        extra={"error": type(error).__name__})
            waiting = self._reply_events.pop(message.properties.get("correlation_id"), None)
            if waiting is not None:
                waiting.send(body)


class ServiceCalls(DependencyProvider):
    """``call(service, rpc, payload, precondition, timeout)`` for a worker."""

    rpc_reply_listener = SteadyReplyListener()

    def setup(self):
        self.signer = assertions.Signer(assertions.GATEWAY)

    def worker_setup(self, worker_ctx):
        context.use(RequestContext(correlation_id=worker_ctx.data.get(CORRELATION_KEY) or ""))

    def get_dependency(self, worker_ctx):
        timeout = self.container.config[SETTINGS_KEY].rpc_timeout_seconds
        return Caller(worker_ctx, self.rpc_reply_listener, timeout, self.signer)


# How long a request's publish waits for the broker's confirm. Without a bound, a
# queue wedged on a cluster node that restarts held every request that reached it,
# unanswered, for minutes (the fault campaign, PostgreSQL, December 2026).
CONFIRM_TIMEOUT_SECONDS = 5.0


def _timed_out(error: BaseException | None) -> bool:
    """Whether ``error``, or what it was raised from, is a wait that ran out (kombu
    wraps the socket's timeout once its retries are spent)."""
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


class Caller:
    def __init__(self, worker_ctx, reply_listener, timeout: float, signer: assertions.Signer):
        self.worker_ctx = worker_ctx
        self.reply_listener = reply_listener
        self.timeout = timeout
        self.signer = signer

    def __call__(self, service: str, rpc: str, payload=None, precondition: str | None = None,
                 timeout: float | None = None):
        timeout = timeout or self.timeout
        # What the worker context carries goes along with the call as nameko context data.
        if precondition:
            self.worker_ctx.data[PRECONDITION_KEY] = precondition
        key = context.current().idempotency_key  # a command's (api.py): the service keeps its answer under it
        if key:
            self.worker_ctx.data[IDEMPOTENCY_KEY] = key
        # The signed-in person (api.py puts the token's actor in the request context),
        # or the gateway's own system actor for what no person asks (health).
        actor = context.current().actor or assertions.system_actor(assertions.GATEWAY)
        args = () if payload is None else (payload,)
        self.worker_ctx.data[ASSERTION_KEY] = self.signer.assertion(
            actor, service, rpc, args, correlation_id=self.worker_ctx.data.get(CORRELATION_KEY) or "")
        # A command no instance took up in time expires in the service's queue rather
        # than taking effect later behind the caller's back (one already taken up by a
        # stalled instance may still: the 503 says so).
        proxy = MethodProxy(self.worker_ctx, service, rpc, self.reply_listener, expiration=timeout,
                            confirm_timeout=min(timeout, CONFIRM_TIMEOUT_SECONDS))
        try:
            reply = proxy.call_async(*args)
        except (UnknownService, OperationalError, OSError) as error:
            log.warning("service unavailable", extra={"target": service, "error": type(error).__name__})
            # A confirm that did not come back says nothing of whether the request was queued.
            raise problems.unavailable(service, effect="unknown" if _timed_out(error) else "none") from None
        finally:
            for key in (PRECONDITION_KEY, ASSERTION_KEY, IDEMPOTENCY_KEY):
                self.worker_ctx.data.pop(key, None)
        timer = eventlet.Timeout(timeout)
        try:
            return reply.result()
        except eventlet.Timeout as expired:
            if expired is not timer:
                raise
            log.warning("service did not answer in time", extra={"target": service, "rpc": rpc})
            raise problems.unavailable(service) from None
        except RemoteError as error:
            if error.exc_type not in ANSWERED_BY_A_DYING_SERVICE:
                raise
            # An instance shutting down refused the call before any worker ran it.
            log.warning("service unavailable", extra={"target": service, "error": error.exc_type})
            raise problems.unavailable(service, effect="none") from None
        except (OperationalError, OSError, ReplyQueueExpiredWithPendingReplies) as error:
            # The reply's way back broke (the broker restarted): the call may have been carried out.
            log.warning("service answer lost", extra={"target": service, "error": type(error).__name__})
            raise problems.unavailable(service) from None
        finally:
            timer.cancel()
