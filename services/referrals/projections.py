"""Read models of referrals (see shared/readmodel.py)."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.utils import get_topic

from shared.readmodel import LogTail

from services.referrals.domain import Referral


class ReferralIndex(LogTail):
    """Every referral's partner and agency, and the times of its steps: enough to
    find those in flight and to compute per-partner figures."""

    TOPICS = tuple(get_topic(cls) for cls in (Referral.Proposed, Referral.StepRecorded))

    def __init__(self, app):
        super().__init__(app)
        self.referrals: dict[UUID, dict] = {}

    def apply(self, event) -> None:
        if isinstance(event, Referral.Proposed):
            self.referrals[event.originator_id] = {
                "partner": event.partner, "agency": event.agency, "steps": {"proposed": event.at}, "outcome": None,
            }
        else:
            entry = self.referrals[event.originator_id]
            entry["steps"].setdefault(event.step, event.at)
            entry["state"] = event.step
            if event.outcome:
                entry["outcome"] = event.outcome

    def all(self) -> list[UUID]:
        self.refresh()
        return list(self.referrals)

    def of_agency(self, agency: str) -> list[dict]:
        self.refresh()
        return [entry for entry in self.referrals.values() if entry["agency"] == agency]
