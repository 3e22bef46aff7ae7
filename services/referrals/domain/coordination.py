"""The coordination of help around a client: who does what, and the case
conferences where the actors around the person decide together."""
from __future__ import annotations

import datetime as dt
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import Invalid, NotNow, ServiceAggregate, Unknown

from services.referrals.domain.acted import acted
from services.referrals.domain.ids import derived_id


class NoSuchCoordinationActor(Unknown):
    def __init__(self, actor_id: str):
        super().__init__("no such actor in the coordination plan", {"actor_id": [actor_id]})


COORDINATION_PURPOSE = "coordination"  # the consent purpose another agency joins the plan under
# A case conference's action is announced to the worker this long before it falls due.
ACTION_NOTICE = dt.timedelta(days=1)
REMOVED, CONSENT_WITHDRAWN = "removed", "consent_withdrawn"  # why an agency left the plan


class NoCoordinationConsent(NotNow):
    """Another agency joins the plan only while the client's consent to share with it
    for coordination is in force, as intake recorded it; given later, it may join."""

    def __init__(self, agency: str):
        super().__init__(
            "the client has not consented to share their data with this agency for coordination",
            {"consent": [f"no consent in force for recipient {agency}, purpose {COORDINATION_PURPOSE}"]},
        )


class AgencyGuidesAlready(Invalid):
    def __init__(self, agency: str):
        super().__init__("this agency guides the client: it keeps the plan", {"agency": [f"{agency} guides the client"]})


class AgencyInPlanAlready(NotNow):
    def __init__(self, agency: str):
        super().__init__("this agency is in the coordination plan already", {"agency": [agency]})


class NoSuchCoordinatingAgency(Unknown):
    def __init__(self, agency: str):
        super().__init__("no such agency in the coordination plan", {"agency": [agency]})


class ConferenceNotHeldYet(NotNow):
    def __init__(self):
        super().__init__("a case conference is recorded once it was held", {"on": ["is in the future"]})


class NoSuchAction(Unknown):
    def __init__(self, actions: int):
        super().__init__("no such action", {"index": [f"the conference has {actions} actions"]})


class ActionAlreadyDone(NotNow):
    def __init__(self, index: int):
        super().__init__("this action is already done", {"index": [str(index)]})


class CoordinationPlan(ServiceAggregate):
    """Per client: the actors around the person and who does what. An actor's
    event names the client, under whose data keys who they are and what they do
    are stored sealed (shared.sealing); once shredded they replay as none.

    Other agencies join the plan under the client's consent for coordination
    (``agencies``, by code): they guide the person together with the agency that
    guides them, which keeps the plan. What such an agency does there is sealed too."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return derived_id("coordination", client_id)

    @event("Started")
    def __init__(self, client_id: UUID, agency: str):
        self.client_id, self.agency = client_id, agency
        self.actors: dict[str, dict] = {}
        self.agencies: dict[str, dict] = {}  # code -> the agency in the plan, and what it does

    def add_actor(self, actor_id: str, role: str, organisation: str, contact: str, does: str, added_by: dict) -> None:
        self._actor_added(client_id=self.client_id, actor_id=actor_id, role=role, organisation=organisation,
                          contact=contact, does=does, **acted(added_by))

    @event("ActorAdded")
    def _actor_added(self, client_id: UUID, actor_id: str, role: str | None, organisation: str | None,
                     contact: str | None, does: str | None, by: str, by_role: str):
        self.actors[actor_id] = {"actor_id": actor_id, "role": role, "organisation": organisation,
                                 "contact": contact, "does": does}

    def remove_actor(self, actor_id: str, removed_by: dict) -> None:
        if actor_id not in self.actors:
            raise NoSuchCoordinationActor(actor_id)
        self._actor_removed(actor_id, **acted(removed_by))

    @event("ActorRemoved")
    def _actor_removed(self, actor_id: str, by: str, by_role: str):
        del self.actors[actor_id]

    def join_agency(self, agency: str, does: str, guiding: str, consented: bool, added_by: dict) -> None:
        """``guiding``: the agency that guides the client now; ``consented``: the
        client's consent to share with ``agency`` for coordination is in force."""
        if agency == guiding:
            raise AgencyGuidesAlready(agency)
        if agency in self.agencies:
            raise AgencyInPlanAlready(agency)
        if not consented:
            raise NoCoordinationConsent(agency)
        self._agency_joined(client_id=self.client_id, agency=agency, does=does, **acted(added_by))

    @event("AgencyJoined")
    def _agency_joined(self, client_id: UUID, agency: str, does: str | None, by: str, by_role: str):
        self.agencies[agency] = {"agency": agency, "does": does}  # does: none once erased

    def remove_agency(self, agency: str, removed_by: dict) -> None:
        if agency not in self.agencies:
            raise NoSuchCoordinatingAgency(agency)
        self._agency_left(client_id=self.client_id, agency=agency, why=REMOVED, **acted(removed_by))

    def consent_withdrawn(self, agency: str) -> bool:
        """The client withdrew the consent ``agency`` joined under: it leaves the plan
        (no one acted here). False when it is not in the plan."""
        if agency not in self.agencies:
            return False
        self._agency_left(client_id=self.client_id, agency=agency, why=CONSENT_WITHDRAWN, by=None, by_role=None)
        return True

    @event("AgencyLeft")
    def _agency_left(self, client_id: UUID, agency: str, why: str, by: str | None, by_role: str | None):
        self.agencies.pop(agency, None)

    def joined(self, agency: str) -> bool:
        return agency in self.agencies


