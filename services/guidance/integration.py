"""What guidance publishes: each domain event other services need, as the integration
event its declaration in shared/contracts/guidance.py defines. Activity and dates,
never a confidential note, a next step, a family member or the text of a condition."""
from __future__ import annotations

from shared.contracts import guidance as contracts
from shared.outbox import publish_as

from services.guidance.domain import ClientOnRecord, Intervention, Network, Trajectory


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


# Domain event class -> the fact it records (shared/contracts/guidance.py), for every
# event that holds something personal: those fields are stored sealed under the
# client's data keys (shared.sealing). The rest (which trajectory is the client's,
# whether a family consent is in force, when a contact happened, a continuity gap, an
# empty network) hold ids, codes and times only; tests/unit/guidance/test_sealing.py
# checks that no event with a personal field is left out.
SEALED = {
    ClientOnRecord.Recorded: contracts.ClientOnRecord,
    Trajectory.Opened: contracts.TrajectoryOpening,
    Trajectory.PlanAgreed: contracts.PlanAgreement,
    Trajectory.PlanReviewed: contracts.PlanReview,
    Trajectory.PsychologistRecommended: contracts.PsychologistRecommendation,
    Trajectory.WorkerChanged: contracts.WorkerChange,
    Trajectory.Closed: contracts.Closing,
    Trajectory.Reopened: contracts.Reopening,
    Trajectory.ConditionRecorded: contracts.Condition,
    Trajectory.ConditionSupported: contracts.ConditionSupport,
    Trajectory.ConditionPeriodEnding: contracts.ConditionEnding,
    Trajectory.AppointmentPlanned: contracts.AppointmentPlanning,
    Trajectory.AppointmentOutcomeRecorded: contracts.AppointmentOutcome,
    Trajectory.ProcedureStarted: contracts.ProcedureStart,
    Trajectory.ProcedureStepRecorded: contracts.ProcedureStep,
    Trajectory.ProcedureEnded: contracts.ProcedureEnd,
    Trajectory.AttendanceCertificateIssued: contracts.AttendanceCertificate,
    Intervention.Recorded: contracts.Intervention,
    Network.MemberAdded: contracts.NetworkMember,
    Network.ContactRecorded: contracts.NetworkContact,
    Network.ReturnHomePrepared: contracts.ReturnHomePreparation,
}
