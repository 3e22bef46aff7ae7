"""What guidance publishes: each domain event other services need, as the integration
event its declaration in shared/contracts/guidance.py defines. Activity and dates,
never a confidential note, a next step, a family member or the text of a condition."""
from __future__ import annotations

from shared.contracts import guidance as contracts
from shared.outbox import publish_as

from services.guidance.domain import Intervention, Trajectory


def _worker(e) -> dict:
    return {"user_id": e.worker, "role": e.worker_profile}


PUBLICATIONS = {
    Trajectory.Opened: publish_as(contracts.TrajectoryOpenedV1, identity="trajectory_id"),
    Intervention.Recorded: publish_as(contracts.InterventionRecordedV1, identity="intervention_id", actor=_worker),
    Trajectory.PsychologistRecommended: publish_as(
        contracts.PsychologistRecommendedV1, identity="trajectory_id", actor="recommended_by"),
    Trajectory.Closed: publish_as(contracts.TrajectoryClosedV1, identity="trajectory_id", actor="closed_by"),
    Trajectory.Reopened: publish_as(contracts.TrajectoryReopenedV1, identity="trajectory_id", actor="reopened_by"),
    Trajectory.WorkerChanged: publish_as(contracts.TrajectoryWorkerChangedV1, identity="trajectory_id"),
    Trajectory.ConditionPeriodEnding: publish_as(contracts.ConditionPeriodEndingV1, identity="trajectory_id"),
    Trajectory.AppointmentPlanned: publish_as(
        contracts.AppointmentPlannedV1, identity="trajectory_id", actor="planned_by",
        derived={"during_leave_permit": lambda e: e.leave_permit is not None}),
    Trajectory.ContinuityGapRaised: publish_as(contracts.ContinuityGapV1, identity="trajectory_id"),
    Trajectory.AttendanceCertificateIssued: publish_as(
        contracts.AttendanceCertificateIssuedV1, identity="trajectory_id", actor="issued_by"),
}
