"""The worker's agenda: what falls due between two days across the worker's open
trajectories, or for a coordinator across the agency's.

Each item names its kind, when, the client (the reference a worker finds the file
by), the trajectory and codes only, never what a worker wrote:

- ``appointment`` / ``accompaniment``: planned, not cancelled, its outcome not yet
  recorded (an accompaniment is one a worker goes to with the person);
- ``contact_due`` / ``contact_overdue``: the next contact the plan's intensity asks
  for (``Trajectory.next_contact_due``); an overdue one shows whatever the period,
  until a contact is recorded;
- ``plan_review_due``: the day the plan was agreed or last reviewed plus its expected
  weeks; overdue ones show until the plan is reviewed;
- ``condition_ending``: the last day of a condition's period;
- ``document_expires``: the day a residence-status procedure's document expires
  (the procedure's dated deadline this platform records).

Case-conference actions are referrals' (services/referrals/agenda.py); the gateway
merges both.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.utils import get_topic

from shared.errors import Forbidden
from shared.readmodel import LogTail

from services.guidance.domain import OPEN, Trajectory

if TYPE_CHECKING:
    from services.guidance.application import GuidanceApplication

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
LOCAL = ZoneInfo("Europe/Brussels")  # the days of an agenda are Brussels days


class PlanIndex(LogTail):
    """When each trajectory's plan was agreed or last reviewed, and for how many
    weeks: the review's due day is read off the fact's own time."""

    TOPICS = tuple(get_topic(cls) for cls in (Trajectory.PlanAgreed, Trajectory.PlanReviewed))

    def __init__(self, app):
        super().__init__(app)
        self.plans: dict[UUID, tuple[dt.datetime, int | None]] = {}

    def apply(self, event) -> None:
        self.plans[event.originator_id] = (event.timestamp, event.expected_weeks)

    def review_due(self, trajectory_id: UUID) -> dt.date | None:
        """None without a plan, or once its expected weeks are erased. As far as the
        last ``refresh()``: a caller going through many trajectories reads the log once."""
        since, weeks = self.plans.get(trajectory_id, (None, None))
        if since is None or weeks is None:
            return None
        return _local_day(since) + dt.timedelta(weeks=weeks)


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


def _item(kind: str, when: dt.datetime | dt.date, t: Trajectory, what: dict) -> dict:
    timed = isinstance(when, dt.datetime)
    start = when if timed else dt.datetime.combine(when, dt.time(), LOCAL)
    return {"kind": kind, "when": when.isoformat(), "all_day": not timed, "client_id": str(t.client_id),
            "trajectory_id": str(t.id), "worker": t.worker, "what": what,
            "_sort": start.astimezone(dt.timezone.utc).isoformat()}


def _cancelled(appointment: dict) -> bool:
    """An appointment cancelled (its state as the correction left it)."""
    return bool(appointment.get("cancelled")) or appointment.get("status") == "cancelled"


class Agenda:
    def __init__(self, app: GuidanceApplication):
        self.app = app
        self.plans = PlanIndex(app)

    def trajectories(self, actor: dict, worker: str | None) -> list[Trajectory]:
        """The open trajectories the agenda covers: the actor's own, or for a
        coordinator the agency's (or one worker's)."""
        if actor["role"] not in CASEWORK:
            raise Forbidden(f"a {actor['role'].replace('_', ' ')} has no agenda")
        if actor["role"] != "coordinator":
            if worker not in (None, actor["user_id"]):
                raise Forbidden("only a coordinator reads another worker's agenda")
            worker = actor["user_id"]
        loaded = (self.app.repository.get(i) for i in self.app.index.of(actor["agency"], worker))
        return [t for t in loaded if t.status == OPEN and (worker is None or t.worker == worker)]

    def of(self, actor: dict, since: dt.date, until: dt.date, worker: str | None = None) -> dict:
        today = _local_day(self.app.clock())
        items: list[dict] = []
        shown = self.trajectories(actor, worker)
        self.plans.refresh()
        for t in shown:
            items += self._due_in(t, since, until, today)
        items.sort(key=lambda item: (item["_sort"], item["kind"], item["client_id"]))
        for item in items:
            del item["_sort"]
        return {"from": since.isoformat(), "until": until.isoformat(), "agency": actor["agency"],
                "worker": worker if actor["role"] == "coordinator" else actor["user_id"],
                "clients": sorted({str(t.client_id) for t in shown}), "items": items}

    def _due_in(self, t: Trajectory, since: dt.date, until: dt.date, today: dt.date) -> list[dict]:
        def within(day: dt.date | None) -> bool:
            return day is not None and since <= day <= until

        def overdue(day: dt.date | None) -> bool:  # past, not done, and the period reaches today
            return day is not None and day < today and day < since and since <= today <= until

        items = []
        for a in t.appointments.values():
            if a["at"] is None or a.get("outcome") is not None or _cancelled(a) or not within(_local_day(a["at"])):
                continue
            kind = "accompaniment" if a.get("accompanied_by") else "appointment"
            items.append(_item(kind, a["at"], t, {"appointment_id": a["appointment_id"], "with_actor": a["with_actor"],
                                                  "accompanied_by": a.get("accompanied_by")}))
        due = t.next_contact_due()
        if due is not None:
            day = _local_day(due)
            if within(day) or overdue(day):
                items.append(_item("contact_overdue" if day < today else "contact_due", due, t,
                                   {"intensity": t.plan["intensity"]}))
        review = self.plans.review_due(t.id)
        if within(review) or overdue(review):
            items.append(_item("plan_review_due", review, t,
                               {"plan_version": len(t.plan_history), "overdue": review < today}))
        for c in t.conditions.values():
            if within(c["ends"]):
                items.append(_item("condition_ending", c["ends"], t, {
                    "condition_id": c["condition_id"], "kind": c["kind"], "authority": c["authority"]}))
        for p in t.procedures.values():
            if within(p.get("document_expires")):
                items.append(_item("document_expires", p["document_expires"], t,
                                   {"procedure_id": p["procedure_id"], "procedure": p["kind"]}))
        return items
