"""What guidance answers: a client's trajectory with everything done in it, a
worker's caseload, and the agency's activity figures. Reading a file is recorded
(shared/access_log.py) before it is answered."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared import access_log, consented
from shared.access import allow
from shared.contracts.guidance_answers import Intervention as InterventionShown
from shared.contracts.guidance_answers import Trajectory as TrajectoryShown
from shared.errors import Forbidden, NotFound
from shared.jsonable import jsonable

from services.guidance.domain import OPEN, ClientOnRecord, Intervention, Network, Trajectory

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
_SHOWN = InterventionShown()  # derived from the intervention's declaration
# What a trajectory opened on a transfer takes over from the earlier one (policies.follow_transfer).
TAKEN_OVER = ("legal_position", "situation", "languages", "domains")


def _intervention(i: Intervention, reads_notes: bool) -> dict:
    """Why it was corrected is the worker's words, like the note: for those on the case."""
    shown = _SHOWN.dump(i)
    if reads_notes:
        return shown
    retracted = shown["retracted"] and {**shown["retracted"], "reason": None}
    return {**shown, "note": None, "amendments": [{**a, "reason": None} for a in shown["amendments"]],
            "retracted": retracted}


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
        """The client's trajectory as the actor's agency may read it: its current one;
        after a transfer, the agency the client left reads the one it ran, and the new
        agency, while it runs none yet, the earlier one in the consented categories."""
        t, categories, taken_over = self._readable(actor, client_id)
        access_log.record(self, actor, [t.client_id], purpose, purpose_detail, query)
        return self._shown(t, actor, categories, taken_over)

    def earlier_trajectories(
        self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, purpose_detail: str = "",
    ) -> list[dict]:
        """For the agency a client was transferred to: the trajectories agencies ran
        before, oldest first, in the categories of the transfer consent only."""
        record = self._record_of(client_id)
        arrival = record.arrival_of(actor["agency"])
        allow(actor, CASEWORK, "read_earlier_trajectories")
        if arrival is None:
            raise Forbidden("only the agency the client was transferred to reads the earlier trajectories",
                            rule="agency", client_id=client_id)
        earlier = [self.repository.get(transfer["from_trajectory"]) for transfer in record.transfers
                   if transfer["from_trajectory"] is not None]
        earlier = [t for t in earlier if t.agency != actor["agency"]]
        if earlier:
            access_log.record(self, actor, [client_id], purpose, purpose_detail, "earlier_trajectories")
        return [self._shown(t, actor, arrival["categories"], False) for t in earlier]

    def _record_of(self, client_id: UUID) -> ClientOnRecord:
        try:
            return self.repository.get(client_id)
        except AggregateNotFoundError:
            raise NotFound("this client has no trajectory here", {"client_id": ["no trajectory"]}) from None

    def _readable(self, actor: dict, client_id: UUID) -> tuple[Trajectory, list[str] | None, bool]:
        """The trajectory the actor reads, the consented categories it is read in
        (None: all, it is the agency's own) and whether it is the new agency's own,
        opened with what it took over from the earlier one."""
        current = self.current_trajectory(client_id)
        if current is None:
            raise NotFound("this client has no trajectory here", {"client_id": ["no trajectory"]})
        record = self._record_of(client_id)
        arrival = record.arrival_of(actor["agency"])
        if current.agency == actor["agency"]:
            allow(actor, CASEWORK, "read_trajectory")
            taken_over = arrival is not None and arrival["to_trajectory"] == current.id
            return current, (arrival["categories"] if taken_over else None), taken_over
        left = record.left_by(actor["agency"])
        if arrival is None and left is not None and left["from_trajectory"] is not None:
            allow(actor, CASEWORK, "read_trajectory")
            return self.repository.get(left["from_trajectory"]), None, False
        if arrival is not None:  # on the new agency's waitlist: the earlier trajectory is the client's last
            allow(actor, CASEWORK, "read_trajectory")
            return current, arrival["categories"], False
        allow(actor, CASEWORK, "read_trajectory", current.agency, elsewhere="this client is guided by another agency")
        return current, None, False

    def _shown(self, t: Trajectory, actor: dict, categories: list[str] | None, taken_over: bool) -> dict:
        """``categories``: read in those only (the earlier trajectory); with
        ``taken_over``, only what the trajectory took over on opening (its own since
        is the new agency's)."""
        reads_notes = t.reads_notes(actor)
        interventions = [self.repository.get(i) for i in self.interventions.of(t.id)]

        def confidential(entry: dict) -> dict:
            return entry if reads_notes else {**entry, "note": None}

        shown = jsonable({
            "trajectory_id": t.id, "client_id": t.client_id, "version": t.version, "agency": t.agency,
            "worker": t.worker, "status": t.status, "legal_position": t.legal_position, "situation": t.situation,
            "languages": t.languages, "interpreter": t.interpreter, "domains": t.domains, "plan": t.plan,
            "plan_history": t.plan_history, "goal_outcomes": t.goal_outcomes, "next_contact_due": t.next_contact_due(),
            "interventions": [_intervention(i, reads_notes) for i in interventions],
            "psychologist_recommendations": t.psychologist_recommendations,
            "conditions": list(t.conditions.values()),
            "appointments": list(t.appointments.values()),
            "network": [{**m, "contacts": [confidential(c) for c in m["contacts"]]}
                        for m in self.network_of(t).members.values()],
            "procedures": list(t.procedures.values()),
            "continuity_gaps": t.gaps, "attendance_certificates": t.certificates, "closings": t.closings,
            "withheld": {},
        })
        if categories is None:
            return shown
        if taken_over:
            opening = {name: shown[name] for name in TAKEN_OVER}
            return {**shown, **consented.withhold(opening, TrajectoryShown, categories)}
        return consented.withhold(shown, TrajectoryShown, categories)

    def activity(self, actor: dict, since: dt.date, until: dt.date) -> dict:
        """The agency's interventions per domain and per method over a period, for
        its activity report: counts and minutes, no client; each as corrected, and a
        retracted one in none (services/guidance/projections.py)."""
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
