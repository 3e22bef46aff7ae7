"""The coordination of help around a client, as use cases: the plan of who does
what, and the case conferences with their follow-up actions. Staff of the agency
that guides the client keep both; reading them is recorded in the access log.

Joint guidance (issue 16, item 4): under the client's consent for coordination, the
guiding agency adds another agency to the plan. That agency's casework staff read
the plan and the case conferences whose participants name their agency's code; they
may be named as participants, but holding a conference, completing its actions and
keeping the plan stay with the guiding agency, as do the client's referrals. The
agency leaves the plan when removed, or when the client withdraws that consent
(``policies.py``)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared import access_log
from shared.jsonable import jsonable

from services.referrals.access import allow_casework, client_for, coordination_reader, loaded
from services.referrals.domain import COORDINATION_PURPOSE, CaseConference, ClientOnRecord, CoordinationPlan

if TYPE_CHECKING:
    from services.referrals.application import ReferralsApplication


class Coordination:
    def __init__(self, app: ReferralsApplication):
        self.app = app

    def _plan(self, record: ClientOnRecord, client_id: UUID) -> CoordinationPlan:
        # A client's plan starts with its first actor; until then it is empty.
        try:
            return self.app.repository.get(CoordinationPlan.create_id(client_id))
        except AggregateNotFoundError:
            return CoordinationPlan(client_id=client_id, agency=record.agency)

    def add_actor(self, actor: dict, client_id: UUID, role: str, organisation: str, does: str,
                  contact: str = "") -> str:
        plan = self._plan(client_for(self.app.repository, actor, client_id, "coordinate"), client_id)
        actor_id = uuid.uuid4().hex[:12]
        plan.add_actor(actor_id, role, organisation, contact, does, added_by=actor)
        self.app.save(plan)
        return actor_id

    def remove_actor(self, actor: dict, client_id: UUID, actor_id: str) -> None:
        plan = self._plan(client_for(self.app.repository, actor, client_id, "coordinate"), client_id)
        plan.remove_actor(actor_id, removed_by=actor)
        self.app.save(plan)

    def add_agency(self, actor: dict, client_id: UUID, agency: str, does: str) -> str:
        record = client_for(self.app.repository, actor, client_id, "coordinate")
        plan = self._plan(record, client_id)
        plan.join_agency(agency, does, guiding=record.agency,
                         consented=record.consents_to(agency, COORDINATION_PURPOSE), added_by=actor)
        self.app.save(plan)
        return agency

    def remove_agency(self, actor: dict, client_id: UUID, agency: str) -> str:
        plan = self._plan(client_for(self.app.repository, actor, client_id, "coordinate"), client_id)
        plan.remove_agency(agency, removed_by=actor)
        self.app.save(plan)
        return agency

    def hold_conference(
        self, actor: dict, client_id: UUID, on: dt.date, participants: list[str], decisions: list[str],
        actions: list[dict],
    ) -> UUID:
        record = client_for(self.app.repository, actor, client_id, "hold_case_conference")
        conference = CaseConference.hold(
            client_id=client_id, agency=record.agency, on=on, participants=participants, decisions=decisions,
            actions=actions, held_by=actor, now=self.app.clock())
        record.link_conference(conference.id)
        self.app.save(conference, record)
        return conference.id

    def complete_action(self, actor: dict, conference_id: UUID, index: int, on: dt.date) -> None:
        conference: CaseConference = loaded(
            self.app.repository, conference_id, CaseConference, "case conference", "conference_id")
        allow_casework(actor, conference.agency, "complete_conference_action", conference.client_id)
        conference.complete_action(index, on, done_by=actor)
        self.app.save(conference)

    def plan(self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, purpose_detail: str = "") -> dict:
        record, joined = coordination_reader(self.app.repository, actor, client_id, "read_coordination")
        access_log.record(self.app, actor, [client_id], purpose, purpose_detail, "coordination")
        plan = self._plan(record, client_id)
        conferences = [self.app.repository.get(i) for i in record.conferences]
        if joined is not None:  # an agency in the plan: the conferences it took part in
            conferences = [c for c in conferences if c.took_part(joined)]
        return jsonable({
            "client_id": client_id,
            "actors": list(plan.actors.values()),
            "agencies": list(plan.agencies.values()),
            "case_conferences": [
                {"conference_id": c.id, "on": c.on, "participants": c.participants, "decisions": c.decisions,
                 "actions": c.actions}
                for c in conferences
            ],
        })
