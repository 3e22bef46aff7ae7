"""One HTTP request in, one answer out: route it, authenticate it, build the RPC
payload, call the service, and answer JSON or a problem (``problems.py``).

Nothing here knows nameko: the service calls come in as a function, so the HTTP
behaviour is tested without a broker, and the running gateway passes its RPC
proxies (``extensions.py``).
"""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
import logging
import re
import time
import uuid
from typing import Callable

import eventlet
from marshmallow import RAISE, Schema, fields, validate
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from shared import concurrency, config, context, keys, metrics, outcomes
from shared.context import RequestContext
from shared.contracts import accounts, validate_command
from shared.errors import InvalidInput, Refused
from shared.errors import NotFound as NoSuchRecord

from services.gateway import calendar, lists, problems, subject_access
from services.gateway.auth import Revocations, Tokens
from services.gateway.openapi import IDEMPOTENCY_KEY
from services.gateway.problems import Problem
from services.gateway.routes import ROUTES, Route

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
HEALTH_TIMEOUT_SECONDS = 2.0
# Gateway's own endpoints: (method, path, name); everything else is in routes.ROUTES.
OWN = (("POST", "/auth/token", "token"), ("POST", "/auth/refresh", "refresh"), ("POST", "/auth/sign-out", "sign_out"),
       ("POST", "/auth/enrol", "enrol"),
       ("GET", "/openapi.json", "openapi"), ("GET", "/health", "health"),
       ("GET", "/.well-known/jwks.json", "jwks"), ("GET", "/", "index"),
       ("GET", "/clients/<client_id>/subject-access", "subject_access"),
       # The worker's agenda and calendar feed (calendar.py): the feed's secret address is its own sign-in.
       ("GET", "/agenda", "agenda"), ("POST", "/me/calendar-feed", "calendar_feed_on"),
       ("DELETE", "/me/calendar-feed", "calendar_feed_off"), ("GET", "/me/calendar-feed", "calendar_feed_state"),
       ("GET", "/calendar/<secret>.ics", "calendar"))
# The gateway's own endpoints that take a bearer token.
SIGNED_IN_OWN = {"agenda", "calendar_feed_on", "calendar_feed_off", "calendar_feed_state"}

# Refused outright, with what to do instead: a client search by GET would put names
# and national numbers in the URL, which proxies and access logs keep.
MOVED = (("GET", "/clients", "search_by_post"),)
# Every answer: no content sniffing, no URL (with its ids) sent on as a Referer.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# The answers that hold nothing personal and may be cached; every other one is no-store.
CACHEABLE_LABELS = {"/health", "/openapi.json", "/.well-known/jwks.json"}
# Metric labels come from fixed sets only: a method a client invents is "other".
METHOD_LABELS = ("GET", "POST", "PUT", "DELETE")

# call(service, rpc, payload or None, precondition or None, timeout or None) -> the service's answer
Call = Callable[..., object]


class TokenRequest(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # The authenticator app's code: required of coordinators, auditors and admins.
    totp = fields.String(validate=validate.Regexp(r"^([0-9]{6})?$", error="six digits, from your authenticator app"))


class RefreshRequest(Schema):
    class Meta:
        unknown = RAISE

    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class EnrolRequest(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    enrolment_code = fields.String(required=True, validate=accounts.ENROLMENT_CODE)
    password = fields.String(required=True, validate=accounts.PASSWORD)
    second_factor = fields.Boolean(load_default=False)  # coordinators, auditors and admins get one anyway


class SubjectAccessRequest(Schema):
    class Meta:
        unknown = RAISE

    client_id = fields.UUID(required=True)
    language = fields.String(load_default=None, validate=validate.OneOf(subject_access.LANGUAGES))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "text")))


def _client(request: Request) -> str:
    """The address a sign-in came from, for its throttle: the peer's, as the socket
    says (a TLS-terminating proxy in front sets it through its own trusted hop)."""
    return (request.remote_addr or "")[:64]


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    # The newline keeps a terminal tidy after curl.
    return Response(json.dumps(body) + "\n", status=status, mimetype="application/json", headers=headers or {})


