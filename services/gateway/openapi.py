"""The OpenAPI 3.1 document of the gateway, generated from the route table and the
very marshmallow contracts the services validate with, so the two cannot drift.

Request bodies and query parameters are a contract's fields less the actor (taken
from the token) and the path parameters; a success body is the route's answer
schema (``shared/contracts/<service>_answers.py``), lists come in pages of it, and
every error is a problem (RFC 9457).
"""
from __future__ import annotations

import copy
import re
from importlib import metadata

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.gateway import lists
from services.gateway.routes import ROUTES, Route

DESCRIPTION = """\
The HTTP API of the judicial welfare case platform: every command and query of
the intake, guidance, referrals, notifications and audit services.

**Sign in** with `POST /auth/token` (username and password) and send the token as
`Authorization: Bearer <token>`. Who acts is taken from the token, never from the
request; each service checks what that role in that agency may do.

**Errors** are problem details (RFC 9457, `application/problem+json`): `status`,
`detail` for a person, a stable `code`, and `errors` (field -> reasons) where
input was refused. 400: malformed JSON; 401: no valid token; 403: not allowed
for your role or agency; 404: no such record; 409: someone changed it meanwhile,
or the record's state does not allow it; 422: invalid input; 503: a service does
not answer now.

**Concurrency**: a client file and a trajectory come with an `ETag`. Send it back
as `If-Match` with a command and the command is refused with 409 if the record
changed since you read it.

**Safe retries**: send every command (POST, PUT, DELETE) with an `Idempotency-Key`
header (1-255 printable ASCII characters, for example a UUID; quoted or not). The
service stores the first outcome with its effect, for you and that key, for 24 hours:
the same request again with the same key gets that outcome back and changes nothing.
The same key with another payload is refused with 422; a malformed key with 400. A
503 says in `effect` whether the command may have taken effect (`"unknown"`: retry
with the same key) or not (`"none"`).

**Lists** come in pages: `limit` (1-500, default 50) and `offset`, with `total`
and a `next` link; the filters each list offers are its other query parameters.

**Correlation**: send `X-Correlation-ID` (letters, digits, `.-_:`, up to 64) or get
one; it comes back on every answer and follows the command through the services.
"""

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "correlation_id": {"type": "string"},
        "reference": {"type": "string"},
        "effect": {"type": "string", "enum": ["none", "unknown"]},
    },
}
PAGE = {
    "type": "object",
    "required": ["items", "total", "limit", "offset", "next"],
    "properties": {
        "items": {"type": "array", "items": {"type": "object"}},
        "total": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1},
        "offset": {"type": "integer", "minimum": 0},
        "next": {"type": ["string", "null"]},
    },
}
TOKEN = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in", "refresh_token"],
    "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]},
                   "expires_in": {"type": "integer"},
                   "refresh_token": {"type": "string", "description": "For POST /auth/refresh; used once"}},
}
ERRORS = {
    400: "The body is not a JSON object, or If-Match is not an ETag of this API",
    401: "No valid bearer token",
    403: "Your role or agency may not do this",
    404: "No such record (or no such path)",
    409: "The record changed since you read it (If-Match), or its state does not allow this",
    410: "What was asked for is only about a person whose data was erased",
    415: "The body is not JSON",
    422: "Invalid input; `errors` names each field and why",
    429: "Too many failed sign-ins (throttled), or too many at once; try again after Retry-After seconds",
    500: "Something failed on our side; `reference` finds it in the logs",
    503: "A service does not answer now; try again after Retry-After seconds. `effect` says whether a command "
         "may have taken effect (\"unknown\": retry with the same Idempotency-Key) or not (\"none\")",
}
IF_MATCH = r'^(\*|"[0-9a-fA-F-]{32,36}:[0-9]{1,9}")$'  # an ETag as given, or any version
IDEMPOTENCY_KEY = r'^("[!#-~]{1,255}"|[!#-~]{1,255})$'  # printable ASCII but the quote, quoted or not
CORRELATION = {"description": "Follows the request through every service", "required": True,
               "schema": {"type": "string"}}


