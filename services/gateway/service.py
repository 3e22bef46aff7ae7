"""The gateway over HTTP: every request to the route table (``api.py``), which
calls the services over RPC."""
from datetime import timedelta

from nameko.extensions import DependencyProvider

from shared import config
from shared.service import SETTINGS_KEY

from services.gateway.api import Gateway
from services.gateway.auth import Revocations, Tokens
from services.gateway.extensions import ServiceCalls, api
from services.gateway.pages import Pages


class GatewayDependency(DependencyProvider):
    """The token key, the copy of accounts' revocations and the route table, built once per process."""

    def setup(self):
        settings = self.container.config[SETTINGS_KEY]
        tokens = Tokens(settings.token_key, timedelta(minutes=settings.token_minutes))
        revocations = Revocations()
        # The pages' session cookie is Secure when the request came over TLS (or the proxy
        # says so, X-Forwarded-Proto); ``secure_cookies`` makes it always so.
        secure_cookies = bool(config.read(config.GATEWAY)["gateway"].get("secure_cookies", False))
        # Passwords are checked by accounts (WAVE2 7): the gateway only signs and checks tokens.
        self.gateway = Gateway(tokens, revocations, pages=Pages(tokens, revocations, secure_cookies))

    def get_dependency(self, worker_ctx):
        return self.gateway


class GatewayService:
    name = "gateway"
    calls = ServiceCalls()
    gateway = GatewayDependency()

    @api
    def handle(self, request):
        return self.gateway.handle(request, self.calls)
