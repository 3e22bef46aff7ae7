"""What guidance answers: a client's trajectory with everything done in it, a
worker's caseload, and the agency's activity figures. Reading a file is recorded
(shared/access_log.py) before it is answered."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared import access_log
from shared.contracts.guidance_answers import Intervention as InterventionShown
from shared.errors import Forbidden
from shared.jsonable import jsonable

from services.guidance.domain import OPEN, ClientOnRecord, Intervention, Network, Trajectory

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
_SHOWN = InterventionShown()  # derived from the intervention's declaration


def _intervention(i: Intervention, reads_notes: bool) -> dict:
    shown = _SHOWN.dump(i)
    return shown if reads_notes else {**shown, "note": None}


class Queries:
    """Mixed into the guidance application."""

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    def network_of(self, trajectory: Trajectory) -> Network:
        """The trajectory's relational network (a new, empty one before its first member)."""
        try:
            return self.repository.get(Network.create_id(trajectory.id))
        except AggregateNotFoundError:
            return Network.of(trajectory)

    def trajectory(
        self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, purpose_detail: str = "",
        query: str = "trajectory",
    ) -> dict:
        t = self._trajectory(actor, client_id, "read_trajectory")
        access_log.record(self, actor, [t.client_id], purpose, purpose_detail, query)
        reads_notes = t.reads_notes(actor)
        interventions = [self.repository.get(i) for i in self.interventions.of(t.id)]

        def confidential(entry: dict) -> dict:
            return entry if reads_notes else {**entry, "note": None}

        return jsonable({
            "trajectory_id": t.id, "client_id": t.client_id, "version": t.version, "agency": t.agency,
            "worker": t.worker, "status": t.status, "legal_position": t.legal_position, "situation": t.situation,
            "languages": t.languages, "interpreter": t.interpreter, "domains": t.domains, "plan": t.plan,
            "plan_history": t.plan_history, "next_contact_due": t.next_contact_due(),
            "interventions": [_intervention(i, reads_notes) for i in interventions],
            "psychologist_recommendations": t.psychologist_recommendations,
            "conditions": list(t.conditions.values()),
            "appointments": list(t.appointments.values()),
            "network": [{**m, "contacts": [confidential(c) for c in m["contacts"]]}
                        for m in self.network_of(t).members.values()],
            "procedures": list(t.procedures.values()),
            "continuity_gaps": t.gaps, "attendance_certificates": t.certificates, "closings": t.closings,
        })

    def activity(self, actor: dict, since: dt.date, until: dt.date) -> dict:
        """The agency's interventions per domain and per method over a period, for
        its activity report: counts and minutes, no client."""
        if actor["role"] != "coordinator":
            raise Forbidden("only a coordinator reads the agency's activity figures")
        done = self.interventions.of_agency(actor["agency"], since, until)
        return {"agency": actor["agency"], "from": since.isoformat(), "until": until.isoformat(),
                "interventions": len(done), "minutes": sum(a.minutes for a in done),
                "by_method": dict(Counter(a.method for a in done)),
                "by_domain": dict(Counter(d for a in done for d in a.domains))}

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
            rows.append(jsonable({
                "client_id": t.client_id, "trajectory_id": t.id, "worker": t.worker,
                "last_contact": t.last_contact, "next_contact_due": due, "overdue": bool(due and due < self.clock()),
            }))
        return sorted(rows, key=lambda r: r["next_contact_due"] or "~")
