"""The guidance service over RPC: validate, call, serialise; and its daily retention job."""
import datetime as dt

from nameko.timer import timer

from shared.contracts import guidance as contracts
from shared.access import allow
from shared.rpc import command, rpc
from shared.service import EventStore, RetentionJob, ServiceBase

from services.guidance.application import GuidanceApplication


CHECK_EVERY_SECONDS = 300  # continuity gaps and ending conditions are noticed within this


def retention_settings(app: GuidanceApplication, settings) -> None:
    if "closed_retention_days" in settings.options:
        app.closed_retention = dt.timedelta(days=float(settings.options["closed_retention_days"]))
    if "document_notice_days" in settings.options:
        app.document_notice = dt.timedelta(days=float(settings.options["document_notice_days"]))


class GuidanceService(RetentionJob, ServiceBase):
    name = "guidance"
    app = EventStore(GuidanceApplication, on_start=retention_settings)

    @rpc
    @command(contracts.AgreePlan)
    def agree_plan(self, data: dict) -> dict:
        self.app.agree_plan(**data)
        return self.app.trajectory(data["actor"], data["client_id"], query="agree_plan")

    @rpc
    @command(contracts.ReviewPlan)
    def review_plan(self, data: dict) -> dict:
        self.app.review_plan(**data)
        return self.app.trajectory(data["actor"], data["client_id"], query="review_plan")

    @rpc
    @command(contracts.RecordIntervention)
    def record_intervention(self, data: dict) -> dict:
        return {"intervention_id": str(self.app.record_intervention(**data))}

    @rpc
    @command(contracts.AmendIntervention)
    def amend_intervention(self, data: dict) -> dict:
        intervention = self.app.amend_intervention(**data)
        return {"intervention_id": str(intervention.id), "version": intervention.version,
                "changed": intervention.amendments[-1]["changed"]}

    @rpc
    @command(contracts.RetractIntervention)
    def retract_intervention(self, data: dict) -> dict:
        intervention = self.app.retract_intervention(**data)
        again = intervention.recorded_again_as
        return {"intervention_id": str(intervention.id), "version": intervention.version,
                "recorded_again_as": str(again) if again else None}

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
    @command(contracts.GetTrajectory)
    def earlier_trajectories(self, data: dict) -> list:
        return self.app.earlier_trajectories(**data)

    @rpc
    @command(contracts.Caseload)
    def caseload(self, data: dict) -> list:
        return self.app.caseload(**data)

    @rpc
    @command(contracts.RecordCondition)
    def record_condition(self, data: dict) -> dict:
        return {"condition_id": self.app.record_condition(**data)}

    @rpc
    @command(contracts.SupportCondition)
    def support_condition(self, data: dict) -> dict:
        self.app.support_condition(**data)
        return {"condition_id": data["condition_id"]}

    @rpc
    @command(contracts.PlanAppointment)
    def plan_appointment(self, data: dict) -> dict:
        return {"appointment_id": self.app.plan_appointment(**data)}

    @rpc
    @command(contracts.RecordAppointmentOutcome)
    def record_appointment_outcome(self, data: dict) -> dict:
        self.app.record_appointment_outcome(**data)
        return {"appointment_id": data["appointment_id"], "outcome": data["outcome"]}

    @rpc
    @command(contracts.RescheduleAppointment)
    def reschedule_appointment(self, data: dict) -> dict:
        self.app.reschedule_appointment(**data)
        return {"appointment_id": data["appointment_id"], "at": data["at"].isoformat()}

    @rpc
    @command(contracts.CancelAppointment)
    def cancel_appointment(self, data: dict) -> dict:
        self.app.cancel_appointment(**data)
        return {"appointment_id": data["appointment_id"], "cancelled": True}

    @rpc
    @command(contracts.AddNetworkMember)
    def add_network_member(self, data: dict) -> dict:
        return {"member_id": self.app.add_network_member(**data)}

    @rpc
    @command(contracts.RecordNetworkContact)
    def record_network_contact(self, data: dict) -> dict:
        self.app.record_network_contact(**data)
        return {"member_id": data["member_id"]}

    @rpc
    @command(contracts.PrepareReturnHome)
    def prepare_return_home(self, data: dict) -> dict:
        self.app.prepare_return_home(**data)
        return {"member_id": data["member_id"]}

    @rpc
    @command(contracts.StartProcedure)
    def start_procedure(self, data: dict) -> dict:
        return {"procedure_id": self.app.start_procedure(**data)}

    @rpc
    @command(contracts.RecordProcedureStep)
    def record_procedure_step(self, data: dict) -> dict:
        self.app.record_procedure_step(**data)
        return {"procedure_id": data["procedure_id"]}

    @rpc
    @command(contracts.EndProcedure)
    def end_procedure(self, data: dict) -> dict:
        self.app.end_procedure(**data)
        return {"procedure_id": data["procedure_id"], "outcome": data["outcome"]}

    @rpc
    @command(contracts.RecordDocumentExpiry)
    def record_document_expiry(self, data: dict) -> dict:
        self.app.record_document_expiry(**data)
        return {"procedure_id": data["procedure_id"], "expires": data["expires"].isoformat()}

    @rpc
    @command(contracts.Agenda)
    def agenda(self, data: dict) -> dict:
        return self.app.agenda.of(**data)

    @rpc
    @command(contracts.IssueAttendanceCertificate)
    def issue_attendance_certificate(self, data: dict) -> dict:
        return self.app.issue_attendance_certificate(**data)

    @rpc
    @command(contracts.ActivityReport)
    def activity(self, data: dict) -> dict:
        return self.app.activity(**data)

    @timer(interval=CHECK_EVERY_SECONDS)
    def notice_what_is_due(self) -> None:
        self.app.check_time()

    @rpc
    @command(contracts.CheckTime)
    def check_time(self, data: dict) -> dict:
        """Run the periodic check now (ops, and tests on a running platform)."""
        allow(data["actor"], {"coordinator", "admin"}, "check_time")
        return {"raised": self.app.check_time()}
