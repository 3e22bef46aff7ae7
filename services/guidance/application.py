"""The guidance service's commands, queries and policies, in simple types.

Every command takes the actor and checks that this actor may do it here: staff of
the agency that guides the client. The confidential note of an intervention is
read only by the staff on the case (the workers who guide or guided the person)
and the agency's coordinator.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import event_type
from shared.errors import Conflict, Forbidden, NotFound
from shared.outbox import Publication
from shared.store import ServiceApplication

from services.guidance.domain import CLOSED, OPEN, ClientOnRecord, Trajectory
from services.guidance.projections import TrajectoryIndex

log = logging.getLogger(__name__)

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
COORDINATOR = {"coordinator"}


def _publication(fact: str, e, t_data: dict, actor: dict | None = None) -> Publication:
    """``t_data`` holds client_id and agency of the trajectory besides the fact's own data."""
    by = {"actor": actor["user_id"], "actor_role": actor["role"]} if actor else {}
    return Publication(
        type=event_type("guidance", fact, 1), subject=str(t_data["client_id"]),
        data={**t_data, "client_id": str(t_data["client_id"]), "trajectory_id": str(e.originator_id)},
        agency=t_data["agency"], **by,
    )


class GuidanceApplication(ServiceApplication):
    service_name = "guidance"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Trajectory: 200}

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.index = TrajectoryIndex(self)
        self._fixed_facts: dict[UUID, dict] = {}

    # -- what guidance publishes ------------------------------------------------------
    # Later facts do not repeat the client and agency; both are fixed for the life
    # of a trajectory (a transfer opens a new one), so the relay looks them up once.

    @property
    def publications(self):
        return {
            Trajectory.Opened: self._opened,
            Trajectory.InterventionRecorded: self._intervention_recorded,
            Trajectory.PsychologistRecommended: lambda e: self._about(
                "psychologist-recommended", e, e.recommended_by,
                worker=e.recommended_by["user_id"], languages=self._fixed(e.originator_id)["languages"]),
            Trajectory.Closed: lambda e: self._about("trajectory-closed", e, e.closed_by, reason=e.reason),
            Trajectory.Reopened: lambda e: self._about("trajectory-reopened", e, e.reopened_by),
        }

    def _fixed(self, trajectory_id: UUID) -> dict:
        if trajectory_id not in self._fixed_facts:
            t: Trajectory = self.repository.get(trajectory_id)
            self._fixed_facts[trajectory_id] = {"client_id": t.client_id, "agency": t.agency, "languages": t.languages}
        return self._fixed_facts[trajectory_id]

    def _about(self, fact: str, e, actor: dict, **data) -> Publication:
        fixed = self._fixed(e.originator_id)
        return _publication(fact, e, {"client_id": fixed["client_id"], "agency": fixed["agency"], **data}, actor)

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

    # -- policies: what intake's facts do here ----------------------------------------

    def policies(self):
        return {
            event_type("intake", "client-registered", 1): self.note_registered_client,
            event_type("intake", "intake-accepted", 1): self.open_trajectory,
            event_type("intake", "client-reassigned", 1): self.follow_reassignment,
            event_type("intake", "client-transferred", 1): self.follow_transfer,
        }

    def note_registered_client(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        processing.collect_events(ClientOnRecord(
            client_id=data["client_id"],
            legal_position=data["legal_position"],
            languages=data["languages"],
            interpreter_needed=data["interpreter_needed"],
        ))

    def open_trajectory(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        trajectory = Trajectory(
            opened_by_event=event["id"], client_id=data["client_id"], agency=data["agency"], worker=data["worker"],
            legal_position=data["legal_position"], situation=data["situation"], languages=data["languages"],
            preferred_language=data["preferred_language"], interpreter=data["interpreter"], domains=data["domains"],
        )
        record = self.aggregate_in(processing, data["client_id"])
        record.follow_trajectory(trajectory.id)
        processing.collect_events(trajectory, record)

    def follow_reassignment(self, event: dict, processing: ProcessingEvent) -> None:
        trajectory = self._current(event["data"]["client_id"], processing)
        if trajectory is not None and trajectory.status == OPEN:
            trajectory.change_worker(event["data"]["worker"], event["data"]["interpreter"])
            processing.collect_events(trajectory)

    def follow_transfer(self, event: dict, processing: ProcessingEvent) -> None:
        """The old agency's trajectory closes; a worker at the new agency opens a new one."""
        data = event["data"]
        old = self._current(data["client_id"], processing)
        if old is None:
            return
        if old.status == OPEN:
            system = {"user_id": "intake", "role": "coordinator", "agency": old.agency}
            old.close("transferred", f"transferred to {data['agency']}", closed_by=system)
            processing.collect_events(old)
        if data["worker"] is not None:
            new = Trajectory(
                opened_by_event=event["id"], client_id=old.client_id, agency=data["agency"], worker=data["worker"],
                legal_position=old.legal_position, situation=old.situation, languages=old.languages,
                preferred_language=old.preferred_language, interpreter=None, domains=old.domains,
            )
            record = self.aggregate_in(processing, old.client_id)
            record.follow_trajectory(new.id)
            processing.collect_events(new, record)

    def _current(self, client_id: UUID, processing: ProcessingEvent | None = None) -> Trajectory | None:
        try:
            record = self.aggregate_in(processing, client_id) if processing else self.repository.get(client_id)
        except AggregateNotFoundError:
            return None
        if record.trajectory_id is None:
            return None
        return self.aggregate_in(processing, record.trajectory_id) if processing else self.repository.get(record.trajectory_id)

    # -- access -----------------------------------------------------------------------

    def _trajectory(self, actor: dict, client_id: UUID, roles: set[str], command: str) -> Trajectory:
        trajectory = self._current(client_id)
        if trajectory is None:
            raise NotFound("this client has no trajectory here", {"client_id": ["no trajectory"]})
        if actor["role"] not in roles or actor["agency"] != trajectory.agency:
            log.warning("refused", extra={
                "command": command, "actor": actor["user_id"], "actor_role": actor["role"],
                "actor_agency": actor["agency"], "reason": "role" if actor["role"] not in roles else "agency",
            })
            raise Forbidden(
                "this client is guided by another agency" if actor["role"] in roles
                else f"a {actor['role'].replace('_', ' ')} may not {command.replace('_', ' ')}"
            )
        return trajectory

    @staticmethod
    def _expect_open(trajectory: Trajectory) -> None:
        if trajectory.status != OPEN:
            raise Conflict("the trajectory is closed; reopen it first", {"status": [trajectory.status]})

    # -- commands ---------------------------------------------------------------------

    def agree_plan(self, actor: dict, client_id: UUID, goals: list[dict], intensity: str, expected_weeks: int) -> None:
        trajectory = self._trajectory(actor, client_id, CASEWORK, "agree_plan")
        self._expect_open(trajectory)
        if trajectory.plan is not None:
            raise Conflict("a plan is already agreed; review it, with a reason", {"plan": ["already agreed"]})
        trajectory.agree_plan(goals, intensity, expected_weeks, agreed_by=actor)
        self.save(trajectory)

    def review_plan(
        self, actor: dict, client_id: UUID, goals: list[dict], intensity: str, expected_weeks: int, reason: str
    ) -> None:
        trajectory = self._trajectory(actor, client_id, CASEWORK, "review_plan")
        self._expect_open(trajectory)
        if trajectory.plan is None:
            raise Conflict("there is no plan to review yet; agree one first", {"plan": ["none"]})
        trajectory.review_plan(goals, intensity, expected_weeks, reason, reviewed_by=actor)
        self.save(trajectory)

    def record_intervention(
        self, actor: dict, client_id: UUID, at: dt.datetime, minutes: int, place: str, method: str, sub_kind: str,
        domains: list[str], interpreter: dict | None = None, note: str = "", next_steps: str = "",
    ) -> UUID:
        trajectory = self._trajectory(actor, client_id, CASEWORK, "record_intervention")
        self._expect_open(trajectory)
        if at > self.clock() + dt.timedelta(minutes=5):
            raise Conflict("an intervention is recorded after it happened", {"at": ["is in the future"]})
        intervention_id = uuid.uuid4()
        trajectory.record_intervention(
            intervention_id, at, minutes, place, method, sub_kind, domains, interpreter, note, next_steps,
            worker=actor["user_id"], worker_profile=actor["role"],
        )
        self.save(trajectory)
        return intervention_id

    def recommend_psychologist(self, actor: dict, client_id: UUID, reason: str) -> None:
        trajectory = self._trajectory(actor, client_id, CASEWORK, "recommend_psychologist")
        self._expect_open(trajectory)
        trajectory.recommend_psychologist(reason, recommended_by=actor)
        self.save(trajectory)

    def close_trajectory(self, actor: dict, client_id: UUID, reason: str, summary: str) -> None:
        trajectory = self._trajectory(actor, client_id, CASEWORK, "close_trajectory")
        self._expect_open(trajectory)
        if actor["role"] != "coordinator" and actor["user_id"] != trajectory.worker:
            raise Forbidden("only the worker on the case or the coordinator closes a trajectory")
        trajectory.close(reason, summary, closed_by=actor)
        self.save(trajectory)

    def reopen_trajectory(self, actor: dict, client_id: UUID, reason: str) -> None:
        trajectory = self._trajectory(actor, client_id, COORDINATOR, "reopen_trajectory")
        if trajectory.status != CLOSED:
            raise Conflict("the trajectory is open", {"status": [trajectory.status]})
        trajectory.reopen(reason, reopened_by=actor)
        self.save(trajectory)

    # -- queries ----------------------------------------------------------------------

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    def trajectory(self, actor: dict, client_id: UUID) -> dict:
        t = self._trajectory(actor, client_id, CASEWORK, "read_trajectory")
        reads_notes = actor["role"] == "coordinator" or actor["user_id"] in t.on_case
        due = t.next_contact_due()
        return {
            "trajectory_id": str(t.id), "client_id": str(t.client_id), "version": t.version, "agency": t.agency,
            "worker": t.worker, "status": t.status, "legal_position": t.legal_position, "situation": t.situation,
            "languages": t.languages, "interpreter": t.interpreter, "domains": t.domains, "plan": t.plan,
            "plan_history": t.plan_history, "next_contact_due": due.isoformat() if due else None,
            "interventions": [
                {**i, "intervention_id": str(i["intervention_id"]), "at": i["at"].isoformat(),
                 "note": i["note"] if reads_notes else None}
                for i in t.interventions
            ],
            "psychologist_recommendations": t.psychologist_recommendations, "closings": t.closings,
        }

    def caseload(self, actor: dict, worker: str | None = None) -> list[dict]:
        """A worker's open trajectories, the most overdue first; a coordinator may
        ask for any worker of the agency, or for all of them."""
        if actor["role"] not in CASEWORK:
            raise Forbidden(f"a {actor['role'].replace('_', ' ')} has no caseload")
        if worker is None and actor["role"] != "coordinator":
            worker = actor["user_id"]
        if worker != actor["user_id"] and actor["role"] != "coordinator":
            raise Forbidden("only a coordinator reads another worker's caseload")
        rows = []
        for trajectory_id in self.index.of(actor["agency"], worker):
            t: Trajectory = self.repository.get(trajectory_id)
            if t.status != OPEN:
                continue
            due = t.next_contact_due()
            last = t.last_contact
            rows.append({
                "client_id": str(t.client_id), "trajectory_id": str(t.id), "worker": t.worker,
                "last_contact": last.isoformat() if last else None, "next_contact_due": due.isoformat() if due else None,
                "overdue": bool(due and due < self.clock()),
            })
        return sorted(rows, key=lambda r: r["next_contact_due"] or "~")
