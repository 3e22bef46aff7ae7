"""The guidance service over RPC: validate, call, serialise."""
from nameko.rpc import rpc

from shared.contracts import guidance as contracts
from shared.rpc import command
from shared.service import EventStore, ServiceBase

from services.guidance.application import GuidanceApplication


class GuidanceService(ServiceBase):
    name = "guidance"
    app = EventStore(GuidanceApplication)

    @rpc
    @command(contracts.AgreePlan)
    def agree_plan(self, data: dict) -> dict:
        self.app.agree_plan(**data)
        return self.app.trajectory(data["actor"], data["client_id"])

    @rpc
    @command(contracts.ReviewPlan)
    def review_plan(self, data: dict) -> dict:
        self.app.review_plan(**data)
        return self.app.trajectory(data["actor"], data["client_id"])

    @rpc
    @command(contracts.RecordIntervention)
    def record_intervention(self, data: dict) -> dict:
        return {"intervention_id": str(self.app.record_intervention(**data))}

    @rpc
    @command(contracts.RecommendPsychologist)
    def recommend_psychologist(self, data: dict) -> dict:
        self.app.recommend_psychologist(**data)
        return {"client_id": str(data["client_id"]), "psychologist_recommended": True}

    @rpc
    @command(contracts.CloseTrajectory)
    def close_trajectory(self, data: dict) -> dict:
        self.app.close_trajectory(**data)
        return {"client_id": str(data["client_id"]), "status": "closed"}

    @rpc
    @command(contracts.ReopenTrajectory)
    def reopen_trajectory(self, data: dict) -> dict:
        self.app.reopen_trajectory(**data)
        return {"client_id": str(data["client_id"]), "status": "open"}

    @rpc
    @command(contracts.GetTrajectory)
    def trajectory(self, data: dict) -> dict:
        return self.app.trajectory(**data)

    @rpc
    @command(contracts.Caseload)
    def caseload(self, data: dict) -> list:
        return self.app.caseload(**data)