def _problem(status: int) -> dict:
    headers = {"X-Correlation-ID": {"$ref": "#/components/headers/X-Correlation-ID"}}
    if status == 401:
        headers["WWW-Authenticate"] = {"schema": {"type": "string"}, "required": True}
    if status in (429, 503):
        headers["Retry-After"] = {"schema": {"type": "string"}}
    return {"description": ERRORS[status], "headers": headers,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _version() -> str:
    try:
        return metadata.version("jww-platform")
    except metadata.PackageNotFoundError:
        return "0"


def _name(route: Route) -> str:
    return "".join(part.title() for part in re.split(r"[._]", route.operation_id))


class _Builder:
    def __init__(self, spec: APISpec, plugin: MarshmallowPlugin):
        self.spec = spec
        self.plugin = plugin
        self.bodies: dict[tuple, str] = {}  # one component per contract and exclusion
        self.pages: set[str] = set()

    def answer(self, route: Route) -> dict:
        """The success body: the answer schema, or a page of them for a list."""
        if route.answer is None:  # free form (the route says why)
            return {"$ref": "#/components/schemas/Page"} if route.filters is not None else {"type": "object"}
        # Through the plugin, so an answer also nested in another (or in a request) is one component.
        ref = self.plugin.converter.resolve_nested_schema(route.answer)
        if route.filters is None:
            return ref
        name = f"{ref['$ref'].rsplit('/', 1)[-1]}Page"
        if name not in self.pages:
            page = copy.deepcopy(PAGE)
            page["properties"]["items"]["items"] = ref
            self.spec.components.schema(name, page)
            self.pages.add(name)
        return {"$ref": f"#/components/schemas/{name}"}

    def body(self, route: Route) -> dict | None:
        exclude = ("actor", *route.path_params)
        if not set(route.schema().fields) - set(exclude):
            return None
        key = (route.schema, exclude)
        if key not in self.bodies:
            self.bodies[key] = _name(route)
            self.spec.components.schema(_name(route), schema=route.schema(exclude=exclude))
        required = any(f.required for n, f in route.schema().fields.items() if n not in exclude)
        return {"required": required,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{self.bodies[key]}"}}}}

    def operation(self, route: Route) -> dict:
        parameters: list[dict] = []
        if route.path_params:
            parameters.append({"in": "path", "schema": route.schema(only=route.path_params)})
        if route.reads and route.schema is not None:
            rest = set(route.schema().fields) - {"actor", *route.path_params}
            if rest:
                parameters.append({"in": "query", "schema": route.schema(only=tuple(sorted(rest)))})
        if route.filters is not None:
            parameters += [
                {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1,
                                                            "maximum": lists.MAX_LIMIT, "default": lists.DEFAULT_LIMIT}},
                {"in": "query", "name": "offset", "schema": {"type": "integer", "minimum": 0, "default": 0}},
            ] + [{"in": "query", "name": f.param, "description": f"keep the items whose {f.field} "
                                                               f"{'contains' if f.field.endswith('s') else 'is'} it",
                  "schema": {"type": "boolean"} if f.kind == "boolean" else {"type": "string"}}
                 for f in route.filters]
        if route.method != "GET" and route.filters is None:  # a search by POST names no record
            parameters.append({"in": "header", "name": "If-Match", "schema": {"type": "string", "pattern": IF_MATCH},
                               "description": "The ETag of the record as you read it: refused with 409 if it changed"})
            parameters.append({"in": "header", "name": "Idempotency-Key",
                               "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY},
                               "description": "Yours, one per command: a retry with the same key gets the first "
                                              "outcome back and changes nothing (kept 24 hours)"})
        parameters.append({"in": "header", "name": "X-Correlation-ID", "schema": {"type": "string"}})
        success_headers = {"X-Correlation-ID": {"$ref": "#/components/headers/X-Correlation-ID"}}
        if route.etag:
            success_headers["ETag"] = {"description": "Send it as If-Match with a command on this record",
                                       "schema": {"type": "string"}}
        if route.filters is not None:
            success_headers["Link"] = {"description": "The next page", "schema": {"type": "string"}}
        answer = self.answer(route)
        operation = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "tags": [route.service],
            "parameters": parameters,
            "responses": {
                str(route.status): {"description": "Done", "headers": success_headers,
                                    "content": _content(route, answer)},
                **{str(status): {"$ref": f"#/components/responses/{status}"}
                   for status in (400, 401, 403, 404, 409, 422, 500, 503)},
            },
        }
        if not route.reads and route.schema is not None:
            body = self.body(route)
            if body:
                operation["requestBody"] = body
                operation["responses"]["415"] = {"$ref": "#/components/responses/415"}
        return operation


