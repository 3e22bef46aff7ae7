"""What guidance publishes: every domain event that changes a client's file, as the
integration event its declaration in shared/contracts/guidance.py defines, so that
other services and audit's timeline hear of each. Activity, codes and dates, never
a confidential note, a next step, what a family member is called or the text of a
condition. What stays private is a copy or a step of something published
(tests/unit/audit/test_timeline_complete.py names each, and why)."""
from __future__ import annotations

from shared.contracts import guidance as contracts
from shared.erasure import ErasureCarriedOut
from shared.outbox import publish_as

from services.guidance.domain import ClientOnRecord, Intervention, Network, Trajectory


def _worker(e) -> dict:
    return {"user_id": e.worker, "role": e.worker_profile}


def _goal_domains(e) -> list[str] | None:
    """The domains of the plan's goals, without their words; none once erased."""
    return None if e.goals is None else sorted({goal["domain"] for goal in e.goals})


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
    Trajectory.PlanAgreed: publish_as(contracts.PlanAgreedV1, identity="trajectory_id", actor="agreed_by",
                                      derived={"goal_domains": _goal_domains}),
    Trajectory.PlanReviewed: publish_as(contracts.PlanReviewedV1, identity="trajectory_id", actor="reviewed_by",
                                        derived={"goal_domains": _goal_domains}),
    Trajectory.ConditionRecorded: publish_as(
        contracts.ConditionRecordedV1, identity="trajectory_id", actor="recorded_by"),
    Trajectory.ConditionSupported: publish_as(
        contracts.ConditionSupportedV1, identity="trajectory_id", actor="given_by"),
    Trajectory.AppointmentOutcomeRecorded: publish_as(
        contracts.AppointmentOutcomeRecordedV1, identity="trajectory_id", actor="recorded_by"),
    Trajectory.ProcedureStarted: publish_as(
        contracts.ProcedureStartedV1, identity="trajectory_id", actor="started_by"),
    Trajectory.ProcedureStepRecorded: publish_as(
        contracts.ProcedureStepRecordedV1, identity="trajectory_id", actor="recorded_by"),
    Trajectory.ProcedureEnded: publish_as(contracts.ProcedureEndedV1, identity="trajectory_id", actor="ended_by"),
    Trajectory.DocumentExpiryRecorded: publish_as(
        contracts.DocumentExpiryRecordedV1, identity="trajectory_id", actor="recorded_by"),
    Trajectory.DocumentExpiring: publish_as(contracts.DocumentExpiringV1, identity="trajectory_id"),
    Trajectory.PlanReviewDue: publish_as(contracts.PlanReviewDueV1, identity="trajectory_id"),
    # Corrections (issue 20): the original stays published; each correction is a fact of its own.
    Intervention.Amended: publish_as(contracts.InterventionAmendedV1, identity="intervention_id",
                                     actor="amended_by"),
    Intervention.Retracted: publish_as(contracts.InterventionRetractedV1, identity="intervention_id",
                                       actor="retracted_by"),
    Trajectory.AppointmentRescheduled: publish_as(
        contracts.AppointmentRescheduledV1, identity="trajectory_id", actor="rescheduled_by"),
    Trajectory.AppointmentCancelled: publish_as(
        contracts.AppointmentCancelledV1, identity="trajectory_id", actor="cancelled_by"),
    Trajectory.GoalOutcomesRecorded: publish_as(
        contracts.GoalOutcomesRecordedV1, identity="trajectory_id", actor="recorded_by"),
    Network.MemberAdded: publish_as(contracts.NetworkMemberAddedV1, actor="added_by"),
    Network.ContactRecorded: publish_as(contracts.NetworkContactRecordedV1, actor="recorded_by"),
    Network.ReturnHomePrepared: publish_as(contracts.ReturnHomePreparedV1, actor="prepared_by"),
    # Recorded by shared code for a client (on intake's decision or a retention rule), in no agency's name.
    ErasureCarriedOut.Recorded: publish_as(contracts.ErasureCarriedOutV1, agency=lambda e: None),
}


# Domain event class -> the fact it records (shared/contracts/guidance.py), for every
# event that holds something personal: those fields are stored sealed under the
# client's data keys (shared.sealing). The rest (which trajectory is the client's,
# whether a family consent is in force, when a contact happened, a continuity gap, an
# empty network) hold ids, codes and times only; tests/unit/guidance/test_sealing.py
# checks that no event with a personal field is left out.
SEALED = {
    ClientOnRecord.Recorded: contracts.ClientOnRecord,
    ClientOnRecord.LegalPositionNoted: contracts.LegalPositionOnRecord,
    Trajectory.LegalSituationNoted: contracts.LegalSituationOnTrajectory,
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
    Trajectory.DocumentExpiryRecorded: contracts.DocumentExpiry,
    Trajectory.DocumentExpiring: contracts.DocumentExpiring,
    Intervention.Recorded: contracts.Intervention,
    Intervention.Amended: contracts.InterventionAmendment,
    Intervention.Retracted: contracts.InterventionRetraction,
    Trajectory.AppointmentRescheduled: contracts.AppointmentRescheduling,
    Trajectory.AppointmentCancelled: contracts.AppointmentCancellation,
    Trajectory.GoalOutcomesRecorded: contracts.GoalOutcomes,
    Network.MemberAdded: contracts.NetworkMember,
    Network.ContactRecorded: contracts.NetworkContact,
    Network.ReturnHomePrepared: contracts.ReturnHomePreparation,
}