@lru_cache(maxsize=4)
def url_map(routes: tuple[Route, ...]) -> Map:
    """The routes' URL map, compiled once per process (werkzeug compiles each rule
    to Python code: over a second for the API and the pages' two hundred rules)."""
    rules = [Rule(r.rule, methods=[r.method], endpoint=r) for r in routes]
    rules += [Rule(path, methods=[method], endpoint=name) for method, path, name in OWN + MOVED]
    # No redirects: /clients/ is /clients, and // is simply not found.
    return Map(rules, strict_slashes=False, merge_slashes=False)


class Gateway:
    def __init__(self, tokens: Tokens, revocations: Revocations, routes: tuple[Route, ...] = ROUTES, pages=None):
        self.tokens = tokens
        self.revocations = revocations  # accounts' revocations, refreshed every few seconds (auth.py)
        self.pages = pages  # the web pages under /app/ and /static/ (services/gateway/pages), when served
        self.routes = routes
        self.urls = url_map(routes)
        # Each rule as written -> its methods: every request asks (``_literal``), so
        # looked up here once rather than by a walk over all the rules per request.
        self._written: dict[str, set[str]] = {}
        for rule in self.urls.iter_rules():
            self._written.setdefault(rule.rule, set()).update(rule.methods)
        self._fields = {r: _fields(r.schema) for r in routes if r.schema is not None}
        self._document: dict | None = None
        self._jwks_document: dict | None = None

    # -- the request ------------------------------------------------------------------

    def handle(self, request: Request, call: Call) -> Response:
        started = time.perf_counter()
        cid = context.correlation_id() or context.use(RequestContext()).correlation_id  # the worker set the caller's
        label, actor = "unmatched", None
        try:
            if self.pages is not None and self.pages.owns(request.path):
                # HTML for people: the pages answer their own problems, in the person's language.
                label, response = self.pages.handle(request, call)
                actor = context.current().actor
            else:
                endpoint, values = self._match(request)
                label = route_label(endpoint)
                if isinstance(endpoint, Route):
                    actor = self._signed_in(request, call)
                    context.current().actor = actor  # what the calls to services assert (extensions.py)
                    response = self._call(endpoint, values, request, actor, call)
                elif endpoint == "subject_access":  # signed in, and more than one service
                    actor = self._signed_in(request, call)
                    context.current().actor = actor
                    response = self._subject_access(request, call, actor, values["client_id"])
                elif endpoint in SIGNED_IN_OWN:
                    actor = self._signed_in(request, call)
                    context.current().actor = actor
                    response = getattr(self, f"_{endpoint}")(request, call, actor)
                elif endpoint == "calendar":
                    response, actor = self._calendar(request, call, values["secret"])
                else:
                    response = getattr(self, f"_{endpoint}")(request, call)
        except Problem as problem:
            response = problem.response(cid)
        except Refused as refused:
            response = problems.from_refusal(refused, cid).response(cid)
        except Exception as error:
            # The type only: an exception's message or locals can carry personal data.
            log.error("request failed", extra={"route": label, "error": type(error).__name__,
                                               "remote_error": getattr(error, "exc_type", None)})
            response = problems.internal(cid).response(cid)
        response.headers["X-Correlation-ID"] = cid
        secure(response, cacheable=label in CACHEABLE_LABELS or label.startswith("/static/"))
        elapsed = time.perf_counter() - started
        method = method_label(request.method)
        metrics.HTTP_REQUESTS.labels(label, method, str(response.status_code)).inc()
        metrics.HTTP_SECONDS.labels(label, method).observe(elapsed)
        who = {"actor": actor["user_id"], "actor_role": actor["role"], "actor_agency": actor["agency"]} if actor else {}
        log.info("answered", extra={"method": request.method, "route": label, "status": response.status_code,
                                    "ms": round(elapsed * 1000, 1), **who})
        return response

    def _signed_in(self, request: Request, call: Call, claims: dict | None = None) -> dict:
        """The actor of the request's bearer token: signed by this platform, not expired,
        not revoked (a deactivated account, a signed-out token)."""
        claims = claims or self.tokens.claims(request.headers.get("Authorization"))
        self.revocations.check(claims, call)
        return self.tokens.actor_of(claims)

    def _match(self, request: Request):
        try:
            literal = self._literal(request.path)
            if literal and request.method not in literal:  # GET /clients/search is not a client file
                raise MethodNotAllowed(valid_methods=sorted(literal))
            return self.urls.bind_to_environ(request.environ).match()
        except NotFound:
            raise Problem(404, "there is no such resource; see /openapi.json for what there is") from None
        except MethodNotAllowed as error:
            allowed = self._allowed(request.path, error.valid_methods or ())
            raise Problem(405, f"this resource answers {', '.join(allowed)}",
                          headers={"Allow": ", ".join(allowed)}) from None
        except HTTPException as error:
            raise Problem(error.code or 400, error.description or "bad request") from None

    def _allowed(self, path: str, valid: list[str]) -> list[str]:
        """The methods a path answers, as documented: a literal path's own rules when it
        has any (/clients/search is not also /clients/{client_id}), never a refused one."""
        literal = self._literal(path)
        refused = {m for m, moved, _ in MOVED if moved == (path if path == "/" else path.removesuffix("/"))}
        if "GET" in refused:
            refused.add("HEAD")  # werkzeug answers HEAD wherever GET is
        return sorted((literal or set(valid)) - refused)

    def _literal(self, path: str) -> set[str]:
        """The methods of the rules written as exactly this path, with no placeholder."""
        if "//" in path:
            return set()  # simply not found (merge_slashes is off)
        path = path if path == "/" else path.removesuffix("/")
        return set(self._written.get(path, ()))

    # -- a route to a service ---------------------------------------------------------------

    def _call(self, route: Route, values: dict, request: Request, actor: dict, call: Call) -> Response:
        wanted = lists.wanted(route, request.args) if route.filters is not None else None
        # The caller's key makes a retry safe; without one, the gateway's own still
        # answers a request the broker delivers again with its first outcome. A read has none.
        context.current().idempotency_key = (idempotency_key(request) or uuid.uuid4().hex) if route.command else None
        payload = self._payload(route, values, request, actor)
        answer = call(route.service, route.rpc, payload, self._precondition(route, request))
        if route.csv and request.accept_mimetypes.best_match(("application/json", "text/csv")) == "text/csv":
            return Response(route.csv(answer), status=route.status, mimetype="text/csv",
                            headers={"Cache-Control": "no-store"})
        headers = {"Cache-Control": "no-store"}
        if route.etag and isinstance(answer, dict) and answer.get(route.etag) and "version" in answer:
            headers["ETag"] = f'"{concurrency.tag(answer[route.etag], answer["version"])}"'
        if wanted is not None and isinstance(answer, list):
            answer, more = lists.page(answer, wanted, request.args, request.path)
            headers.update(more)
        return json_response(answer, route.status, headers)

    def _payload(self, route: Route, values: dict, request: Request, actor: dict) -> dict | None:
        reserved = lists.reserved(route)
        if route.schema is None:
            unknown = {key: ["Unknown field."] for key in request.args if key not in reserved}
            if unknown:
                raise problems.invalid("the request has unknown parameters", unknown)
            return None
        if not route.reads and route.filters is not None:  # a search by POST: its criteria never in the URL
            unknown = {key: ["give it in the JSON body, not in the URL"] for key in request.args if key not in reserved}
            if unknown:
                raise problems.invalid("the request has parameters that belong in the body", unknown)
        known = self._fields[route]
        if route.reads:
            data = {key: _from_query(known.get(key), request.args.getlist(key))
                    for key in request.args if key not in reserved}
        else:
            data = _body(request)
        errors = {name: [f"is given by {'your sign-in' if name == 'actor' else 'the path'}; leave it out"]
                  for name in ("actor", *route.path_params) if name in data}
        if errors:
            raise problems.invalid("the request names what it may not", errors)
        data.update({name: _scalar(known.get(name), value) for name, value in values.items()})
        data["actor"] = actor
        return data

    def _precondition(self, route: Route, request: Request) -> str | None:
        """The record and version a command's If-Match names (None when it names none)."""
        header = request.headers.get("If-Match")
        if route.method == "GET" or route.filters is not None or header is None or header.strip() == "*":
            return None
        value = header.strip()
        tag = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else None
        if tag is None or concurrency.parse(tag) is None:
            raise problems.bad_request("If-Match takes one ETag as this API gave it, quotes included",
                                       {"If-Match": ["not an ETag of this API"]})
        return tag

    # -- the gateway's own endpoints ----------------------------------------------------

    def _token(self, request: Request, call: Call) -> Response:
        """Sign in: accounts checks the password (throttled, WAVE2 7); the token is signed here."""
        try:
            given = validate_command(TokenRequest, _body(request))
        except InvalidInput as error:
            raise problems.invalid(error.message, error.details) from None
        answer = call("accounts", "sign_in", {**given, "client": _client(request)}, None)
        return self._session(answer, "wrong username or password")

    def _refresh(self, request: Request, call: Call) -> Response:
        """A new token (and refresh token) for a session still open of an active account."""
        try:
            given = validate_command(RefreshRequest, _body(request))
        except InvalidInput as error:
            raise problems.invalid(error.message, error.details) from None
        answer = call("accounts", "refresh", {**given, "client": _client(request)}, None)
        return self._session(answer, "the refresh token is not valid; sign in again")

    def _enrol(self, request: Request, call: Call) -> Response:
        """With the one-time code an admin handed over, the person chooses their password;
        the answer holds their new second factor's seed (shown this once) where one is given."""
        try:
            given = validate_command(EnrolRequest, _body(request))
        except InvalidInput as error:
            raise problems.invalid(error.message, error.details) from None
        answer = call("accounts", "enrol", {"username": given["username"], "enrolment_code": given["enrolment_code"],
                                            "password": given["password"], "client": _client(request),
                                            "second_factor_wanted": given["second_factor"]}, None)
        self._throttled(answer)
        if answer["outcome"] != "enrolled":
            raise problems.unauthenticated("the enrolment code is not valid or has run out; ask an admin for a "
                                           "new one", error=None)
        body = {"username": answer["username"], "totp_seed": answer["totp_seed"], "totp_uri": answer["totp_uri"],
                "next": "sign in: POST /auth/token" + (" with your authenticator app's code as totp"
                                                       if answer["totp_seed"] else "")}
        return json_response(body, 200, {"Cache-Control": "no-store"})

    @staticmethod
    def _throttled(answer: dict) -> None:
        if answer["outcome"] == "throttled":
            raise Problem(429, "too many failed attempts; try again later", "throttled",
                          headers={"Retry-After": str(answer["retry_after"])})
        if answer["outcome"] == "busy":
            # Every password-check slot taken: answered at once, no hash computed.
            raise Problem(429, "too many sign-ins at once; try again in a moment", "busy",
                          headers={"Retry-After": str(answer["retry_after"])})

    def _session(self, answer: dict, refused: str) -> Response:
        outcome = answer["outcome"]
        self._throttled(answer)
        if outcome == "code_required":
            raise Problem(401, "this account needs the code of its authenticator app: send it as totp",
                          "totp_required", headers={"WWW-Authenticate": 'Bearer realm="jww"'})
        if outcome != "signed_in":
            raise problems.unauthenticated(refused, error=None)
        actor = answer["actor"]
        log.info("signed in", extra={"actor": actor["user_id"], "actor_role": actor["role"],
                                     "actor_agency": actor["agency"]})
        body = {**self.tokens.issue(actor, answer["session_id"]), "refresh_token": answer["refresh_token"]}
        return json_response(body, 200, {"Cache-Control": "no-store"})

    def _sign_out(self, request: Request, call: Call) -> Response:
        """The token is refused from now on, and its session can no longer be refreshed."""
        claims = self.tokens.claims(request.headers.get("Authorization"))
        self._signed_in(request, call, claims)
        until = dt.datetime.fromtimestamp(claims["exp"], dt.timezone.utc)
        call("accounts", "sign_out", {"user_id": claims["sub"], "jti": claims.get("jti") or "",
                                      "until": until.isoformat(), "session_id": claims.get("sid")}, None)
        self.revocations.deny(claims.get("jti") or "", until)
        return json_response({"signed_out": True}, 200, {"Cache-Control": "no-store"})

    def _openapi(self, request: Request, call: Call) -> Response:
        if self._document is None:
            from services.gateway.openapi import document

            self._document = document(self.routes)
        return json_response({**self._document, "servers": [{"url": request.host_url.rstrip("/")}]})

    def _health(self, request: Request, call: Call) -> Response:
        """The gateway answers; and which services answer it now."""

        def ask(service: str) -> tuple[str, str]:
            try:
                call(service, "health", None, None, HEALTH_TIMEOUT_SECONDS)
                return service, "ok"
            except Exception:
                return service, "unavailable"

        services = dict(eventlet.GreenPool().imap(ask, config.SERVICES))
        return json_response({"status": "ok", "services": services}, 200, {"Cache-Control": "no-store"})

    def _subject_access(self, request: Request, call: Call, actor: dict, client_id: str) -> Response:
        """Everything the platform holds about a client, for the client: each service's
        part, in one document (JSON, or ``format=text`` to read), in ``language`` or the
        client's preferred one. Each service checks who asks and records the read."""
        given = validate_command(SubjectAccessRequest, {**request.args.to_dict(), "client_id": client_id})
        doc = subject_access.assemble(call, actor, str(given["client_id"]), given.get("language"))
        if doc is None:
            raise NoSuchRecord("no such client", {"client_id": ["not found"]})
        language = doc["language"]
        headers = {"Cache-Control": "no-store", "Content-Language": language}
        if given["format"] == "text":
            return Response(subject_access.render(doc), status=200, mimetype="text/plain", headers=headers)
        return json_response(doc, 200, headers)

    def _agenda(self, request: Request, call: Call, actor: dict) -> Response:
        """What falls due between two days (this week by default) across the actor's
        clients, or for a coordinator the agency's or one worker's."""
        given = validate_command(calendar.AgendaRequest, request.args.to_dict())
        monday, sunday = calendar.this_week(dt.datetime.now(dt.timezone.utc).date())
        since, until = given["since"] or monday, given["until"] or sunday
        answer = calendar.agenda(call, actor, since, until, given["worker"])
        return json_response(answer, 200, {"Cache-Control": "no-store"})

    def _calendar_feed_on(self, request: Request, call: Call, actor: dict) -> Response:
        """Turn one's calendar feed on, or renew its address: the answer's path is shown
        this once; the address before answers 404 from now on."""
        context.current().idempotency_key = idempotency_key(request) or uuid.uuid4().hex
        answer = call("accounts", "open_calendar_feed", {"actor": actor}, None)
        return json_response(answer, 201, {"Cache-Control": "no-store"})

    def _calendar_feed_off(self, request: Request, call: Call, actor: dict) -> Response:
        context.current().idempotency_key = idempotency_key(request) or uuid.uuid4().hex
        return json_response(call("accounts", "close_calendar_feed", {"actor": actor}, None), 200,
                             {"Cache-Control": "no-store"})

    def _calendar_feed_state(self, request: Request, call: Call, actor: dict) -> Response:
        """Whether one's calendar feed is on (its address is never shown again)."""
        return json_response(call("accounts", "calendar_feed", {"actor": actor}, None), 200,
                             {"Cache-Control": "no-store"})

    def _calendar(self, request: Request, call: Call, secret: str) -> tuple[Response, dict]:
        """The feed at a secret address: no sign-in, the address is the key; a wrong,
        renewed or revoked one is simply not found."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,100}", secret):
            raise Problem(404, "there is no such calendar")
        owner = call("accounts", "calendar_feed_owner", {"secret": secret}, None)
        context.current().actor = owner["actor"]  # guidance answers the owner, as the owner
        text = calendar.feed(call, owner, dt.datetime.now(dt.timezone.utc), request.host.split(":")[0])
        return Response(text, status=200, mimetype="text/calendar", headers={"Cache-Control": "no-store"}), \
            owner["actor"]

    def _jwks(self, request: Request, call: Call) -> Response:
        """The deployment's public keys: a partner verifies every event's signature
        with these and stock JOSE tools (deploy/README.md)."""
        if self._jwks_document is None:  # keys change with a restart: read them once
            self._jwks_document = keys.jwks(keys.platform_key_names())
        return json_response(self._jwks_document, 200, {"Cache-Control": "max-age=300"})

    def _search_by_post(self, request: Request, call: Call) -> Response:
        raise Problem(405, "search clients with POST /clients/search and the name or national number in a JSON "
                           "body: in a URL they would reach proxy and access logs", code="search-by-post",
                      headers={"Allow": "POST"})

    def _index(self, request: Request, call: Call) -> Response:
        if self.pages is not None and request.accept_mimetypes.best_match(("application/json", "text/html")) == \
                "text/html":
            return Response(status=303, headers={"Location": "/app/"})  # a browser: to the pages
        return json_response({"service": "jww gateway", "document": "/openapi.json", "sign_in": "/auth/token",
                              "health": "/health", "keys": "/.well-known/jwks.json"})


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` (an RFC 8941 string, quoted, or the bare value
    clients often send), or None; refused with 400 naming the header when malformed."""
    given = request.headers.get(outcomes.HEADER)
    if given is None:
        return None
    if not re.fullmatch(IDEMPOTENCY_KEY, given.strip()):
        raise problems.bad_request(f"{outcomes.HEADER} takes 1 to 255 printable ASCII characters (a UUID will do)",
                                   {outcomes.HEADER: ["not a valid key: 1 to 255 printable ASCII characters"]})
    return given.strip().strip('"')


