"""The guidance service's commands, queries and policies, in simple types.

Every command takes the actor and checks that this actor may do it here: staff of
the agency that guides the client. The confidential note of an intervention is
read only by the staff on the case (the workers who guide or guided the person)
and the agency's coordinator.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import event_type
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared import access_log
from shared.access import allow
from shared.jsonable import jsonable
from shared.store import ServiceApplication

from services.guidance import certificates
from services.guidance.domain import CLOSED, OPEN, ClientOnRecord, Trajectory
from services.guidance.integration import Publications
from services.guidance.projections import TrajectoryIndex

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
COORDINATOR = {"coordinator"}
GUIDED_ELSEWHERE = "this client is guided by another agency"
ATTENDED_PLACES = {"office", "home_visit", "prison", "video"}  # the person was there (not a phone call)
CONTINUITY_GRACE = dt.timedelta(days=7)
CONDITION_NOTICE = dt.timedelta(days=14)


class GuidanceApplication(ServiceApplication):
    service_name = "guidance"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Trajectory: 200}

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.index = TrajectoryIndex(self)
        self.publications = {**Publications(self.repository), **access_log.publication(self.service_name)}

    # -- policies: what intake's facts do here ----------------------------------------

    def policies(self):
        return {
            event_type("intake", "client-registered", 1): self.note_registered_client,
            event_type("intake", "intake-accepted", 1): self.open_trajectory,
            event_type("intake", "client-reassigned", 1): self.follow_reassignment,
            event_type("intake", "client-transferred", 1): self.follow_transfer,
            event_type("intake", "consent-given", 1): self.follow_consent,
            event_type("intake", "consent-withdrawn", 1): self.follow_consent,
        }

    def follow_consent(self, event: dict, processing: ProcessingEvent) -> None:
        if event["data"]["purpose"] != "family_involvement":
            return
        try:
            record = self.aggregate_in(processing, event["data"]["client_id"])
        except AggregateNotFoundError:
            return
        active = event["type"] == event_type("intake", "consent-given", 1)
        if record.family_consent != active:
            record.note_family_consent(active)
            processing.collect_events(record)

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
        allow(actor, roles, command, trajectory.agency, elsewhere=GUIDED_ELSEWHERE)
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

    def record_condition(
        self, actor: dict, client_id: UUID, kind: str, description: str, starts: dt.date, ends: dt.date | None,
        authority: str,
    ) -> str:
        trajectory = self._open_trajectory(actor, client_id, "record_condition")
        condition_id = uuid.uuid4().hex[:12]
        trajectory.record_condition(condition_id, kind, description, starts, ends, authority, recorded_by=actor)
        self.save(trajectory)
        return condition_id

    def support_condition(self, actor: dict, client_id: UUID, condition_id: str, support: str, on: dt.date) -> None:
        trajectory = self._open_trajectory(actor, client_id, "support_condition")
        self._known(trajectory.conditions, condition_id, "condition_id")
        trajectory.support_condition(condition_id, support, on, given_by=actor)
        self.save(trajectory)

    def plan_appointment(
        self, actor: dict, client_id: UUID, at: dt.datetime, with_actor: str, purpose: str,
        accompanied_by: str | None = None, leave_permit: dict | None = None,
    ) -> str:
        trajectory = self._open_trajectory(actor, client_id, "plan_appointment")
        appointment_id = uuid.uuid4().hex[:12]
        permit = {"from": leave_permit["starts"], "until": leave_permit["ends"]} if leave_permit else None
        trajectory.plan_appointment(
            appointment_id, at, with_actor, purpose, accompanied_by, permit, trajectory.worker, trajectory.interpreter,
            planned_by=actor,
        )
        self.save(trajectory)
        return appointment_id

    def record_appointment_outcome(self, actor: dict, client_id: UUID, appointment_id: str, outcome: str) -> None:
        trajectory = self._open_trajectory(actor, client_id, "record_appointment_outcome")
        appointment = self._known(trajectory.appointments, appointment_id, "appointment_id")
        if appointment["outcome"] is not None:
            raise Conflict("this appointment's outcome is already recorded", {"outcome": [appointment["outcome"]]})
        if outcome == "held" and appointment["at"] > self.clock():
            raise Conflict("an appointment is held only once its time has come", {"outcome": ["not yet"]})
        trajectory.record_appointment_outcome(appointment_id, outcome, recorded_by=actor)
        self.save(trajectory)

    def add_network_member(self, actor: dict, client_id: UUID, relation: str, known_as: str) -> str:
        trajectory = self._open_trajectory(actor, client_id, "add_network_member")
        member_id = uuid.uuid4().hex[:12]
        trajectory.add_network_member(member_id, relation, known_as, added_by=actor)
        self.save(trajectory)
        return member_id

    def record_network_contact(
        self, actor: dict, client_id: UUID, member_id: str, on: dt.date, kind: str, note: str = ""
    ) -> None:
        trajectory = self._open_trajectory(actor, client_id, "record_network_contact")
        self._known(trajectory.network, member_id, "member_id")
        self._family_may_be_involved(client_id)
        trajectory.record_network_contact(member_id, on, kind, note, recorded_by=actor)
        self.save(trajectory)

    def prepare_return_home(self, actor: dict, client_id: UUID, member_id: str, leave_permit: dict, note: str = "") -> None:
        trajectory = self._open_trajectory(actor, client_id, "prepare_return_home")
        self._known(trajectory.network, member_id, "member_id")
        self._family_may_be_involved(client_id)
        trajectory.prepare_return_home(member_id, leave_permit["starts"], leave_permit["ends"], note, prepared_by=actor)
        self.save(trajectory)

    def _family_may_be_involved(self, client_id: UUID) -> None:
        if not self.repository.get(client_id).family_consent:
            raise Forbidden(
                "the client has not agreed to involve their family",
                {"consent": ["no consent in force for purpose family_involvement"]},
            )

    def start_procedure(self, actor: dict, client_id: UUID, kind: str, on: dt.date) -> str:
        trajectory = self._open_trajectory(actor, client_id, "start_procedure")
        if any(p["kind"] == kind and p["outcome"] is None for p in trajectory.procedures.values()):
            raise Conflict(f"a {kind.replace('_', ' ')} procedure is already under way", {"kind": [kind]})
        procedure_id = uuid.uuid4().hex[:12]
        trajectory.start_procedure(procedure_id, kind, on, started_by=actor)
        self.save(trajectory)
        return procedure_id

    def record_procedure_step(self, actor: dict, client_id: UUID, procedure_id: str, step: str, on: dt.date) -> None:
        trajectory = self._open_trajectory(actor, client_id, "record_procedure_step")
        procedure = self._known(trajectory.procedures, procedure_id, "procedure_id")
        if procedure["outcome"] is not None:
            raise Conflict("this procedure has ended", {"procedure_id": ["ended"]})
        if on < procedure["started"]:
            raise InvalidInput("a step cannot come before the procedure started", {"on": ["before the start"]})
        trajectory.record_procedure_step(procedure_id, step, on, recorded_by=actor)
        self.save(trajectory)

    def end_procedure(self, actor: dict, client_id: UUID, procedure_id: str, outcome: str, on: dt.date) -> None:
        trajectory = self._open_trajectory(actor, client_id, "end_procedure")
        procedure = self._known(trajectory.procedures, procedure_id, "procedure_id")
        if procedure["outcome"] is not None:
            raise Conflict("this procedure has ended", {"procedure_id": ["ended"]})
        trajectory.end_procedure(procedure_id, outcome, on, ended_by=actor)
        self.save(trajectory)

    def issue_attendance_certificate(
        self, actor: dict, client_id: UUID, language: str, recipient: str, since: dt.date, until: dt.date,
        person_name: str,
    ) -> dict:
        """Record the issuing and return the printable text. The name is printed,
        never stored here: who the person is stays with intake."""
        trajectory = self._trajectory(actor, client_id, CASEWORK, "issue_attendance_certificate")
        dates = sorted({
            i["at"].date() for i in trajectory.interventions
            if i["place"] in ATTENDED_PLACES and since <= i["at"].date() <= until
        })
        if not dates:
            raise Conflict("the person attended no contact in this period", {"from": [since.isoformat()]})
        certificate_id = uuid.uuid4().hex[:12]
        trajectory.issue_attendance_certificate(certificate_id, language, dates, recipient, issued_by=actor)
        self.save(trajectory)
        text = certificates.render(language, trajectory.agency, person_name, dates, self.clock().date(), certificate_id)
        return {"certificate_id": certificate_id, "language": language, "dates": [d.isoformat() for d in dates],
                "text": text}

    def _open_trajectory(self, actor: dict, client_id: UUID, command: str) -> Trajectory:
        trajectory = self._trajectory(actor, client_id, CASEWORK, command)
        self._expect_open(trajectory)
        return trajectory

    @staticmethod
    def _known(items: dict, key: str, field: str) -> dict:
        if key not in items:
            raise NotFound(f"no such {field.removesuffix('_id')}", {field: ["not found"]})
        return items[key]

    # -- time: what is due is noticed, once ------------------------------------------

    def check_time(self) -> int:
        """Raise a continuity gap where no contact happened within the plan's
        intensity plus a grace period, and announce condition periods nearing their
        end; each once. Returns how many facts were raised."""
        now = self.clock()
        raised = 0
        for trajectory_id in self.index.all():
            trajectory: Trajectory = self.repository.get(trajectory_id)
            if trajectory.status != OPEN:
                continue
            due = trajectory.next_contact_due()
            if due is not None and now > due + CONTINUITY_GRACE and not trajectory.gap_raised_for(due):
                trajectory.raise_continuity_gap(due, trajectory.last_contact, now, trajectory.worker)
            for condition in trajectory.conditions.values():
                ends = condition["ends"]
                if ends and not condition["ending_announced"] and now.date() <= ends <= now.date() + CONDITION_NOTICE:
                    trajectory.announce_condition_ending(
                        condition["condition_id"], condition["kind"], ends, trajectory.worker)
            new = len(trajectory.pending_events)
            if new:
                self.save(trajectory)
                raised += new
        return raised

    # -- queries ----------------------------------------------------------------------

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    def trajectory(
        self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, query: str = "trajectory",
    ) -> dict:
        t = self._trajectory(actor, client_id, CASEWORK, "read_trajectory")
        access_log.record(self, actor, [t.client_id], purpose, query)
        reads_notes = actor["role"] == "coordinator" or actor["user_id"] in t.on_case
        due = t.next_contact_due()

        def confidential(entry: dict) -> dict:
            return entry if reads_notes else {**entry, "note": None}

        return jsonable({
            "trajectory_id": t.id, "client_id": t.client_id, "version": t.version, "agency": t.agency,
            "worker": t.worker, "status": t.status, "legal_position": t.legal_position, "situation": t.situation,
            "languages": t.languages, "interpreter": t.interpreter, "domains": t.domains, "plan": t.plan,
            "plan_history": t.plan_history, "next_contact_due": due,
            "interventions": [confidential(i) for i in t.interventions],
            "psychologist_recommendations": t.psychologist_recommendations,
            "conditions": list(t.conditions.values()),
            "appointments": list(t.appointments.values()),
            "network": [{**m, "contacts": [confidential(c) for c in m["contacts"]]} for m in t.network.values()],
            "procedures": list(t.procedures.values()),
            "continuity_gaps": t.gaps, "attendance_certificates": t.certificates, "closings": t.closings,
        })

    def activity(self, actor: dict, since: dt.date, until: dt.date) -> dict:
        """The agency's interventions per domain and per method over a period, for
        its activity report: counts and minutes, no client."""
        if actor["role"] not in COORDINATOR:
            raise Forbidden("only a coordinator reads the agency's activity figures")
        by_method: dict[str, int] = {}
        by_domain: dict[str, int] = {}
        count = minutes = 0
        for trajectory_id in self.index.of(actor["agency"], None):
            for i in self.repository.get(trajectory_id).interventions:
                if since <= i["at"].date() <= until:
                    count += 1
                    minutes += i["minutes"]
                    by_method[i["method"]] = by_method.get(i["method"], 0) + 1
                    for domain in i["domains"]:
                        by_domain[domain] = by_domain.get(domain, 0) + 1
        return {"agency": actor["agency"], "from": since.isoformat(), "until": until.isoformat(),
                "interventions": count, "minutes": minutes, "by_method": by_method, "by_domain": by_domain}

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
            rows.append(jsonable({
                "client_id": t.client_id, "trajectory_id": t.id, "worker": t.worker,
                "last_contact": last, "next_contact_due": due, "overdue": bool(due and due < self.clock()),
            }))
        return sorted(rows, key=lambda r: r["next_contact_due"] or "~")
