"""The trajectory: one client's guidance by one agency, with its plan and open items."""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import CaseAggregate, Invalid, NotNow, NotPermitted

from services.guidance.domain.intervention import Intervention
from services.guidance.domain.rules import (
    ATTENDED_PLACES, CLOSED, CONDITION_NOTICE, CONTINUITY_GRACE, INTERVALS, OPEN, TrajectoryClosed, known,
)

_NAMESPACE = uuid.UUID("6a1d2c7e-0f4b-4c1a-9e55-3f0b9c2d8e41")


class Trajectory(CaseAggregate):
    """One client's guidance by one agency, from the intake decision to its closing.

    Its id is derived from the intake fact that opened it, so that fact opens it
    once however often it is delivered.

    Its personal fields are stored sealed under the client's data keys and load as
    ``None`` once those are shredded (erasure, retention): an event's body must then
    still apply, and what reads the state takes ``None`` for erased."""

    @staticmethod
    def create_id(opened_by_event: str) -> UUID:
        return uuid.uuid5(_NAMESPACE, f"trajectory:{opened_by_event}")

    @event("Opened")
    def __init__(
        self, opened_by_event: str, worker: str, legal_position: str, situation: str, languages: list[str],
        preferred_language: str, interpreter: dict | None, domains: list[str], *,
        client_id: UUID | None = None, agency: str = "",  # required: CaseAggregate refuses them missing
    ):
        self.client_id, self.agency, self.worker = client_id, agency, worker
        self.legal_position, self.situation = legal_position, situation
        self.languages = list(languages or [])  # None: erased
        self.preferred_language, self.interpreter = preferred_language, interpreter
        self.domains = list(domains or [])
        self.status = OPEN
        self.plan: dict | None = None
        self.plan_history: list[dict] = []
        self.last_contact: dt.datetime | None = None
        self.attended_on: list[dt.date] = []  # sorted; what an attendance certificate states
        self.psychologist_recommendations: list[dict] = []
        self.closings: list[dict] = []
        self.conditions: dict[str, dict] = {}
        self.appointments: dict[str, dict] = {}
        self.procedures: dict[str, dict] = {}
        self.certificates: list[dict] = []
        self.gaps: list[dict] = []
        self.on_case = [worker]  # who may read the confidential notes, with the coordinator

    def next_contact_due(self) -> dt.datetime | None:
        if self.status != OPEN or self.plan is None or self.plan["intensity"] is None:  # None: erased
            return None
        since = self.last_contact or self.created_on
        return since + INTERVALS[self.plan["intensity"]]

    def reads_notes(self, actor: dict) -> bool:
        return actor["role"] == "coordinator" or actor["user_id"] in self.on_case

    # -- the plan ------------------------------------------------------------------------

    def agree_plan(self, goals: list[dict], intensity: str, expected_weeks: int, agreed_by: dict) -> None:
        self.expect_open()
        if self.plan is not None:
            raise NotNow("a plan is already agreed; review it, with a reason", {"plan": ["already agreed"]})
        self._plan_agreed(goals, intensity, expected_weeks, agreed_by)

    @event("PlanAgreed")
    def _plan_agreed(self, goals: list[dict], intensity: str, expected_weeks: int, agreed_by: dict):
        self.plan = {"goals": goals, "intensity": intensity, "expected_weeks": expected_weeks}
        self.plan_history.append({**self.plan, "reason": "agreed", "by": agreed_by["user_id"]})

    def review_plan(self, goals: list[dict], intensity: str, expected_weeks: int, reason: str, reviewed_by: dict):
        self.expect_open()
        if self.plan is None:
            raise NotNow("there is no plan to review yet; agree one first", {"plan": ["none"]})
        self._plan_reviewed(goals, intensity, expected_weeks, reason, reviewed_by)

    @event("PlanReviewed")
    def _plan_reviewed(self, goals: list[dict], intensity: str, expected_weeks: int, reason: str, reviewed_by: dict):
        self.plan = {"goals": goals, "intensity": intensity, "expected_weeks": expected_weeks}
        self.plan_history.append({**self.plan, "reason": reason, "by": reviewed_by["user_id"]})

    # -- contacts ----------------------------------------------------------------------------

    def note_intervention(self, intervention: Intervention) -> None:
        """What the trajectory keeps of an intervention recorded in it."""
        self._intervention_noted(intervention.id, intervention.at, intervention.place in ATTENDED_PLACES,
                                 intervention.worker)

    @event("InterventionNoted")
    def _intervention_noted(self, intervention_id: UUID, at: dt.datetime, attended: bool, worker: str):
        self.last_contact = max(at, self.last_contact) if self.last_contact else at
        if attended and at.date() not in self.attended_on:
            self.attended_on = sorted([*self.attended_on, at.date()])
        self._on_case(worker)

    def recommend_psychologist(self, reason: str, recommended_by: dict) -> None:
        self.expect_open()
        self._psychologist_recommended(reason, recommended_by, recommended_by["user_id"], self.languages)

    @event("PsychologistRecommended")
    def _psychologist_recommended(self, reason: str, recommended_by: dict, worker: str, languages: list[str]):
        self.psychologist_recommendations.append({"reason": reason, "by": worker})

    @event("WorkerChanged")
    def change_worker(self, worker: str, interpreter: dict | None):
        self.worker, self.interpreter = worker, interpreter
        self._on_case(worker)

    def _on_case(self, worker: str) -> None:
        if worker not in self.on_case:  # a list, not a set: snapshots are JSON
            self.on_case.append(worker)

    # -- closing -------------------------------------------------------------------------------

    def close(self, reason: str, summary: str, closed_by: dict) -> None:
        self.expect_open()
        if closed_by["role"] != "coordinator" and closed_by["user_id"] != self.worker:
            raise NotPermitted("only the worker on the case or the coordinator closes a trajectory")
        self._closed(reason, summary, closed_by)

    def close_on_transfer(self, to_agency: str) -> None:
        """Intake transferred the client: the agency's own trajectory ends here."""
        if self.status == OPEN:
            system = {"user_id": "intake", "role": "coordinator", "agency": self.agency}
            self._closed("transferred", f"transferred to {to_agency}", system)

    @event("Closed")
    def _closed(self, reason: str, summary: str, closed_by: dict):
        self.status = CLOSED
        self.closings.append({"reason": reason, "summary": summary, "by": closed_by["user_id"]})

    def reopen(self, reason: str, reopened_by: dict) -> None:
        if self.status != CLOSED:
            raise NotNow("the trajectory is open", {"status": [self.status]})
        if self.closings and self.closings[-1]["reason"] == "transferred":
            # The client went to another agency (issue 16, item 5): the old agency no
            # longer acts on them; the new one opens its own trajectory.
            raise NotPermitted("the client was transferred to another agency, which guides them now",
                               {"status": ["closed on transfer"]})
        self._reopened(reason, reopened_by)

    @event("Reopened")
    def _reopened(self, reason: str, reopened_by: dict):
        self.status = OPEN
        self.closings[-1]["reopened_because"] = reason

    # -- continuity and attendance -------------------------------------------------------

    def notice_what_is_due(self, now: dt.datetime) -> None:
        """Raise a continuity gap where no contact happened within the plan's
        intensity plus a grace period, and announce condition periods nearing their
        end; each once."""
        if self.status != OPEN:
            return
        due = self.next_contact_due()
        if due is not None and now > due + CONTINUITY_GRACE and not any(g["due"] == due for g in self.gaps):
            self._continuity_gap_raised(due, self.last_contact, now, self.worker)
        for condition in list(self.conditions.values()):
            ends = condition["ends"]
            if ends and not condition["ending_announced"] and now.date() <= ends <= now.date() + CONDITION_NOTICE:
                self._condition_period_ending(condition["condition_id"], condition["kind"], ends, self.worker)

    @event("ContinuityGapRaised")
    def _continuity_gap_raised(self, due: dt.datetime, last_contact: dt.datetime | None, noticed_at: dt.datetime,
                               worker: str):
        self.gaps.append({"due": due, "last_contact": last_contact, "noticed_at": noticed_at})

    @event("ConditionPeriodEnding")
    def _condition_period_ending(self, condition_id: str, kind: str, ends: dt.date, worker: str):
        self.conditions[condition_id]["ending_announced"] = True

    def issue_attendance_certificate(
        self, certificate_id: str, language: str, since: dt.date, until: dt.date, recipient: str, issued_by: dict,
    ) -> list[dt.date]:
        dates = [day for day in self.attended_on if since <= day <= until]
        if not dates:
            raise NotNow("the person attended no contact in this period", {"from": [since.isoformat()]})
        self._attendance_certificate_issued(certificate_id, language, dates, recipient, issued_by)
        return dates

    @event("AttendanceCertificateIssued")
    def _attendance_certificate_issued(
        self, certificate_id: str, language: str, dates: list[dt.date], recipient: str, issued_by: dict
    ):
        self.certificates.append(
            {"certificate_id": certificate_id, "language": language, "dates": dates, "recipient": recipient})

    def expect_open(self) -> None:
        if self.status != OPEN:
            raise TrajectoryClosed(self.status)

    # -- conditions: the agency supports compliance; the justice assistant controls
    # it, so nothing here records whether a condition was kept or broken.

    def record_condition(self, condition_id: str, kind: str, description: str, starts: dt.date,
                         ends: dt.date | None, authority: str, recorded_by: dict) -> None:
        self.expect_open()
        self._condition_recorded(condition_id, kind, description, starts, ends, authority, recorded_by)

    @event("ConditionRecorded")
    def _condition_recorded(self, condition_id: str, kind: str, description: str, starts: dt.date,
                            ends: dt.date | None, authority: str, recorded_by: dict):
        self.conditions[condition_id] = {
            "condition_id": condition_id, "kind": kind, "description": description, "starts": starts,
            "ends": ends, "authority": authority, "support": [], "ending_announced": False,
        }

    def support_condition(self, condition_id: str, support: str, on: dt.date, given_by: dict) -> None:
        self.expect_open()
        known(self.conditions, "condition", condition_id)
        self._condition_supported(condition_id, support, on, given_by)

    @event("ConditionSupported")
    def _condition_supported(self, condition_id: str, support: str, on: dt.date, given_by: dict):
        self.conditions[condition_id]["support"].append({"support": support, "on": on, "by": given_by["user_id"]})

    # -- appointments and accompaniments ------------------------------------------------

    def plan_appointment(self, appointment_id: str, at: dt.datetime, with_actor: str, purpose: str,
                         accompanied_by: str | None, leave_permit: dict | None, planned_by: dict) -> None:
        self.expect_open()
        self._appointment_planned(appointment_id, at, with_actor, purpose, accompanied_by, leave_permit,
                                  self.worker, self.interpreter, planned_by)

    @event("AppointmentPlanned")
    def _appointment_planned(self, appointment_id: str, at: dt.datetime, with_actor: str, purpose: str,
                             accompanied_by: str | None, leave_permit: dict | None, worker: str,
                             interpreter: dict | None, planned_by: dict):
        self.appointments[appointment_id] = {
            "appointment_id": appointment_id, "at": at, "with_actor": with_actor, "purpose": purpose,
            "accompanied_by": accompanied_by, "leave_permit": leave_permit, "outcome": None,
        }

    def record_appointment_outcome(self, appointment_id: str, outcome: str, now: dt.datetime,
                                   recorded_by: dict) -> None:
        self.expect_open()
        appointment = known(self.appointments, "appointment", appointment_id)
        if appointment["outcome"] is not None:
            raise NotNow("this appointment's outcome is already recorded", {"outcome": [appointment["outcome"]]})
        if outcome == "held" and appointment["at"] is not None and appointment["at"] > now:  # None: erased
            raise NotNow("an appointment is held only once its time has come", {"outcome": ["not yet"]})
        self._appointment_outcome_recorded(appointment_id, outcome, recorded_by)

    @event("AppointmentOutcomeRecorded")
    def _appointment_outcome_recorded(self, appointment_id: str, outcome: str, recorded_by: dict):
        self.appointments[appointment_id]["outcome"] = outcome

    # -- procedures with dated steps ----------------------------------------------------

    def start_procedure(self, procedure_id: str, kind: str, on: dt.date, started_by: dict) -> None:
        self.expect_open()
        if any(p["kind"] == kind and p["outcome"] is None for p in self.procedures.values()):
            raise NotNow(f"a {kind.replace('_', ' ')} procedure is already under way", {"kind": [kind]})
        self._procedure_started(procedure_id, kind, on, started_by)

    @event("ProcedureStarted")
    def _procedure_started(self, procedure_id: str, kind: str, on: dt.date, started_by: dict):
        self.procedures[procedure_id] = {"procedure_id": procedure_id, "kind": kind, "started": on, "steps": [],
                                         "outcome": None}

    def record_procedure_step(self, procedure_id: str, step: str, on: dt.date, recorded_by: dict) -> None:
        procedure = self._procedure_under_way(procedure_id)
        if procedure["started"] is not None and on < procedure["started"]:  # None: erased
            raise Invalid("a step cannot come before the procedure started", {"on": ["before the start"]})
        self._procedure_step_recorded(procedure_id, step, on, recorded_by)

    @event("ProcedureStepRecorded")
    def _procedure_step_recorded(self, procedure_id: str, step: str, on: dt.date, recorded_by: dict):
        self.procedures[procedure_id]["steps"].append({"step": step, "on": on})

    def end_procedure(self, procedure_id: str, outcome: str, on: dt.date, ended_by: dict) -> None:
        self._procedure_under_way(procedure_id)
        self._procedure_ended(procedure_id, outcome, on, ended_by)

    @event("ProcedureEnded")
    def _procedure_ended(self, procedure_id: str, outcome: str, on: dt.date, ended_by: dict):
        self.procedures[procedure_id]["outcome"] = {"outcome": outcome, "on": on}

    def _procedure_under_way(self, procedure_id: str) -> dict:
        self.expect_open()
        procedure = known(self.procedures, "procedure", procedure_id)
        if procedure["outcome"] is not None:
            raise NotNow("this procedure has ended", {"procedure_id": ["ended"]})
        return procedure