class CaseConference(ServiceAggregate):
    """A meeting of the actors around a client: who took part, what was decided,
    and follow-up actions that each have an owner and a due date. The dates the
    actions fall due are a field of their own: they are published, and must not
    depend on the actions' words, which are kept for a shorter time.

    Who took part, the decisions and the actions are stored sealed under the
    client's data keys (shared.sealing): once shredded (the notes first, by
    retention) they replay as none: no participants or decisions known, no
    actions to do."""

    @classmethod
    def hold(
        cls, client_id: UUID, agency: str, on: dt.date, participants: list[str], decisions: list[str],
        actions: list[dict], held_by: dict, now: dt.datetime,
    ) -> CaseConference:
        """Record a conference that took place; one only planned is not a fact yet."""
        if on > now.date():
            raise ConferenceNotHeldYet()
        return cls(client_id=client_id, agency=agency, on=on, participants=participants, decisions=decisions,
                   actions=actions, actions_due=sorted({action["due"] for action in actions}), **acted(held_by))

    @event("Held")
    def __init__(
        self, client_id: UUID, agency: str, on: dt.date, participants: list[str] | None,
        decisions: list[str] | None, actions: list[dict] | None, actions_due: list[dt.date], by: str, by_role: str,
    ):
        self.client_id, self.agency, self.on = client_id, agency, on
        # None once erased; the actions then are none to do (what was done stays in ActionDone).
        self.participants = None if participants is None else list(participants)
        self.decisions = None if decisions is None else list(decisions)
        self.actions = [{**action, "done": None} for action in actions or []]

    def took_part(self, agency: str) -> bool:
        """Whether an agency in the plan took part: one of the participants is its code
        (as the worker wrote it, whatever the case). Once erased, no one did."""
        return agency.lower() in {participant.strip().lower() for participant in self.participants or []}

    def complete_action(self, index: int, on: dt.date, done_by: dict) -> None:
        if index >= len(self.actions):
            raise NoSuchAction(len(self.actions))
        if self.actions[index]["done"] is not None:
            raise ActionAlreadyDone(index)
        self._action_done(index, on, **acted(done_by))

    @event("ActionDone")
    def _action_done(self, index: int, on: dt.date, by: str, by_role: str):
        if index < len(self.actions):  # else the actions were erased: only that one was done is kept
            self.actions[index]["done"] = on

    def notice_actions_due(self, today: dt.date, notice: dt.timedelta = ACTION_NOTICE) -> int:
        """Announce each action not done that falls due within ``notice``, once.
        Returns how many were announced."""
        due = [(index, action["due"]) for index, action in enumerate(self.actions)
               if action["done"] is None and not action.get("due_announced") and action["due"] <= today + notice]
        for index, day in due:
            self._action_falling_due(self.client_id, self.agency, index, day)
        return len(due)

    @event("ActionFallingDue")
    def _action_falling_due(self, client_id: UUID, agency: str, index: int, due: dt.date):
        self.actions[index]["due_announced"] = True
