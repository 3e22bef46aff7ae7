"""The gateway's HTTP API in the test's own process: real routes, tokens and answers,
each RPC call going straight to a service class's method on an application the test
holds (in memory), as shared.rpc would deliver it."""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
from types import SimpleNamespace
from typing import Callable

from werkzeug.test import Client
from werkzeug.wrappers import Request

from services.accounts.users_file import UsersFile
from services.gateway.api import Gateway
from services.gateway.auth import Revocations, Tokens
from shared import concurrency, context
from shared.config import DEPLOY_DIR, gateway_token_key
from shared.context import RequestContext


def gateway_http(application_of: Callable[[str], object]) -> Callable:
    """``request(method, path, user, headers=None, **options)`` as a sample user;
    ``application_of(service)``: the application that service's methods run on."""
    users = UsersFile.load(DEPLOY_DIR / "accounts" / "sample-users.json")
    tokens = Tokens(gateway_token_key({}), dt.timedelta(minutes=5))
    gateway = Gateway(tokens, Revocations.none())

    def rpc(service, method, payload=None, precondition=None, timeout=None):
        module = importlib.import_module(f"services.{service}.service")
        (cls,) = [c for _, c in inspect.getmembers(module, inspect.isclass) if getattr(c, "name", None) == service]
        concurrency.use(precondition)  # as shared.rpc does with what the gateway sends along
        return getattr(cls, method)(SimpleNamespace(app=application_of(service), name=service), payload)

    client = Client(lambda environ, start: gateway.handle(Request(environ), rpc)(environ, start))

    def request(method: str, path: str, user: str, headers: dict | None = None, **options):
        token = tokens.issue(users.by_name[user])["access_token"]
        try:
            return client.open(path, method=method, headers={"Authorization": f"Bearer {token}", **(headers or {})},
                               **options)
        finally:
            context.use(RequestContext())  # the gateway set one for its request

    return request
