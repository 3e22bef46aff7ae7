"""Read models of referrals (see shared/readmodel.py)."""
from __future__ import annotations

import datetime as dt
import statistics
from uuid import UUID

from eventsourcing.utils import get_topic

from shared.erasure import ErasureCarriedOut
from shared.readmodel import LogTail

from services.referrals.domain import ACCEPTED, DECLINED, SENT, STARTED, Referral


class ReferralIndex(LogTail):
    """Every referral's partner and agency, and the times of its steps: enough to
    find those in flight and to compute per-partner figures. A referral whose
    client's data were erased reads with no partner and outcome (shared.sealing):
    it counts for no partner."""

    TOPICS = tuple(get_topic(cls) for cls in (Referral.Proposed, Referral.StepRecorded, ErasureCarriedOut.Recorded))

    def __init__(self, app):
        super().__init__(app)
        self.referrals: dict[UUID, dict] = {}
        self.of_client: dict[UUID, list[UUID]] = {}

    def apply(self, event) -> None:
        if isinstance(event, ErasureCarriedOut.Recorded):
            # Erased: its referrals count for no partner from now on, in this process too (WAVE2 11).
            for referral_id in self.of_client.pop(event.client_id, ()):
                self.referrals[referral_id].update(partner=None, outcome=None)
            return
        if isinstance(event, Referral.Proposed):
            self.referrals[event.originator_id] = {
                "partner": event.partner, "agency": event.agency, "steps": {"proposed": event.at}, "outcome": None,
            }
            self.of_client.setdefault(event.client_id, []).append(event.originator_id)
        else:
            entry = self.referrals[event.originator_id]
            entry["steps"].setdefault(event.step, event.at)
            entry["state"] = event.step
            if event.outcome:
                entry["outcome"] = event.outcome

    def all(self) -> list[UUID]:
        self.refresh()
        return list(self.referrals)

    def addressed_to(self, partner: str) -> list[UUID]:
        """The referrals sent to ``partner`` (proposed only: not yet its business)."""
        self.refresh()
        return [referral_id for referral_id, entry in self.referrals.items()
                if entry["partner"] == partner and SENT in entry["steps"]]

    def of_agency(self, agency: str) -> list[dict]:
        self.refresh()
        return [entry for entry in self.referrals.values() if entry["agency"] == agency]

    def partner_figures(self, agency: str, since: dt.date, until: dt.date, partner: str | None = None) -> list[dict]:
        """Per partner, for the referrals ``agency`` sent in the period: how many,
        how long until the partner started, how many it accepted, how they ended."""
        figures: dict[str, dict] = {}
        for entry in self.of_agency(agency):
            sent = entry["steps"].get(SENT)
            if entry["partner"] is None:  # erased
                continue
            if sent is None or not since <= sent.date() <= until or (partner and entry["partner"] != partner):
                continue
            row = figures.setdefault(entry["partner"], {"partner": entry["partner"], "sent": 0, "accepted": 0,
                                                         "declined": 0, "waits": [], "outcomes": {}})
            row["sent"] += 1
            for answer in (ACCEPTED, DECLINED):
                row[answer] += answer in entry["steps"]
            if STARTED in entry["steps"]:
                row["waits"].append((entry["steps"][STARTED] - sent).total_seconds() / 86400)
            if entry["outcome"]:
                row["outcomes"][entry["outcome"]] = row["outcomes"].get(entry["outcome"], 0) + 1
        results = []
        for row in sorted(figures.values(), key=lambda r: r["partner"]):
            answered = row["accepted"] + row["declined"]
            waits = row.pop("waits")
            results.append({
                **row,
                "acceptance_rate": round(row["accepted"] / answered, 2) if answered else None,
                "median_days_to_start": round(statistics.median(waits), 1) if waits else None,
            })
        return results