def document(routes: tuple[Route, ...] = ROUTES) -> dict:
    from services.gateway.api import EnrolRequest, RefreshRequest, TokenRequest

    plugin = MarshmallowPlugin()
    spec = APISpec(title="Judicial welfare case platform", version=_version(), openapi_version="3.1.0",
                   plugins=[plugin], info={"description": DESCRIPTION})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Problem", PROBLEM)
    spec.components.schema("Page", PAGE)
    spec.components.schema("Token", TOKEN)
    spec.components.header("X-Correlation-ID", CORRELATION)
    for status in ERRORS:
        spec.components.response(str(status), _problem(status))
    builder = _Builder(spec, plugin)
    by_path: dict[str, dict] = {}
    for route in routes:
        by_path.setdefault(route.path, {})[route.method.lower()] = builder.operation(route)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    spec.components.schema("TokenRequest", schema=TokenRequest)
    spec.components.schema("RefreshRequest", schema=RefreshRequest)
    spec.components.schema("EnrolRequest", schema=EnrolRequest)
    ok = {"X-Correlation-ID": {"$ref": "#/components/headers/X-Correlation-ID"}}
    spec.path(path="/auth/token", operations={"post": {
        "operationId": "gateway.sign_in", "summary": "Sign in: a bearer token for your username and password",
        "tags": ["gateway"], "security": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "TokenRequest"}}},
        "responses": {"200": {"description": "A token", "headers": ok,
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}},
                      **{str(s): {"$ref": f"#/components/responses/{s}"} for s in (400, 401, 415, 422, 429, 500)}},
    }})
    spec.path(path="/auth/refresh", operations={"post": {
        "operationId": "gateway.refresh", "summary": "A new token and refresh token for a refresh token (used once)",
        "tags": ["gateway"], "security": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "RefreshRequest"}}},
        "responses": {"200": {"description": "A token", "headers": ok,
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}},
                      **{str(s): {"$ref": f"#/components/responses/{s}"} for s in (400, 401, 415, 422, 500)}},
    }})
    spec.path(path="/auth/enrol", operations={"post": {
        "operationId": "gateway.enrol",
        "summary": "Choose your password with the one-time enrolment code an admin gave you; coordinators, "
                   "auditors and admins (and whoever asks) receive their authenticator app's seed, shown once",
        "tags": ["gateway"], "security": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "EnrolRequest"}}},
        "responses": {"200": {"description": "Enrolled: sign in next", "headers": ok, "content": {
            "application/json": {"schema": {
                "type": "object", "required": ["username", "totp_seed", "totp_uri", "next"],
                "properties": {"username": {"type": "string"}, "totp_seed": {"type": ["string", "null"]},
                               "totp_uri": {"type": ["string", "null"]}, "next": {"type": "string"}}}}}},
                      **{str(s): {"$ref": f"#/components/responses/{s}"} for s in (400, 401, 415, 422, 429, 500)}},
    }})
    spec.path(path="/auth/sign-out", operations={"post": {
        "operationId": "gateway.sign_out", "summary": "Sign out: this token is refused from now on, its session closed",
        "tags": ["gateway"],
        "responses": {"200": {"description": "Signed out", "headers": ok, "content": {"application/json": {"schema": {
            "type": "object", "required": ["signed_out"], "properties": {"signed_out": {"type": "boolean"}}}}}},
                      **{str(s): {"$ref": f"#/components/responses/{s}"} for s in (401, 500, 503)}},
    }})
    spec.path(path="/health", operations={"get": {
        "operationId": "gateway.health", "summary": "The gateway answers; which services answer it",
        "tags": ["gateway"], "security": [],
        "responses": {"200": {"description": "Up", "headers": ok, "content": {"application/json": {"schema": {
            "type": "object", "required": ["status", "services"],
            "properties": {"status": {"type": "string"}, "services": {
                "type": "object", "additionalProperties": {"type": "string", "enum": ["ok", "unavailable"]}}}}}}}},
    }})
    spec.path(path="/clients/{client_id}/subject-access", operations={"get": {
        "operationId": "gateway.subject_access",
        "summary": "Everything the platform holds about a client, for the client (GDPR art. 15): every service's "
                   "part, what is about other people left out (coordinator of the client's agency, "
                   "data-protection officer; each service records the read)",
        "tags": ["gateway"],
        "parameters": [
            {"name": "client_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
            {"name": "language", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["nl", "fr", "en"]},
             "description": "the document's language; the client's preferred one by default"},
            {"name": "format", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["json", "text"], "default": "json"}}],
        "responses": {"200": {"description": "The document", "headers": ok, "content": {
            "application/json": {"schema": {"type": "object", "required": [
                "client_id", "language", "produced_at", "produced_by", "rule", "services"]}},
            "text/plain": {"schema": {"type": "string"}}}},
            **{str(s): {"$ref": f"#/components/responses/{s}"} for s in (401, 403, 404, 410, 422, 500, 503)}},
    }})
    _agenda_paths(spec, ok)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


