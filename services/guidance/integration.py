"""What guidance publishes: each domain event other services need, as an integration
event of the catalogue. Activity and dates, never a confidential note, a next step,
a family member or the text of a condition."""
from __future__ import annotations

from uuid import UUID

from shared.contracts import event_type
from shared.outbox import Publication

from services.guidance.domain import Trajectory


class Publications(dict):
    """Domain event class -> its translation. Later facts do not repeat the client
    and agency; both are fixed for the life of a trajectory (a transfer opens a new
    one), so they are looked up once per trajectory."""

    def __init__(self, repository):
        self.repository = repository
        self._fixed_facts: dict[UUID, dict] = {}
        super().__init__({
            Trajectory.Opened: self._opened,
            Trajectory.InterventionRecorded: self._intervention_recorded,
            Trajectory.PsychologistRecommended: lambda e: self._about(
                "psychologist-recommended", e, e.recommended_by,
                worker=e.recommended_by["user_id"], languages=self._fixed(e.originator_id)["languages"]),
            Trajectory.Closed: lambda e: self._about("trajectory-closed", e, e.closed_by, reason=e.reason),
            Trajectory.Reopened: lambda e: self._about("trajectory-reopened", e, e.reopened_by),
            Trajectory.WorkerChanged: lambda e: self._about("trajectory-worker-changed", e, None, worker=e.worker),
            Trajectory.ConditionPeriodEnding: lambda e: self._about(
                "condition-period-ending", e, None, condition_id=e.condition_id, kind=e.kind,
                ends=e.ends.isoformat(), worker=e.worker),
            Trajectory.AppointmentPlanned: lambda e: self._about(
                "appointment-planned", e, e.planned_by, appointment_id=e.appointment_id, at=e.at.isoformat(),
                with_actor=e.with_actor, worker=e.worker, accompanied_by=e.accompanied_by,
                interpreter=e.interpreter, during_leave_permit=e.leave_permit is not None),
            Trajectory.ContinuityGapRaised: lambda e: self._about(
                "continuity-gap", e, None, worker=e.worker, due=e.due.isoformat(),
                last_contact=e.last_contact.isoformat() if e.last_contact else None),
            Trajectory.AttendanceCertificateIssued: lambda e: self._about(
                "attendance-certificate-issued", e, e.issued_by, certificate_id=e.certificate_id,
                language=e.language, recipient=e.recipient, dates=[d.isoformat() for d in e.dates]),
        })

    def _fixed(self, trajectory_id: UUID) -> dict:
        if trajectory_id not in self._fixed_facts:
            t: Trajectory = self.repository.get(trajectory_id)
            self._fixed_facts[trajectory_id] = {"client_id": t.client_id, "agency": t.agency, "languages": t.languages}
        return self._fixed_facts[trajectory_id]

    def _about(self, fact: str, e, actor: dict | None, **data) -> Publication:
        fixed = self._fixed(e.originator_id)
        by = {"actor": actor["user_id"], "actor_role": actor["role"]} if actor else {}
        return Publication(
            type=event_type("guidance", fact, 1), subject=str(fixed["client_id"]),
            data={"client_id": str(fixed["client_id"]), "agency": fixed["agency"],
                  "trajectory_id": str(e.originator_id), **data},
            agency=fixed["agency"], **by,
        )

    def _opened(self, e: Trajectory.Opened) -> Publication:
        self._fixed_facts[e.originator_id] = {"client_id": e.client_id, "agency": e.agency, "languages": e.languages}
        return self._about("trajectory-opened", e, None, worker=e.worker)

    def _intervention_recorded(self, e: Trajectory.InterventionRecorded) -> Publication:
        return self._about(
            "intervention-recorded", e, {"user_id": e.worker, "role": e.worker_profile},
            intervention_id=str(e.intervention_id), at=e.at.isoformat(), minutes=e.minutes, place=e.place,
            method=e.method, sub_kind=e.sub_kind, domains=list(e.domains), worker=e.worker,
            worker_profile=e.worker_profile, interpreter=e.interpreter,
        )
