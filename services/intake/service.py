"""Intake over RPC: validate, call, serialise."""
from nameko.rpc import rpc

from shared.contracts.intake import RecordLanguages, RegisterClient
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
        return {"client_id": str(client_id), "version": 1}

    @rpc
    @command(RecordLanguages)
    def record_languages(self, data: dict) -> dict:
        return {"client_id": str(data["client_id"]), "version": self.app.record_languages(**data)}
