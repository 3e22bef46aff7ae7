"""The audit service over RPC: validate, call, serialise."""
from shared import checkpoints
from shared.access import allow
from shared.contracts import audit as contracts
from shared.contracts import base
from shared.errors import NotFound
from shared.rpc import command, rpc
from shared.service import AUDITORS, EventStore, RetentionJob, ServiceBase

from services.audit import report, witness
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

    @rpc
    @command(base.LastWitnessed)
    def last_witnessed(self, data: dict) -> dict:
        """Audit's last witnessed checkpoint of a service: what an auditor verifies it against."""
        allow(data["actor"], AUDITORS, "read_witnessed_checkpoints")
        kept = witness.witnessed(self.app, data["service"])
        if not kept:
            raise NotFound("audit has witnessed no checkpoint of this service yet", {"service": ["none witnessed"]})
        last = kept[-1]
        return {"number": last["number"], "digest": checkpoints.digest(last), "position": last["position"]}