def route_label(endpoint) -> str:
    """The route template a request matched, ids left as ``{placeholders}``: never the
    raw path, which holds client ids."""
    if isinstance(endpoint, Route):
        return endpoint.path
    for _, path, name in OWN + MOVED:
        if name == endpoint:
            return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "unmatched"


def method_label(method: str) -> str:
    return method if method in METHOD_LABELS else "other"


def secure(response: Response, cacheable: bool) -> None:
    """The headers every answer carries; no-store on all that may hold personal data."""
    response.headers.update(SECURITY_HEADERS)
    if not cacheable:
        response.headers["Cache-Control"] = "no-store"


def _fields(schema: type[Schema]) -> dict[str, fields.Field]:
    """A contract's fields by the names the caller sends."""
    return {field.data_key or name: field for name, field in schema().fields.items()}


def _body(request: Request) -> dict:
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        raise Problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise Problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return {}
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise Problem(415, "send the body as JSON, with Content-Type: application/json")
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except ValueError:  # also a body that is not UTF-8
        raise problems.bad_request("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise problems.bad_request("the body must be a JSON object")
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _from_query(field: fields.Field | None, texts: list[str]):
    """A query parameter as the contract expects it: a list when the field is one."""
    if isinstance(field, fields.List):
        return [_scalar(field.inner, text) for text in texts]
    if len(texts) > 1:
        return texts  # refused by the contract, naming the field
    return _scalar(field, texts[0])


def _scalar(field: fields.Field | None, text: str):
    """Text from a path or query string as the field's type, where it reads as one;
    otherwise the text itself, for the contract to refuse with its own reason."""
    if isinstance(field, fields.Integer):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(field, fields.Boolean):
        return {"true": True, "false": False}.get(text.lower(), text)
    return text
