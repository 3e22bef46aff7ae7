"""The trajectory: one client's guidance by one agency, with its plan and open items."""
from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import CaseAggregate, Invalid, NotNow, NotPermitted

from services.guidance.domain.intervention import Intervention
from services.guidance.domain.rules import (
    ATTENDED_PLACES, CLOSED, CONDITION_NOTICE, CONTINUITY_GRACE, DOCUMENT_NOTICE, INTERVALS, OPEN, PLAN_REVIEW_NOTICE,
    RESIDENCE_STATUS, TrajectoryClosed, known,
)

_NAMESPACE = uuid.UUID("6a1d2c7e-0f4b-4c1a-9e55-3f0b9c2d8e41")


def contact(intervention: Intervention) -> tuple[dt.datetime, bool]:
    """What a trajectory keeps of one of its interventions: when, and whether the person was there."""
    return intervention.at, intervention.place in ATTENDED_PLACES


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
        # How many interventions the person attended on each day (ISO date -> count):
        # a correction of one leaves the attended dates right (issue 20), and the state
        # grows with the days attended, not with every intervention (WAVE2 2).
        self.attended_days: dict[str, int] = {}
        self.goal_outcomes: list[dict] = []
        self.psychologist_recommendations: list[dict] = []
        self.closings: list[dict] = []
        self.conditions: dict[str, dict] = {}
        self.appointments: dict[str, dict] = {}
        self.procedures: dict[str, dict] = {}
        self.certificates: list[dict] = []
        self.gaps: list[dict] = []
        self.plan_reviews_announced: list[int] = []  # the plan versions (len(plan_history)) whose review was announced
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

    def review_plan(self, goals: list[dict], intensity: str, expected_weeks: int, reason: str, reviewed_by: dict,
                    goal_outcomes: list[dict] | None = None):
        """``goal_outcomes``: how far goals of the plan under review were reached."""
        self.expect_open()
        if self.plan is None:
            raise NotNow("there is no plan to review yet; agree one first", {"plan": ["none"]})
        outcomes = self._outcomes_of_goals(goal_outcomes)
        if outcomes:
            self._goal_outcomes_recorded("review", outcomes, reviewed_by)
        self._plan_reviewed(goals, intensity, expected_weeks, reason, reviewed_by)

    @event("PlanReviewed")
    def _plan_reviewed(self, goals: list[dict], intensity: str, expected_weeks: int, reason: str, reviewed_by: dict):
        self.plan = {"goals": goals, "intensity": intensity, "expected_weeks": expected_weeks}
        self.plan_history.append({**self.plan, "reason": reason, "by": reviewed_by["user_id"]})

    def _outcomes_of_goals(self, given: list[dict] | None) -> list[dict]:
        """Each goal's outcome with the goal's domain (never its words), by its place in
        the plan in force; none given, none."""
        if not given:
            return []
        if self.plan is None:
            raise NotNow("there is no plan whose goals to assess", {"goal_outcomes": ["no plan"]})
        goals = self.plan["goals"]
        if goals is None:  # erased
            raise NotNow("the plan's goals were erased", {"goal_outcomes": ["goals erased"]})
        numbers = [item["goal_number"] for item in given]
        if len(set(numbers)) != len(numbers):
            raise Invalid("each goal has one outcome", {"goal_outcomes": ["a goal is named twice"]})
        if max(numbers) > len(goals):
            raise Invalid("no such goal in the plan", {"goal_outcomes": [f"the plan has {len(goals)} goals"]})
        return [{"goal_number": item["goal_number"], "domain": goals[item["goal_number"] - 1]["domain"],
                 "outcome": item["outcome"]} for item in sorted(given, key=lambda item: item["goal_number"])]

    @event("GoalOutcomesRecorded")
    def _goal_outcomes_recorded(self, when: str, outcomes: list[dict], recorded_by: dict):
        self.goal_outcomes.append({"when": when, "outcomes": outcomes, "by": recorded_by["user_id"]})

    # -- contacts ----------------------------------------------------------------------------

    @property
    def attended_on(self) -> list[dt.date]:
        """The days the person attended a contact, in order: what a certificate states."""
        return sorted(dt.date.fromisoformat(day) for day in self.attended_days)

    def note_intervention(self, intervention: Intervention) -> None:
        """What the trajectory keeps of an intervention recorded in it."""
        at, attended = contact(intervention)
        self._intervention_noted(intervention.id, at, attended, intervention.worker)

    @event("InterventionNoted")
    def _intervention_noted(self, intervention_id: UUID, at: dt.datetime, attended: bool, worker: str):
        self.last_contact = max(at, self.last_contact) if self.last_contact else at
        self._count_attended(at, attended, +1)
        self._on_case(worker)

    def note_intervention_correction(
        self, intervention: Intervention, was: tuple[dt.datetime, bool], others_last: dt.datetime | None,
    ) -> None:
        """An intervention of this trajectory was amended: ``was`` is what the trajectory
        kept of it before (``contact``), ``others_last`` the latest of the trajectory's
        other interventions still standing (the trajectory does not keep them all)."""
        at, attended = contact(intervention)
        last = max(at, others_last) if others_last else at
        self._intervention_correction_noted(intervention.id, at, attended, intervention.worker, *was, last)

    @event("InterventionCorrectionNoted")
    def _intervention_correction_noted(
        self, intervention_id: UUID, at: dt.datetime, attended: bool, worker: str, was_at: dt.datetime,
        was_attended: bool, last_contact: dt.datetime,
    ):
        self._count_attended(was_at, was_attended, -1)
        self._count_attended(at, attended, +1)
        self.last_contact = last_contact

    def note_intervention_retraction(
        self, intervention: Intervention, was: tuple[dt.datetime, bool], others_last: dt.datetime | None,
    ) -> None:
        """An intervention of this trajectory was retracted; ``was`` and ``others_last``
        as for a correction."""
        self._intervention_retraction_noted(intervention.id, *was, others_last)

    @event("InterventionRetractionNoted")
    def _intervention_retraction_noted(
        self, intervention_id: UUID, was_at: dt.datetime, was_attended: bool, last_contact: dt.datetime | None,
    ):
        self._count_attended(was_at, was_attended, -1)
        self.last_contact = last_contact

    def _count_attended(self, at: dt.datetime, attended: bool, change: int) -> None:
        """A day stays attended while another intervention that day stands."""
        if not attended:
            return
        day = at.date().isoformat()
        count = self.attended_days.get(day, 0) + change
        if count > 0:
            self.attended_days[day] = count
        else:
            self.attended_days.pop(day, None)

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

    @event("LegalSituationNoted")
    def note_legal_situation(self, legal_position: str, situation: str):
        """Intake recorded a change of where the client stands (issue 20): the file shows it."""
        self.legal_position, self.situation = legal_position, situation

    def _on_case(self, worker: str) -> None:
        if worker not in self.on_case:  # a list, not a set: snapshots are JSON
            self.on_case.append(worker)

    # -- closing -------------------------------------------------------------------------------

    def close(self, reason: str, summary: str, closed_by: dict, goal_outcomes: list[dict] | None = None) -> None:
        """``goal_outcomes``: how far goals of the plan in force were reached."""
        self.expect_open()
        if closed_by["role"] != "coordinator" and closed_by["user_id"] != self.worker:
            raise NotPermitted("only the worker on the case or the coordinator closes a trajectory")
        outcomes = self._outcomes_of_goals(goal_outcomes)
        if outcomes:
            self._goal_outcomes_recorded("closing", outcomes, closed_by)
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

    def notice_documents_expiring(self, now: dt.datetime, notice: dt.timedelta = DOCUMENT_NOTICE) -> None:
        """Announce a residence document that expires within ``notice``, once per
        expiry date recorded."""
        if self.status != OPEN:
            return
        for procedure in list(self.procedures.values()):
            expires = procedure.get("document_expires")
            if expires and not procedure.get("expiry_announced") and expires <= now.date() + notice:
                self._document_expiring(procedure["procedure_id"], expires, self.worker)

    @event("DocumentExpiring")
    def _document_expiring(self, procedure_id: str, expires: dt.date, worker: str):
        self.procedures[procedure_id]["expiry_announced"] = True

    def notice_plan_review(self, due: dt.date | None, now: dt.datetime,
                           notice: dt.timedelta = PLAN_REVIEW_NOTICE) -> None:
        """Announce that the plan's review falls due on ``due`` (when it was agreed
        or last reviewed, plus its expected weeks: the agenda computes it), once per
        version of the plan."""
        if self.status != OPEN or self.plan is None or due is None:
            return
        version = len(self.plan_history)
        if version not in self.plan_reviews_announced and now.date() >= due - notice:
            self._plan_review_due(due, version, self.worker)

    @event("PlanReviewDue")
    def _plan_review_due(self, due: dt.date, plan_version: int, worker: str):
        self.plan_reviews_announced.append(plan_version)

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
            "cancelled": False, "rescheduled_from": [],
        }

    def reschedule_appointment(self, appointment_id: str, at: dt.datetime, reason: str, now: dt.datetime,
                               rescheduled_by: dict) -> None:
        appointment = self._appointment_to_change(appointment_id)
        if at <= now:
            raise Invalid("an appointment moves to a time still to come", {"at": ["is in the past"]})
        if appointment["at"] == at:
            raise Invalid("the appointment is at this time already", {"at": ["unchanged"]})
        permit = appointment["leave_permit"]
        if permit and not permit["from"] <= at <= permit["until"]:
            raise Invalid("the appointment takes place during its leave permit",
                          {"at": ["must fall within the leave permit"]})
        self._appointment_rescheduled(appointment_id, at, appointment["with_actor"], self.worker,
                                      appointment["accompanied_by"], self.interpreter, reason, rescheduled_by)

    @event("AppointmentRescheduled")
    def _appointment_rescheduled(self, appointment_id: str, at: dt.datetime, with_actor: str, worker: str,
                                 accompanied_by: str | None, interpreter: dict | None, reason: str,
                                 rescheduled_by: dict):
        appointment = self.appointments[appointment_id]
        appointment["rescheduled_from"] = [*appointment.get("rescheduled_from", []), appointment["at"]]
        appointment["at"] = at

    def cancel_appointment(self, appointment_id: str, reason: str, cancelled_by: dict) -> None:
        self._appointment_to_change(appointment_id)
        self._appointment_cancelled(appointment_id, self.worker, reason, cancelled_by)

    @event("AppointmentCancelled")
    def _appointment_cancelled(self, appointment_id: str, worker: str, reason: str, cancelled_by: dict):
        self.appointments[appointment_id]["cancelled"] = True

    def _appointment_to_change(self, appointment_id: str) -> dict:
        """An appointment still to take place: neither cancelled nor with its outcome recorded."""
        self.expect_open()
        appointment = known(self.appointments, "appointment", appointment_id)
        if appointment.get("cancelled"):
            raise NotNow("this appointment was cancelled", {"status": ["cancelled"]})
        if appointment["outcome"] is not None:
            raise NotNow("this appointment's outcome is recorded", {"outcome": [appointment["outcome"]]})
        return appointment

    def record_appointment_outcome(self, appointment_id: str, outcome: str, now: dt.datetime,
                                   recorded_by: dict) -> None:
        self.expect_open()
        appointment = known(self.appointments, "appointment", appointment_id)
        if appointment.get("cancelled"):
            raise NotNow("this appointment was cancelled", {"status": ["cancelled"]})
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

    def record_document_expiry(self, procedure_id: str, expires: dt.date, recorded_by: dict) -> None:
        """The residence document's expiry date, as the procedure learned it (a card
        granted or extended); recorded again when a new one is issued."""
        self.expect_open()
        procedure = known(self.procedures, "procedure", procedure_id)
        if procedure["kind"] is not None and procedure["kind"] != RESIDENCE_STATUS:  # None: erased
            raise Invalid("only a residence-status procedure has a document that expires",
                          {"procedure_id": [f"a {procedure['kind']} procedure"]})
        self._document_expiry_recorded(procedure_id, expires, recorded_by)

    @event("DocumentExpiryRecorded")
    def _document_expiry_recorded(self, procedure_id: str, expires: dt.date, recorded_by: dict):
        self.procedures[procedure_id].update(document_expires=expires, expiry_announced=False)

    def _procedure_under_way(self, procedure_id: str) -> dict:
        self.expect_open()
        procedure = known(self.procedures, "procedure", procedure_id)
        if procedure["outcome"] is not None:
            raise NotNow("this procedure has ended", {"procedure_id": ["ended"]})
        return procedure
