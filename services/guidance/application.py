"""The guidance service's commands, in simple types.

Every command takes the actor and checks that this actor may do it here: staff of
the agency that guides the client. The trajectory and the intervention check their
own rules (services/guidance/domain); what is left here is loading, the access
check, reading what a rule needs from another record (the family consent, on the
client's record) and saving.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared import access_log, erasure
from shared.access import allow
from shared.contracts.guidance_vocabulary import SUB_KINDS
from shared.domain import Invalid
from shared.errors import NotFound
from shared.retention import Retention
from shared.store import ServiceApplication

from services.guidance import certificates
from services.guidance.agenda import Agenda
from services.guidance.domain import CLOSED, Intervention, Trajectory
from services.guidance.domain.trajectory import contact
from services.guidance.domain.rules import DOCUMENT_NOTICE
from services.guidance.integration import PUBLICATIONS, SEALED
from services.guidance.policies import Policies
from services.guidance.projections import InterventionIndex, TrajectoryIndex
from services.guidance.queries import Queries

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
COORDINATOR = {"coordinator"}
GUIDED_ELSEWHERE = "this client is guided by another agency"


def _short_id() -> str:
    return uuid.uuid4().hex[:12]


# Storage limitation: a closed trajectory's personal data is kept this long after closing.
CLOSED_RETENTION = dt.timedelta(days=5 * 365)
CLOSED_RULE = "closed trajectory"


class GuidanceApplication(Retention, Policies, Queries, ServiceApplication):
    service_name = "guidance"
    sealed = {**SEALED, **access_log.SEALED}
    is_snapshotting_enabled = True
    # Every command loads the trajectory: from its snapshot plus the events after it.
    # A trajectory's state stays small (interventions are their own aggregates), so a
    # snapshot every 20 events costs little and bounds each load to 19 events; at 200
    # a load replayed about 100 on average, a third of guidance's CPU under load.
    snapshotting_intervals = {Trajectory: 20}

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.closed_retention = CLOSED_RETENTION  # [guidance] closed_retention_days
        self.index = TrajectoryIndex(self)
        self.interventions = InterventionIndex(self)
        self.agenda = Agenda(self)
        self.document_notice = DOCUMENT_NOTICE  # [guidance] document_notice_days
        self.publications = {**PUBLICATIONS, **access_log.publication(self.service_name)}

    def _trajectory(self, actor: dict, client_id: UUID, command: str, roles: set[str] = CASEWORK) -> Trajectory:
        """The client's trajectory, once ``actor`` may ``command`` it."""
        trajectory = self.current_trajectory(client_id)
        if trajectory is None:
            raise NotFound("this client has no trajectory here", {"client_id": ["no trajectory"]})
        allow(actor, roles, command, trajectory.agency, elsewhere=GUIDED_ELSEWHERE)
        return trajectory

    # -- the plan and the contacts ------------------------------------------------------

    def agree_plan(self, actor: dict, client_id: UUID, goals: list[dict], intensity: str, expected_weeks: int) -> None:
        trajectory = self._trajectory(actor, client_id, "agree_plan")
        trajectory.agree_plan(goals, intensity, expected_weeks, agreed_by=actor)
        self.save(trajectory)

    def review_plan(
        self, actor: dict, client_id: UUID, goals: list[dict], intensity: str, expected_weeks: int, reason: str,
        goal_outcomes: list[dict] | None = None,
    ) -> None:
        trajectory = self._trajectory(actor, client_id, "review_plan")
        trajectory.review_plan(goals, intensity, expected_weeks, reason, reviewed_by=actor,
                               goal_outcomes=goal_outcomes)
        self.save(trajectory)

    def record_intervention(self, actor: dict, client_id: UUID, **given) -> UUID:
        """``given``: the fields of shared.contracts.guidance.Intervention a worker gives."""
        trajectory = self._trajectory(actor, client_id, "record_intervention")
        intervention = Intervention.record(trajectory, self.clock(), actor, **given)
        trajectory.note_intervention(intervention)
        self.save(intervention, trajectory)
        return intervention.id

    # -- corrections of an intervention (issue 20) ------------------------------------------

    def _intervention(self, actor: dict, intervention_id: UUID, command: str) -> tuple[Intervention, Trajectory]:
        """The intervention and its trajectory, once ``actor`` may ``command`` it: the
        roles that record one, in the agency whose trajectory it is in."""
        try:
            intervention = self.repository.get(intervention_id)
        except AggregateNotFoundError:
            intervention = None
        if not isinstance(intervention, Intervention):
            raise NotFound("no such intervention", {"intervention_id": ["not found"]})
        trajectory: Trajectory = self.repository.get(intervention.trajectory_id)
        allow(actor, CASEWORK, command, trajectory.agency, elsewhere=GUIDED_ELSEWHERE,
              client_id=intervention.client_id)
        return intervention, trajectory

    def amend_intervention(self, actor: dict, intervention_id: UUID, reason: str, **changes) -> Intervention:
        """``changes``: the given fields of shared.contracts.guidance.Intervention to correct."""
        intervention, trajectory = self._intervention(actor, intervention_id, "amend_intervention")
        was = contact(intervention)
        changed = intervention.amend(trajectory, self.clock(), reason, actor, SUB_KINDS, **changes)
        if {"at", "place"} & set(changed):  # what the trajectory keeps of it
            trajectory.note_intervention_correction(
                intervention, was, self.interventions.last_contact_besides(trajectory.id, intervention.id))
            self.save(intervention, trajectory)
        else:
            self.save(intervention)
        return intervention

    def retract_intervention(self, actor: dict, intervention_id: UUID, reason: str,
                             client_id: UUID | None = None) -> Intervention:
        """Retract an intervention recorded in error; with ``client_id``, record it again
        on that client (it was recorded on the wrong one), each naming the other."""
        intervention, trajectory = self._intervention(actor, intervention_id, "retract_intervention")
        again = right = None
        if client_id is not None:
            right = self._trajectory(actor, client_id, "record_intervention")
            if right.id == trajectory.id:
                raise Invalid("the intervention is on this client already", {"client_id": ["the same client"]})
            intervention.expect_correctable(trajectory)
            # The contact happened as recorded, by the worker who recorded it.
            again = Intervention.record(right, self.clock(), {"user_id": intervention.worker,
                                                              "role": intervention.worker_profile},
                                        replaces=intervention.id, **intervention.given())
            right.note_intervention(again)
        intervention.retract(trajectory, reason, actor, recorded_again_as=again.id if again else None)
        trajectory.note_intervention_retraction(
            intervention, contact(intervention), self.interventions.last_contact_besides(trajectory.id, intervention.id))
        self.save(*[record for record in (intervention, trajectory, again, right) if record is not None])
        return intervention

    def recommend_psychologist(self, actor: dict, client_id: UUID, reason: str) -> None:
        trajectory = self._trajectory(actor, client_id, "recommend_psychologist")
        trajectory.recommend_psychologist(reason, recommended_by=actor)
        self.save(trajectory)

    def close_trajectory(self, actor: dict, client_id: UUID, reason: str, summary: str,
                         goal_outcomes: list[dict] | None = None) -> None:
        trajectory = self._trajectory(actor, client_id, "close_trajectory")
        trajectory.close(reason, summary, closed_by=actor, goal_outcomes=goal_outcomes)
        self.save(trajectory)

    def reopen_trajectory(self, actor: dict, client_id: UUID, reason: str) -> None:
        trajectory = self._trajectory(actor, client_id, "reopen_trajectory", COORDINATOR)
        trajectory.reopen(reason, reopened_by=actor)
        self.save(trajectory)

    # -- open items ------------------------------------------------------------------------

    def record_condition(
        self, actor: dict, client_id: UUID, kind: str, description: str, starts: dt.date, ends: dt.date | None,
        authority: str,
    ) -> str:
        trajectory = self._trajectory(actor, client_id, "record_condition")
        condition_id = _short_id()
        trajectory.record_condition(condition_id, kind, description, starts, ends, authority, recorded_by=actor)
        self.save(trajectory)
        return condition_id

    def support_condition(self, actor: dict, client_id: UUID, condition_id: str, support: str, on: dt.date) -> None:
        trajectory = self._trajectory(actor, client_id, "support_condition")
        trajectory.support_condition(condition_id, support, on, given_by=actor)
        self.save(trajectory)

    def plan_appointment(
        self, actor: dict, client_id: UUID, at: dt.datetime, with_actor: str, purpose: str,
        accompanied_by: str | None = None, leave_permit: dict | None = None,
    ) -> str:
        trajectory = self._trajectory(actor, client_id, "plan_appointment")
        appointment_id = _short_id()
        permit = {"from": leave_permit["starts"], "until": leave_permit["ends"]} if leave_permit else None
        trajectory.plan_appointment(appointment_id, at, with_actor, purpose, accompanied_by, permit, planned_by=actor)
        self.save(trajectory)
        return appointment_id

    def record_appointment_outcome(self, actor: dict, client_id: UUID, appointment_id: str, outcome: str) -> None:
        trajectory = self._trajectory(actor, client_id, "record_appointment_outcome")
        trajectory.record_appointment_outcome(appointment_id, outcome, self.clock(), recorded_by=actor)
        self.save(trajectory)

    def reschedule_appointment(self, actor: dict, client_id: UUID, appointment_id: str, at: dt.datetime,
                               reason: str) -> None:
        trajectory = self._trajectory(actor, client_id, "reschedule_appointment")
        trajectory.reschedule_appointment(appointment_id, at, reason, self.clock(), rescheduled_by=actor)
        self.save(trajectory)

    def cancel_appointment(self, actor: dict, client_id: UUID, appointment_id: str, reason: str) -> None:
        trajectory = self._trajectory(actor, client_id, "cancel_appointment")
        trajectory.cancel_appointment(appointment_id, reason, cancelled_by=actor)
        self.save(trajectory)

    def add_network_member(self, actor: dict, client_id: UUID, relation: str, known_as: str) -> str:
        trajectory = self._trajectory(actor, client_id, "add_network_member")
        network = self.network_of(trajectory)
        member_id = _short_id()
        network.add_member(trajectory, member_id, relation, known_as, added_by=actor)
        self.save(network)
        return member_id

    def record_network_contact(
        self, actor: dict, client_id: UUID, member_id: str, on: dt.date, kind: str, note: str = ""
    ) -> None:
        trajectory = self._trajectory(actor, client_id, "record_network_contact")
        network = self.network_of(trajectory)
        network.record_contact(trajectory, member_id, on, kind, note, recorded_by=actor,
                               family_consent=self.client_on_record(client_id).family_consent)
        self.save(network)

    def prepare_return_home(
        self, actor: dict, client_id: UUID, member_id: str, leave_permit: dict, note: str = ""
    ) -> None:
        trajectory = self._trajectory(actor, client_id, "prepare_return_home")
        network = self.network_of(trajectory)
        network.prepare_return_home(trajectory, member_id, leave_permit["starts"], leave_permit["ends"], note,
                                    prepared_by=actor, family_consent=self.client_on_record(client_id).family_consent)
        self.save(network)

    def start_procedure(self, actor: dict, client_id: UUID, kind: str, on: dt.date) -> str:
        trajectory = self._trajectory(actor, client_id, "start_procedure")
        procedure_id = _short_id()
        trajectory.start_procedure(procedure_id, kind, on, started_by=actor)
        self.save(trajectory)
        return procedure_id

    def record_procedure_step(self, actor: dict, client_id: UUID, procedure_id: str, step: str, on: dt.date) -> None:
        trajectory = self._trajectory(actor, client_id, "record_procedure_step")
        trajectory.record_procedure_step(procedure_id, step, on, recorded_by=actor)
        self.save(trajectory)

    def end_procedure(self, actor: dict, client_id: UUID, procedure_id: str, outcome: str, on: dt.date) -> None:
        trajectory = self._trajectory(actor, client_id, "end_procedure")
        trajectory.end_procedure(procedure_id, outcome, on, ended_by=actor)
        self.save(trajectory)

    def record_document_expiry(self, actor: dict, client_id: UUID, procedure_id: str, expires: dt.date) -> None:
        trajectory = self._trajectory(actor, client_id, "record_document_expiry")
        trajectory.record_document_expiry(procedure_id, expires, recorded_by=actor)
        self.save(trajectory)

    def issue_attendance_certificate(
        self, actor: dict, client_id: UUID, language: str, recipient: str, since: dt.date, until: dt.date,
        person_name: str,
    ) -> dict:
        """Record the issuing and return the printable text. The name is printed,
        never stored here: who the person is stays with intake."""
        trajectory = self._trajectory(actor, client_id, "issue_attendance_certificate")
        certificate_id = _short_id()
        dates = trajectory.issue_attendance_certificate(certificate_id, language, since, until, recipient,
                                                        issued_by=actor)
        self.save(trajectory)
        text = certificates.render(language, trajectory.agency, person_name, dates, self.clock().date(), certificate_id)
        return {"certificate_id": certificate_id, "language": language, "dates": [d.isoformat() for d in dates],
                "text": text}

    # -- retention: a closed trajectory's personal data goes, in time ----------------------

    def own_retention_due(self, now: dt.datetime) -> list[dict]:
        """Clients whose trajectory here has been closed longer than
        ``closed_retention``, whose keys here still exist and whose data no legal hold
        keeps: ids, rule, since when."""
        due = []
        for trajectory_id in self.index.all():
            trajectory: Trajectory = self.repository.get(trajectory_id)
            # Nothing is recorded on a closed trajectory: its last change is its closing.
            since = trajectory.modified_on + self.closed_retention
            if trajectory.status == CLOSED and since <= now and self.data_keys.key(trajectory.client_id, "case_file") \
                    and not self._held(trajectory.client_id):
                due.append({"client_id": str(trajectory.client_id), "rule": CLOSED_RULE, "due_since": since.isoformat(),
                            "trajectory_id": trajectory_id})
        return due

    def _held(self, client_id: UUID) -> bool:
        """Whether a legal hold keeps the client's data (intake decides; guidance follows)."""
        try:
            return self.repository.get(client_id).legal_hold
        except AggregateNotFoundError:
            return False

    def carry_out_own(self, due: list[dict]) -> list[dict]:
        """Destroy guidance's keys of the client's file and notes, recording that it
        did (shared.erasure): guidance's part of the file reads as erased; intake's
        and the others' follow their own rules."""
        for item in due:
            self.save(erasure.carry_out(self, UUID(item["client_id"]),
                                        erasure.retention_decision(CLOSED_RULE, item["trajectory_id"]),
                                        ["case_file", "case_notes"]))
        return due

    # -- time: what is due is noticed, once ------------------------------------------

    def check_time(self) -> int:
        """Let every open trajectory notice what has fallen due. Returns how many
        facts were raised."""
        now = self.clock()
        raised = 0
        self.agenda.plans.refresh()
        for trajectory_id in self.index.all():
            trajectory: Trajectory = self.repository.get(trajectory_id)
            trajectory.notice_what_is_due(now)
            trajectory.notice_documents_expiring(now, self.document_notice)
            trajectory.notice_plan_review(self.agenda.plans.review_due(trajectory_id), now)
            new = len(trajectory.pending_events)
            if new:
                self.save(trajectory)
                raised += new
        return raised
