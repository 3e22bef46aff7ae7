"""Intake over RPC: validate, call, serialise."""
from nameko.rpc import rpc

from shared.contracts.intake import RegisterClient
from shared.rpc import command
from shared.service import EventStore, ServiceBase

from services.intake.application import IntakeApplication


class IntakeService(ServiceBase):
    name = "intake"
    app = EventStore(IntakeApplication)

    @rpc
    @command(RegisterClient)
    def register_client(self, data: dict) -> dict:
        client_id = self.app.register_client(**data)
        return {"client_id": str(client_id)}
