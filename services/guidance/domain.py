"""The guidance service's aggregates: the support trajectory and everything done in it.

Guidance is tailored: the plan's goals, intensity and duration follow the person's
needs and are reviewed with a reason; every contact is an intervention recorded as
a fact, so that the continuity of help can be shown and audited.
"""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

_NAMESPACE = uuid.UUID("6a1d2c7e-0f4b-4c1a-9e55-3f0b9c2d8e41")
OPEN, CLOSED = "open", "closed"
INTERVALS = {"weekly": dt.timedelta(weeks=1), "fortnightly": dt.timedelta(weeks=2), "monthly": dt.timedelta(days=31)}


class ClientOnRecord(ServiceAggregate):
    """What guidance needs to know of a client intake registered, and which
    trajectory is theirs now. Its id is the client's UUID."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, legal_position: str, languages: list[str], interpreter_needed: bool):
        self.legal_position = legal_position
        self.languages = list(languages)
        self.interpreter_needed = interpreter_needed
        self.trajectory_id: UUID | None = None
        self.family_consent = False

    @event("TrajectoryFollowed")
    def follow_trajectory(self, trajectory_id: UUID):
        self.trajectory_id = trajectory_id

    @event("FamilyConsentNoted")
    def note_family_consent(self, active: bool):
        """Intake holds the client's consents; guidance needs to know only whether
        the family may be involved (DOMAIN.md: it requires the client's agreement)."""
        self.family_consent = active


class Trajectory(ServiceAggregate):
    """One client's guidance by one agency, from the intake decision to its closing.

    Its id is derived from the intake fact that opened it, so that fact opens it
    once however often it is delivered."""

    @staticmethod
    def create_id(opened_by_event: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"trajectory:{opened_by_event}")

    @event("Opened")
    def __init__(
        self, opened_by_event: str, client_id: UUID, agency: str, worker: str, legal_position: str,
        situation: str, languages: list[str], preferred_language: str, interpreter: dict | None, domains: list[str],
    ):
        self.client_id, self.agency, self.worker = client_id, agency, worker
        self.legal_position, self.situation = legal_position, situation
        self.languages, self.preferred_language, self.interpreter = list(languages), preferred_language, interpreter
        self.domains = list(domains)
        self.status = OPEN
        self.plan: dict | None = None
        self.plan_history: list[dict] = []
        self.interventions: list[dict] = []
        self.psychologist_recommendations: list[dict] = []
        self.closings: list[dict] = []
        self.conditions: dict[str, dict] = {}
        self.appointments: dict[str, dict] = {}
        self.network: dict[str, dict] = {}
        self.procedures: dict[str, dict] = {}
        self.certificates: list[dict] = []
        self.gaps: list[dict] = []
        self.on_case = [worker]  # who may read the confidential notes, with the coordinator

    @property
    def last_contact(self) -> dt.datetime | None:
        return max((i["at"] for i in self.interventions), default=None)

    def next_contact_due(self) -> dt.datetime | None:
        if self.status != OPEN or self.plan is None:
            return None
        since = self.last_contact or self.created_on
        return since + INTERVALS[self.plan["intensity"]]

    @event("PlanAgreed")
    def agree_plan(self, goals: list[dict], intensity: str, expected_weeks: int, agreed_by: dict):
        self.plan = {"goals": goals, "intensity": intensity, "expected_weeks": expected_weeks}
        self.plan_history.append({**self.plan, "reason": "agreed", "by": agreed_by["user_id"]})

    @event("PlanReviewed")
    def review_plan(self, goals: list[dict], intensity: str, expected_weeks: int, reason: str, reviewed_by: dict):
        self.plan = {"goals": goals, "intensity": intensity, "expected_weeks": expected_weeks}
        self.plan_history.append({**self.plan, "reason": reason, "by": reviewed_by["user_id"]})

    @event("InterventionRecorded")
    def record_intervention(
        self, intervention_id: UUID, at: dt.datetime, minutes: int, place: str, method: str, sub_kind: str,
        domains: list[str], interpreter: dict | None, note: str, next_steps: str, worker: str, worker_profile: str,
    ):
        self.interventions.append({
            "intervention_id": intervention_id, "at": at, "minutes": minutes, "place": place, "method": method,
            "sub_kind": sub_kind, "domains": list(domains), "interpreter": interpreter, "note": note,
            "next_steps": next_steps, "worker": worker, "worker_profile": worker_profile,
        })
        self._on_case(worker)

    @event("PsychologistRecommended")
    def recommend_psychologist(self, reason: str, recommended_by: dict):
        self.psychologist_recommendations.append({"reason": reason, "by": recommended_by["user_id"]})

    @event("WorkerChanged")
    def change_worker(self, worker: str, interpreter: dict | None):
        self.worker, self.interpreter = worker, interpreter
        self._on_case(worker)

    def _on_case(self, worker: str) -> None:
        if worker not in self.on_case:  # a list, not a set: snapshots are JSON
            self.on_case.append(worker)

    # -- conditions: the agency supports compliance; the justice assistant controls
    # it, so nothing here records whether a condition was kept or broken.

    @event("ConditionRecorded")
    def record_condition(
        self, condition_id: str, kind: str, description: str, starts: dt.date, ends: dt.date | None,
        authority: str, recorded_by: dict,
    ):
        self.conditions[condition_id] = {
            "condition_id": condition_id, "kind": kind, "description": description, "starts": starts,
            "ends": ends, "authority": authority, "support": [], "ending_announced": False,
        }

    @event("ConditionSupported")
    def support_condition(self, condition_id: str, support: str, on: dt.date, given_by: dict):
        self.conditions[condition_id]["support"].append({"support": support, "on": on, "by": given_by["user_id"]})

    @event("ConditionPeriodEnding")
    def announce_condition_ending(self, condition_id: str, kind: str, ends: dt.date, worker: str):
        self.conditions[condition_id]["ending_announced"] = True

    # -- appointments and accompaniments --------------------------------------------

    @event("AppointmentPlanned")
    def plan_appointment(
        self, appointment_id: str, at: dt.datetime, with_actor: str, purpose: str, accompanied_by: str | None,
        leave_permit: dict | None, worker: str, interpreter: dict | None, planned_by: dict,
    ):
        self.appointments[appointment_id] = {
            "appointment_id": appointment_id, "at": at, "with_actor": with_actor, "purpose": purpose,
            "accompanied_by": accompanied_by, "leave_permit": leave_permit, "outcome": None,
        }

    @event("AppointmentOutcomeRecorded")
    def record_appointment_outcome(self, appointment_id: str, outcome: str, recorded_by: dict):
        self.appointments[appointment_id]["outcome"] = outcome

    # -- the relational network -------------------------------------------------------

    @event("NetworkMemberAdded")
    def add_network_member(self, member_id: str, relation: str, known_as: str, added_by: dict):
        self.network[member_id] = {"member_id": member_id, "relation": relation, "known_as": known_as, "contacts": []}

    @event("NetworkContactRecorded")
    def record_network_contact(self, member_id: str, on: dt.date, kind: str, note: str, recorded_by: dict):
        self.network[member_id]["contacts"].append({"on": on, "kind": kind, "note": note})

    @event("ReturnHomePrepared")
    def prepare_return_home(self, member_id: str, leave_from: dt.datetime, leave_until: dt.datetime, note: str,
                            prepared_by: dict):
        self.network[member_id]["contacts"].append(
            {"on": leave_from.date(), "kind": "return_home_preparation", "note": note, "until": leave_until})

    # -- procedures with dated steps ----------------------------------------------------

    @event("ProcedureStarted")
    def start_procedure(self, procedure_id: str, kind: str, on: dt.date, started_by: dict):
        self.procedures[procedure_id] = {"procedure_id": procedure_id, "kind": kind, "started": on, "steps": [],
                                         "outcome": None}

    @event("ProcedureStepRecorded")
    def record_procedure_step(self, procedure_id: str, step: str, on: dt.date, recorded_by: dict):
        self.procedures[procedure_id]["steps"].append({"step": step, "on": on})

    @event("ProcedureEnded")
    def end_procedure(self, procedure_id: str, outcome: str, on: dt.date, ended_by: dict):
        self.procedures[procedure_id]["outcome"] = {"outcome": outcome, "on": on}

    # -- continuity and attendance ------------------------------------------------------

    @event("ContinuityGapRaised")
    def raise_continuity_gap(
        self, due: dt.datetime, last_contact: dt.datetime | None, noticed_at: dt.datetime, worker: str
    ):
        self.gaps.append({"due": due, "last_contact": last_contact, "noticed_at": noticed_at})

    def gap_raised_for(self, due: dt.datetime) -> bool:
        return any(gap["due"] == due for gap in self.gaps)

    @event("AttendanceCertificateIssued")
    def issue_attendance_certificate(
        self, certificate_id: str, language: str, dates: list[dt.date], recipient: str, issued_by: dict
    ):
        self.certificates.append(
            {"certificate_id": certificate_id, "language": language, "dates": dates, "recipient": recipient})

    @event("Closed")
    def close(self, reason: str, summary: str, closed_by: dict):
        self.status = CLOSED
        self.closings.append({"reason": reason, "summary": summary, "by": closed_by["user_id"]})

    @event("Reopened")
    def reopen(self, reason: str, reopened_by: dict):
        self.status = OPEN
        self.closings[-1]["reopened_because"] = reason
