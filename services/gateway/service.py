"""The gateway over HTTP: every request to the route table (``api.py``), which
calls the services over RPC."""
from datetime import timedelta

from eventlet import tpool
from nameko.extensions import DependencyProvider

from shared.service import SETTINGS_KEY

from services.gateway.api import Gateway
from services.gateway.auth import Tokens, Users
from services.gateway.extensions import ServiceCalls, api


class GatewayDependency(DependencyProvider):
    """The users, the token key and the route table, built once per process."""

    def setup(self):
        settings = self.container.config[SETTINGS_KEY]
        tokens = Tokens(settings.token_key, timedelta(minutes=settings.token_minutes))
        # Password hashing takes a fifth of a second of CPU: in a thread of its own.
        self.gateway = Gateway(Users.load(settings.users_path), tokens, offload=tpool.execute)

    def get_dependency(self, worker_ctx):
        return self.gateway


class GatewayService:
    name = "gateway"
    calls = ServiceCalls()
    gateway = GatewayDependency()

    @api
    def handle(self, request):
        return self.gateway.handle(request, self.calls)
