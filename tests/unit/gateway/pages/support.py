"""The pages through werkzeug's test client, in front of services the test answers for."""
from __future__ import annotations

import datetime as dt
import re

from werkzeug.test import Client
from werkzeug.wrappers import Request

from shared import context
from shared.config import gateway_token_key
from services.gateway.api import Gateway
from services.gateway.auth import Revocations, Tokens
from services.gateway.pages import Pages

WORKER = {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
CLIENT = "6a80ac1b-7313-4598-8ea2-13f1bf4aee5e"
ADDRESS = {"REMOTE_ADDR": "127.0.0.1"}  # the browser's, as the socket gives it
TRAJECTORY = "1c3cf62a-1056-5c2e-bbd9-d19a269ea573"


class Services:
    """Stands in for the RPC calls: records each (with the request context's idempotency
    key) and answers from ``answers``: ``"service.rpc"`` -> a value, an exception to
    raise, or a function of the payload."""

    def __init__(self):
        self.calls: list[dict] = []
        self.answers: dict = {
            "accounts.sign_in": {"outcome": "signed_in", "actor": WORKER, "session_id": "session-1",
                                 "refresh_token": "refresh-1", "retry_after": None},
            "accounts.refresh": {"outcome": "signed_in", "actor": WORKER, "session_id": "session-1",
                                 "refresh_token": "refresh-2", "retry_after": None},
            "accounts.sign_out": {"signed_out": True},
            "guidance.caseload": [],
        }

    def __call__(self, service, rpc, payload=None, precondition=None, timeout=None):
        self.calls.append({"service": service, "rpc": rpc, "payload": payload, "precondition": precondition,
                           "idempotency_key": context.current().idempotency_key})
        answer = self.answers.get(f"{service}.{rpc}", {})
        if isinstance(answer, Exception):
            raise answer
        return answer(payload) if callable(answer) else answer

    def made(self, rpc: str) -> list[dict]:
        return [c for c in self.calls if c["rpc"] == rpc]


class Clock:
    """When tokens are issued: moved back to issue one that has already expired."""

    def __init__(self):
        self.offset = dt.timedelta(0)

    def __call__(self):
        return dt.datetime.now(dt.timezone.utc) + self.offset


class Browser:
    """A browser with cookies, in front of one gateway with its pages."""

    def __init__(self, services: Services, secure_cookies: bool = False):
        self.clock = Clock()
        self.tokens = Tokens(gateway_token_key({}), dt.timedelta(minutes=5), clock=self.clock)
        revocations = Revocations.none()
        self.gateway = Gateway(self.tokens, revocations, pages=Pages(self.tokens, revocations, secure_cookies))
        self.services = services

        def app(environ, start_response):
            context.use(context.RequestContext())  # one per request, as the gateway's worker sets it
            return self.gateway.handle(Request(environ), services)(environ, start_response)

        self.client = Client(app)

    def get(self, path, **kwargs):
        return self.client.get(path, environ_base=ADDRESS, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.client.post(path, data=data or {}, environ_base=ADDRESS, **kwargs)

    def csrf(self, path="/app/sign-in") -> str:
        return field(self.get(path).text, "csrf_token")

    def sign_in(self, username="apo-sa-1"):
        token = self.csrf()
        return self.post("/app/sign-in", {"csrf_token": token, "username": username, "password": "sample-x",
                                          "next": "/app/caseload"})

    def form(self, path: str) -> dict:
        """The hidden fields of the form on the page at ``path``."""
        html = self.get(path).text
        return {name: field(html, name, form=re.search(r'<main.*?<form id="([\w-]+)"', html, re.S).group(1))
                for name in ("csrf_token", "idempotency_key", "if_match")
                if f'name="{name}"' in html}


def field(html: str, name: str, form: str | None = None) -> str:
    """A field's value, in the form of id ``form`` when given (the language switch on
    every page has hidden fields too)."""
    if form is not None:
        html = html[html.index(f'id="{form}"'):]
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def summary(html: str) -> list[tuple[str, str]]:
    """The error summary's links: (target id, message)."""
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box, "no error summary"
    return re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', box.group(0))
