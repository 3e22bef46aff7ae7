"""Case-conference actions on the worker's agenda (issue 20): which of the agency's
actions not done fall due in a period, and their reminders, raised once each.

Codes and dates only: which conference, which action (its place), when; what the
action says and who owns it stay in the coordination (``coordination.py``)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.utils import get_topic

from shared.access import allow
from shared.readmodel import LogTail

from services.referrals.domain import CaseConference

if TYPE_CHECKING:
    from services.referrals.application import ReferralsApplication

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}


class ConferenceIndex(LogTail):
    """Every case conference's agency and client, so the agenda and the reminders
    load an agency's conferences only."""

    TOPICS = (get_topic(CaseConference.Held),)

    def __init__(self, app):
        super().__init__(app)
        self.conferences: dict[UUID, tuple[str, UUID]] = {}

    def apply(self, event) -> None:
        self.conferences[event.originator_id] = (event.agency, event.client_id)

    def all(self) -> list[UUID]:
        self.refresh()
        return list(self.conferences)

    def of(self, agency: str, client_ids: set[UUID] | None) -> list[UUID]:
        self.refresh()
        return [conference_id for conference_id, (held_by, client_id) in self.conferences.items()
                if held_by == agency and (client_ids is None or client_id in client_ids)]


class ConferenceAgenda:
    def __init__(self, app: ReferralsApplication):
        self.app = app
        self.index = ConferenceIndex(app)

    def actions_due(self, actor: dict, since: dt.date, until: dt.date,
                    client_ids: list[UUID] | None = None) -> list[dict]:
        """The actions not done due in the period, and those overdue when the period
        reaches today, of the actor's agency (and the clients named)."""
        allow(actor, CASEWORK, "read_agenda")
        today = self.app.clock().date()
        items = []
        for conference_id in self.index.of(actor["agency"], None if client_ids is None else set(client_ids)):
            conference: CaseConference = self.app.repository.get(conference_id)
            for index, action in enumerate(conference.actions):
                due = action["due"]
                overdue = due < today and due < since and since <= today <= until
                if action["done"] is None and (since <= due <= until or overdue):
                    items.append({
                        "kind": "conference_action_due", "when": due.isoformat(), "all_day": True,
                        "client_id": str(conference.client_id), "conference_id": str(conference.id),
                        "what": {"conference_id": str(conference.id), "action": index, "overdue": due < today}})
        return sorted(items, key=lambda item: (item["when"], item["client_id"]))

    def notice_due(self) -> int:
        """Announce the actions falling due, once each. Returns how many."""
        today = self.app.clock().date()
        raised = 0
        for conference_id in self.index.all():
            conference: CaseConference = self.app.repository.get(conference_id)
            if conference.notice_actions_due(today):
                self.app.save(conference)
                raised += 1
        return raised
