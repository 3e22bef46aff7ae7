"""The audit service over RPC: validate, call, serialise."""
from shared.contracts import audit as contracts
from shared.rpc import command, rpc
from shared.service import EventStore, RetentionJob, ServiceBase

from services.audit import report
from services.audit.application import AuditApplication


class AuditService(RetentionJob, ServiceBase):
    name = "audit"
    app = EventStore(AuditApplication)

    @rpc
    @command(contracts.Timeline)
    def timeline(self, data: dict) -> dict:
        return self.app.timeline(**data)

    @rpc
    @command(contracts.Replay)
    def replay(self, data: dict) -> dict:
        return self.app.replay(**data)

    @rpc
    @command(contracts.Changes)
    def changes(self, data: dict) -> dict:
        return self.app.changes(**data)

    @rpc
    @command(contracts.Export)
    def export(self, data: dict) -> dict:
        return self.app.export(**data)

    @rpc
    @command(contracts.Export)
    def export_report(self, data: dict) -> dict:
        return {"report": report.render(self.app.export(**data))}
