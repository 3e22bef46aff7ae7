"""The coordination of help around a client, as use cases: the plan of who does
what, and the case conferences with their follow-up actions. Staff of the agency
that guides the client keep both; reading them is recorded in the access log."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from shared import access_log
from shared.jsonable import jsonable

from services.referrals.access import allow_casework, client_for, loaded
from services.referrals.domain import CaseConference, ClientOnRecord, CoordinationPlan

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
        record = client_for(self.app.repository, actor, client_id, "read_coordination")
        access_log.record(self.app, actor, [client_id], purpose, purpose_detail, "coordination")
        plan = self._plan(record, client_id)
        conferences = [self.app.repository.get(i) for i in record.conferences]
        return jsonable({
            "client_id": client_id,
            "actors": list(plan.actors.values()),
            "case_conferences": [
                {"conference_id": c.id, "on": c.on, "participants": c.participants, "decisions": c.decisions,
                 "actions": c.actions}
                for c in conferences
            ],
        })