def _content(route: Route, answer: dict) -> dict:
    """The success body's media types: JSON, and CSV where the route renders it (by Accept)."""
    csv = {"text/csv": {"schema": {"type": "string", "description": "with Accept: text/csv"}}}
    return {"application/json": {"schema": answer}, **(csv if route.csv else {})}


def _agenda_paths(spec, ok: dict) -> None:
    """The worker's agenda and the calendar feed (calendar.py): the gateway's own endpoints."""
    errors = lambda *codes: {str(s): {"$ref": f"#/components/responses/{s}"} for s in codes}  # noqa: E731
    item = {"type": "object", "required": ["kind", "when", "all_day", "client_id", "what"], "properties": {
        "kind": {"type": "string", "enum": ["appointment", "accompaniment", "contact_due", "contact_overdue",
                                            "plan_review_due", "condition_ending", "document_expires",
                                            "conference_action_due"]},
        "when": {"type": "string", "description": "a time (RFC 3339) or, with all_day, a day"},
        "all_day": {"type": "boolean"}, "client_id": {"type": "string", "format": "uuid"},
        "trajectory_id": {"type": "string", "format": "uuid"}, "conference_id": {"type": "string"},
        "worker": {"type": "string"}, "what": {"type": "object", "description": "codes and ids, never words"}}}
    day = {"type": "string", "format": "date"}
    spec.path(path="/agenda", operations={"get": {
        "operationId": "gateway.agenda",
        "summary": "What falls due between two days (this week by default), sorted by time: appointments and "
                   "accompaniments, contacts due and overdue, plan reviews, conditions ending, residence documents "
                   "expiring and case-conference actions; your own clients', or for a coordinator the agency's "
                   "(worker: one worker's)",
        "tags": ["gateway"],
        "parameters": [{"name": "from", "in": "query", "required": False, "schema": day},
                       {"name": "until", "in": "query", "required": False, "schema": day},
                       {"name": "worker", "in": "query", "required": False, "schema": {"type": "string"},
                        "description": "coordinator only"}],
        "responses": {"200": {"description": "The agenda", "headers": ok, "content": {"application/json": {
            "schema": {"type": "object", "required": ["from", "until", "agency", "worker", "clients", "items"],
                       "properties": {"from": day, "until": day, "agency": {"type": "string"},
                                      "worker": {"type": ["string", "null"]},
                                      "clients": {"type": "array", "items": {"type": "string"}},
                                      "items": {"type": "array", "items": item}}}}}},
                      **errors(401, 403, 422, 500, 503)},
    }})
    feed = {"type": "object", "required": ["calendar_feed", "path"], "properties": {
        "calendar_feed": {"type": "boolean"}, "path": {"type": ["string", "null"]}}}
    spec.path(path="/me/calendar-feed", operations={
        "get": {"operationId": "gateway.calendar_feed_state", "tags": ["gateway"],
                "summary": "Whether your calendar feed is on; its address is shown only when it is made",
                "responses": {"200": {"description": "On or off", "headers": ok, "content": {
                    "application/json": {"schema": feed}}}, **errors(401, 404, 500, 503)}},
        "post": {"operationId": "gateway.calendar_feed_on", "tags": ["gateway"],
                 "summary": "Turn your calendar feed on, or renew its address: the path answered (shown once) "
                            "reads your own appointments as iCalendar without signing in; the address before "
                            "answers 404 from now on",
                 "responses": {"201": {"description": "On", "headers": ok, "content": {
                     "application/json": {"schema": feed}}}, **errors(401, 404, 500, 503)}},
        "delete": {"operationId": "gateway.calendar_feed_off", "tags": ["gateway"],
                   "summary": "Turn your calendar feed off: its address answers 404 from now on",
                   "responses": {"200": {"description": "Off", "headers": ok, "content": {
                       "application/json": {"schema": feed}}}, **errors(401, 404, 500, 503)}}})
    spec.path(path="/calendar/{secret}.ics", operations={"get": {
        "operationId": "gateway.calendar", "tags": ["gateway"], "security": [],
        "summary": "Your appointments from 30 days back to 180 ahead (RFC 5545), at the secret address you turned "
                   "on: each names the kind and the actor, and the client by an alias only",
        "parameters": [{"name": "secret", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The calendar", "headers": ok, "content": {
            "text/calendar": {"schema": {"type": "string"}}}}, **errors(404, 500, 503)}}})
