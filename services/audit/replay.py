"""The client's file as it stood at an instant, item by item, rebuilt from the
timeline alone, and what changed in it between two instants.

The file holds what the published facts say and nothing else (WAVE2 22): codes,
dates, ids and who acted; what anyone wrote (a note, a goal in words, a condition's
text) stays with the service that owns it. Each item takes the fields its fact's
published contract names (shared/contracts, version 1), so the file and its answer
schema (shared/contracts/audit_answers.py) read them off the same declaration. Every
item says when the fact that put it in the file happened (``recorded``), who acted
(``by``: None for what the platform did on its own) and which of its fields were
erased with the client's data (``erased``: those read as None, never as a value).
A later fact about an item is either a record of its own inside it, with the same
three (a referral's step, a condition's support, a procedure's end), or sets the
fields of the item it speaks of, with when and by whom (an appointment's outcome,
a closing's reopening, a consent's withdrawal, a notification's delivery).

A fact about an item the file does not hold (its first fact is missing, say when
only ``fact-erased`` reached audit in its place) changes nothing: the file never
guesses what that item was.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from shared.contracts import CATALOGUE, event_type
from shared.contracts.intake_vocabulary import v1_categories_of

from services.audit.domain import within

# Each list of items in the file (its path) and the field that names an item in it.
# An item that has no id of its own is named by the published fact that added it
# (``event_id``, as on the timeline); a plan's versions by their number.
ITEMS = {
    "intake.help_requests": "request_id",
    "intake.decisions": "event_id",
    "intake.consents": "consent_id",
    "trajectory.plan_history": "version",
    "trajectory.goal_outcomes": "event_id",
    "trajectory.interventions": "intervention_id",
    "trajectory.psychologist_recommendations": "event_id",
    "trajectory.conditions": "condition_id",
    "trajectory.appointments": "appointment_id",
    "trajectory.network": "member_id",
    "trajectory.procedures": "procedure_id",
    "trajectory.continuity_gaps": "event_id",
    "trajectory.attendance_certificates": "certificate_id",
    "trajectory.closings": "event_id",
    "referrals": "referral_id",
    "case_conferences": "conference_id",
    "coordination_actors": "actor_id",
    # An agency may join a client's plan again after it left: each stay is an item.
    "coordinating_agencies": "event_id",
    "notifications": "notification_id",
    # A client's erasure keeps its id when it is asked again after a refusal.
    "erasure.requests": "event_id",
    "erasure.legal_holds": "event_id",
    "erasure.carried_out": "event_id",
    "facts_erased": "event_id",
}
# The parts of the file that are one record rather than a list: their own fields
# (not the lists inside them) change, they are never added or removed.
RECORDS = ("intake", "trajectory")
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
# The items a later fact changes, found again by their id.
FOUND_AGAIN = {"intake.consents", "trajectory.interventions", "trajectory.conditions", "trajectory.appointments", "trajectory.network",
               "trajectory.procedures", "referrals", "notifications"}


class _Shown:
    """The fields an item shows of one kind of fact: those version 1 of its
    integration event carries, less the client (whose file it is) and ``leave_out``
    (what the item says otherwise); ``renamed``: item field -> the fact's field."""

    def __init__(self, service: str, fact: str, *leave_out: str, **renamed: str):
        published = tuple(CATALOGUE[event_type(service, fact, 1)]._declared_fields)
        sources = {source: name for name, source in renamed.items()}
        self.pairs = tuple((sources.get(name, name), name) for name in published
                           if name not in ("client_id", *leave_out))
        self._published = set(published)
        self._dropped = ("client_id", *leave_out)
        self._plain = not renamed

    def of(self, data: dict) -> dict:
        if self._plain and data.keys() == self._published:
            # Exactly what the published version carries: a copy is the item (the
            # common case, and the fastest: a long file is mostly such facts).
            shown = dict(data)
            for name in self._dropped:
                del shown[name]
            return shown
        return {name: data.get(source) for name, source in self.pairs}


class _Fields(_Shown):
    """Fields named here: what a record takes from facts of several kinds (an
    intake's decisions), or a part of what one kind carries."""

    def __init__(self, *names: str, **renamed: str):
        self.pairs = tuple((name, name) for name in names) + tuple(renamed.items())
        self._plain = False


HELP_REQUEST = _Shown("intake", "help-request-received")
INTERVENTION = _Shown("guidance", "intervention-recorded")
PSYCHOLOGIST_RECOMMENDATION = _Shown("guidance", "psychologist-recommended")
PLAN = _Shown("guidance", "plan-agreed")
CONDITION = _Shown("guidance", "condition-recorded")
CONDITION_SUPPORT = _Shown("guidance", "condition-supported", "trajectory_id", "agency", "condition_id")
APPOINTMENT = _Shown("guidance", "appointment-planned")
NETWORK_MEMBER = _Shown("guidance", "network-member-added")
NETWORK_CONTACT = _Shown("guidance", "network-contact-recorded", "agency", "member_id")
RETURN_HOME = _Shown("guidance", "return-home-prepared", "agency", "member_id")
# A procedure's start is dated ``on`` in its fact: the item calls it ``started``.
PROCEDURE = _Shown("guidance", "procedure-started", started="on")
PROCEDURE_STEP = _Shown("guidance", "procedure-step-recorded", "trajectory_id", "agency", "procedure_id")
PROCEDURE_END = _Shown("guidance", "procedure-ended", "trajectory_id", "agency", "procedure_id")
CONTINUITY_GAP = _Shown("guidance", "continuity-gap")
ATTENDANCE_CERTIFICATE = _Shown("guidance", "attendance-certificate-issued")
CLOSING = _Shown("guidance", "trajectory-closed")
# Corrections (issue 20): a record of their own in the item they correct, which an
# amendment and a rescheduling also set to its corrected values.
INTERVENTION_AMENDMENT = _Fields("changed")
INTERVENTION_RETRACTION = _Fields("recorded_again_as")
APPOINTMENT_RESCHEDULING = _Fields("at")
APPOINTMENT_CANCELLATION = _Fields()
GOAL_OUTCOMES = _Shown("guidance", "goal-outcomes-recorded")
# The partner is repeated on every fact about a referral; the proposal names it.
REFERRAL = _Shown("referrals", "referral-proposed")
REFERRAL_STEP = _Shown("referrals", "referral-step-recorded", "referral_id", "agency", "partner")
REFERRAL_STALL = _Shown("referrals", "referral-stalled", "referral_id", "agency", "partner")
REFERRAL_CORRECTION = _Fields()  # what it says is set from its fact (_referral_corrected)
CASE_CONFERENCE = _Shown("referrals", "case-conference-held")
COORDINATION_ACTOR = _Shown("referrals", "coordination-actor-added")
COORDINATING_AGENCY = _Shown("referrals", "coordinating-agency-joined")
NOTIFICATION = _Shown("notifications", "notification-issued")
ERASURE_REQUEST = _Shown("intake", "erasure-requested")
LEGAL_HOLD = _Shown("intake", "legal-hold-placed")
CONSENT = _Fields("consent_id", "recipient", "purpose")
# A decision on the intake: the fields any decision's fact may carry.
DECISION = _Fields("agency", "worker", "from_agency", "from_worker", "reason")
ERASURE_CARRIED_OUT = _Fields("erasure_id")
FACT_ERASED = _Fields(type="erased_type")
# What the intake record takes from each fact that says it.
REGISTERED = ("agency", "languages", "preferred_language", "interpreter_needed", "legal_position")
LANGUAGES = ("languages", "preferred_language", "interpreter_needed")
ACCEPTED = ("agency", "worker", "interpreter", "legal_position", "situation", "languages", "preferred_language")
INTAKE_STATUS = {"client-registered": "registered", "intake-accepted": "accepted", "intake-declined": "declined",
                 "intake-waitlisted": "waitlisted", "intake-reopened": "registered",
                 "intake-reopened-after-closing": "registered"}
DECISIONS = {"intake-accepted": "accepted", "intake-declined": "declined", "intake-waitlisted": "waitlisted",
             "client-reassigned": "reassigned", "client-transferred": "transferred", "intake-reopened": "reopened",
             "intake-reopened-after-closing": "reopened"}


def _instant(value) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _take(entry: dict, shown: _Shown, **more) -> dict:
    """A record of the file from one fact: the fields it shows, when, by whom, and
    which of them were erased."""
    record = shown.of(entry["data"])
    record.update(more)
    record["recorded"], record["by"] = _instant(entry["time"]), entry.get("actor")
    erased = entry.get("erased")
    record["erased"] = [name for name, source in shown.pairs if source in erased] if erased else []
    return record


class _Fold:
    """The file being built, and where to find each item again by its id."""

    def __init__(self):
        self.intake = {
            "status": None, "agency": None, "worker": None, "languages": None, "preferred_language": None,
            "interpreter_needed": None, "interpreter": None, "legal_position": None, "situation": None,
            "registered": None, "erased": [], "help_requests": [], "decisions": [], "consents": [],
        }
        self.trajectory = {
            "trajectory_id": None, "status": None, "agency": None, "worker": None, "opened": None,
            "plan_history": [], "goal_outcomes": [], "interventions": [], "psychologist_recommendations": [], "conditions": [],
            "appointments": [], "network": [], "procedures": [], "continuity_gaps": [],
            "attendance_certificates": [], "closings": [],
        }
        self.file = {
            "intake": self.intake, "trajectory": self.trajectory, "referrals": [], "case_conferences": [],
            "coordination_actors": [], "coordinating_agencies": [], "notifications": [],
            "erasure": {"requests": [], "legal_holds": [], "carried_out": []}, "facts_erased": [],
        }
        self.found: dict[str, dict[str, dict]] = {}  # item path -> id -> item
        self.intake_erased: dict[str, bool] = {}
        self.consents_in_v2: set = set()  # consent ids given in consent-given.v2 (``_consent_given``)

    def add(self, path: str, items: list, item: dict) -> None:
        items.append(item)
        if path in FOUND_AGAIN:
            self.found.setdefault(path, {})[item[ITEMS[path]]] = item

    def find(self, path: str, item_id) -> dict | None:
        return self.found.get(path, {}).get(item_id)

    def set_intake(self, entry: dict, names: tuple[str, ...]) -> None:
        data, erased = entry["data"], entry.get("erased") or ()
        for name in names:
            self.intake[name] = data.get(name)
            self.intake_erased[name] = name in erased

    def done(self) -> dict:
        self.intake["erased"] = sorted(name for name, erased in self.intake_erased.items() if erased)
        return self.file


# -- intake ------------------------------------------------------------------------------

def _registered(fold: _Fold, entry: dict) -> None:
    fold.set_intake(entry, REGISTERED)
    fold.intake["registered"] = _instant(entry["time"])


def _languages(fold: _Fold, entry: dict) -> None:
    fold.set_intake(entry, LANGUAGES)


def _legal_situation(fold: _Fold, entry: dict) -> None:
    """Where the client stands from a change on (issue 20); its history is the timeline's."""
    fold.set_intake(entry, ("legal_position", "situation"))


def _help_request(fold: _Fold, entry: dict) -> None:
    fold.add("intake.help_requests", fold.intake["help_requests"], _take(entry, HELP_REQUEST))


def _decided(fold: _Fold, entry: dict) -> None:
    fact = entry["type"].split(".")[3]
    data = entry["data"]
    if fact == "client-transferred":
        # Transferred to a worker there, or to that agency's waitlist (intake's own rule).
        fold.intake["status"] = "accepted" if data.get("worker") else "waitlisted"
        fold.set_intake(entry, ("agency", "worker"))
    elif fact == "intake-accepted":
        fold.set_intake(entry, ACCEPTED)
    elif fact == "client-reassigned":
        fold.set_intake(entry, ("agency", "worker", "interpreter"))
    else:
        fold.set_intake(entry, ("agency",))
    fold.add("intake.decisions", fold.intake["decisions"],
             _take(entry, DECISION, event_id=entry["event_id"], decision=DECISIONS[fact]))


def _consent_given(fold: _Fold, entry: dict) -> None:
    """Version 2 names the categories; version 1 (before it, or beside it) the scopes
    they read as (shared.contracts.intake_vocabulary.V1_SCOPES). Intake publishes
    each giving in both versions, v2 first: once a consent has been given in v2, its
    v1 copies say nothing more."""
    data = entry["data"]
    if "categories" in data:
        fold.consents_in_v2.add(data["consent_id"])
        categories, share_history = data["categories"], data["share_history"]
    elif data["consent_id"] in fold.consents_in_v2:
        return
    else:
        categories, share_history = v1_categories_of(data["scope"]), False
    period = {"given": _instant(entry["time"]), "given_by": entry.get("actor"), "categories": categories,
              "share_history": share_history, "withdrawn": None, "withdrawn_by": None}
    consent = fold.find("intake.consents", data["consent_id"])
    if consent is None:
        consent = _take(entry, CONSENT, categories=categories, share_history=share_history, in_force=True,
                        periods=[period])
        fold.add("intake.consents", fold.intake["consents"], consent)
    else:  # given again after a withdrawal, or for other categories: the same consent, a new period
        consent.update(categories=categories, share_history=share_history, in_force=True)
        consent["periods"].append(period)


def _consent_withdrawn(fold: _Fold, entry: dict) -> None:
    consent = fold.find("intake.consents", entry["data"]["consent_id"])
    if consent is not None:
        consent["in_force"] = False
        consent["periods"][-1].update(withdrawn=_instant(entry["time"]), withdrawn_by=entry.get("actor"))


def _erasure_requested(fold: _Fold, entry: dict) -> None:
    fold.add("erasure.requests", fold.file["erasure"]["requests"],
             _take(entry, ERASURE_REQUEST, event_id=entry["event_id"], decision=None, decided=None,
                   decided_by=None))


def _erasure_decided(fold: _Fold, entry: dict) -> None:
    """Approved or refused: the request of that erasure still waiting for its decision."""
    erasure_id = entry["data"].get("erasure_id")
    for request in reversed(fold.file["erasure"]["requests"]):
        if request["erasure_id"] == erasure_id and request["decision"] is None:
            request.update(decision="approved" if entry["type"].split(".")[3] == "erasure-approved" else "refused",
                           decided=_instant(entry["time"]), decided_by=entry.get("actor"))
            return


def _hold_placed(fold: _Fold, entry: dict) -> None:
    fold.add("erasure.legal_holds", fold.file["erasure"]["legal_holds"],
             _take(entry, LEGAL_HOLD, event_id=entry["event_id"], lifted=None, lifted_by=None))


def _hold_lifted(fold: _Fold, entry: dict) -> None:
    ground = entry["data"].get("ground")
    for hold in reversed(fold.file["erasure"]["legal_holds"]):
        if hold["lifted"] is None and hold["ground"] == ground:
            hold.update(lifted=_instant(entry["time"]), lifted_by=entry.get("actor"))
            return


# -- guidance ----------------------------------------------------------------------------

def _trajectory_opened(fold: _Fold, entry: dict) -> None:
    data = entry["data"]
    fold.trajectory.update(trajectory_id=data["trajectory_id"], status="open", agency=data.get("agency"),
                           worker=data.get("worker"), opened=_instant(entry["time"]))


def _current(fold: _Fold, entry: dict) -> bool:
    """Whether the fact is about the trajectory the file shows (an earlier one, closed
    on a transfer, keeps only its items)."""
    return entry["data"].get("trajectory_id") == fold.trajectory["trajectory_id"]


def _trajectory_closed(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.closings", fold.trajectory["closings"],
             _take(entry, CLOSING, event_id=entry["event_id"], reopened=None, reopened_by=None))
    if _current(fold, entry):
        fold.trajectory["status"] = "closed"


def _trajectory_reopened(fold: _Fold, entry: dict) -> None:
    trajectory_id = entry["data"].get("trajectory_id")
    for closing in reversed(fold.trajectory["closings"]):
        if closing["trajectory_id"] == trajectory_id and closing["reopened"] is None:
            closing.update(reopened=_instant(entry["time"]), reopened_by=entry.get("actor"))
            break
    if _current(fold, entry):
        fold.trajectory["status"] = "open"


def _worker_changed(fold: _Fold, entry: dict) -> None:
    if _current(fold, entry):
        fold.trajectory["worker"] = entry["data"].get("worker")


def _plan(fold: _Fold, entry: dict) -> None:
    history = fold.trajectory["plan_history"]
    change = "agreed" if entry["type"].split(".")[3] == "plan-agreed" else "reviewed"
    fold.add("trajectory.plan_history", history, _take(entry, PLAN, version=len(history) + 1, change=change))


def _intervention(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.interventions", fold.trajectory["interventions"],
             _take(entry, INTERVENTION, corrections=[], retracted=None))


def _intervention_amended(fold: _Fold, entry: dict) -> None:
    """The item shows the corrected intervention (the fact carries it in full); the
    amendment is a record of its own in it."""
    intervention = fold.find("trajectory.interventions", entry["data"].get("intervention_id"))
    if intervention is not None:
        erased = entry.get("erased") or ()
        for name, source in INTERVENTION.pairs:
            if source in entry["data"]:
                intervention[name] = entry["data"][source]
                _mark(intervention, name, source in erased)
        intervention["corrections"].append(_take(entry, INTERVENTION_AMENDMENT, correction="amended",
                                                       recorded_again_as=None))


def _intervention_retracted(fold: _Fold, entry: dict) -> None:
    intervention = fold.find("trajectory.interventions", entry["data"].get("intervention_id"))
    if intervention is not None:
        intervention["corrections"].append(_take(entry, INTERVENTION_RETRACTION, correction="retracted",
                                                       changed=None))
        intervention["retracted"] = _instant(entry["time"])


def _goal_outcomes(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.goal_outcomes", fold.trajectory["goal_outcomes"],
             _take(entry, GOAL_OUTCOMES, event_id=entry["event_id"]))


def _psychologist(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.psychologist_recommendations", fold.trajectory["psychologist_recommendations"],
             _take(entry, PSYCHOLOGIST_RECOMMENDATION, event_id=entry["event_id"]))


def _condition(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.conditions", fold.trajectory["conditions"],
             _take(entry, CONDITION, supports=[], ending_announced=None))


def _condition_supported(fold: _Fold, entry: dict) -> None:
    condition = fold.find("trajectory.conditions", entry["data"].get("condition_id"))
    if condition is not None:
        condition["supports"].append(_take(entry, CONDITION_SUPPORT))


def _condition_ending(fold: _Fold, entry: dict) -> None:
    condition = fold.find("trajectory.conditions", entry["data"].get("condition_id"))
    if condition is not None:
        condition["ending_announced"] = _instant(entry["time"])


def _appointment(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.appointments", fold.trajectory["appointments"],
             _take(entry, APPOINTMENT, outcome=None, outcome_recorded=None, outcome_by=None, corrections=[],
                   cancelled=None))


def _appointment_rescheduled(fold: _Fold, entry: dict) -> None:
    appointment = fold.find("trajectory.appointments", entry["data"].get("appointment_id"))
    if appointment is not None:
        appointment["at"] = entry["data"].get("at")
        _mark(appointment, "at", "at" in (entry.get("erased") or ()))
        appointment["corrections"].append(_take(entry, APPOINTMENT_RESCHEDULING, correction="rescheduled"))


def _appointment_cancelled(fold: _Fold, entry: dict) -> None:
    appointment = fold.find("trajectory.appointments", entry["data"].get("appointment_id"))
    if appointment is not None:
        appointment["corrections"].append(_take(entry, APPOINTMENT_CANCELLATION, correction="cancelled",
                                                      at=None))
        appointment["cancelled"] = _instant(entry["time"])


def _appointment_outcome(fold: _Fold, entry: dict) -> None:
    appointment = fold.find("trajectory.appointments", entry["data"].get("appointment_id"))
    if appointment is not None:
        appointment.update(outcome=entry["data"].get("outcome"), outcome_recorded=_instant(entry["time"]),
                           outcome_by=entry.get("actor"))
        _mark(appointment, "outcome", "outcome" in (entry.get("erased") or ()))


def _mark(item: dict, name: str, erased: bool) -> None:
    """Say whether the item's ``name``, just set from a later fact, was erased."""
    if erased and name not in item["erased"]:
        item["erased"].append(name)
    elif not erased and name in item["erased"]:
        item["erased"].remove(name)


def _procedure(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.procedures", fold.trajectory["procedures"], _take(entry, PROCEDURE, steps=[], ended=None))


def _procedure_step(fold: _Fold, entry: dict) -> None:
    procedure = fold.find("trajectory.procedures", entry["data"].get("procedure_id"))
    if procedure is not None:
        procedure["steps"].append(_take(entry, PROCEDURE_STEP))


def _procedure_ended(fold: _Fold, entry: dict) -> None:
    procedure = fold.find("trajectory.procedures", entry["data"].get("procedure_id"))
    if procedure is not None:
        procedure["ended"] = _take(entry, PROCEDURE_END)


def _network_member(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.network", fold.trajectory["network"],
             _take(entry, NETWORK_MEMBER, contacts=[], returns_home=[]))


def _network_contact(fold: _Fold, entry: dict) -> None:
    member = fold.find("trajectory.network", entry["data"].get("member_id"))
    if member is not None:
        member["contacts"].append(_take(entry, NETWORK_CONTACT))


def _return_home(fold: _Fold, entry: dict) -> None:
    member = fold.find("trajectory.network", entry["data"].get("member_id"))
    if member is not None:
        member["returns_home"].append(_take(entry, RETURN_HOME))


def _continuity_gap(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.continuity_gaps", fold.trajectory["continuity_gaps"],
             _take(entry, CONTINUITY_GAP, event_id=entry["event_id"]))


def _certificate(fold: _Fold, entry: dict) -> None:
    fold.add("trajectory.attendance_certificates", fold.trajectory["attendance_certificates"],
             _take(entry, ATTENDANCE_CERTIFICATE))


# -- referrals ---------------------------------------------------------------------------

def _referral(fold: _Fold, entry: dict) -> None:
    fold.add("referrals", fold.file["referrals"],
             _take(entry, REFERRAL, state="proposed", outcome=None, steps=[], stalls=[], corrections=[],
                   consent_withdrawn=None))


def _referral_step(fold: _Fold, entry: dict) -> None:
    referral = fold.find("referrals", entry["data"].get("referral_id"))
    if referral is not None:
        step = _take(entry, REFERRAL_STEP)
        referral.update(state=step["step"], outcome=step["outcome"])
        referral["steps"].append(step)
        _mark(referral, "outcome", "outcome" in step["erased"])


def _referral_corrected(correction: str) -> Callable[[_Fold, dict], None]:
    """A cancellation, withdrawal or reopening (issue 20): a record of its own in the
    referral, which it leaves in the state its fact names (a reopening) or ends."""
    def fold_in(fold: _Fold, entry: dict) -> None:
        referral = fold.find("referrals", entry["data"].get("referral_id"))
        if referral is not None:
            data = entry["data"]
            state = data.get("state", correction)
            referral["corrections"].append(_take(entry, REFERRAL_CORRECTION, correction=correction,
                                                 from_state=data.get("from_state", referral["state"]), state=state))
            referral["state"] = state
    return fold_in


def _referral_stalled(fold: _Fold, entry: dict) -> None:
    referral = fold.find("referrals", entry["data"].get("referral_id"))
    if referral is not None:
        referral["stalls"].append(_take(entry, REFERRAL_STALL))


def _referral_consent_withdrawn(fold: _Fold, entry: dict) -> None:
    referral = fold.find("referrals", entry["data"].get("referral_id"))
    if referral is not None:
        referral["consent_withdrawn"] = _instant(entry["time"])


def _case_conference(fold: _Fold, entry: dict) -> None:
    fold.add("case_conferences", fold.file["case_conferences"], _take(entry, CASE_CONFERENCE))


def _coordination_actor(fold: _Fold, entry: dict) -> None:
    fold.add("coordination_actors", fold.file["coordination_actors"], _take(entry, COORDINATION_ACTOR))


def _agency_joined(fold: _Fold, entry: dict) -> None:
    fold.add("coordinating_agencies", fold.file["coordinating_agencies"],
             _take(entry, COORDINATING_AGENCY, event_id=entry["event_id"], left=None, left_by=None, why_left=None))


def _agency_left(fold: _Fold, entry: dict) -> None:
    """Ends that agency's stay in the plan still open (removed, or its consent withdrawn)."""
    agency = entry["data"].get("agency")
    for stay in reversed(fold.file["coordinating_agencies"]):
        if stay["agency"] == agency and stay["left"] is None:
            stay.update(left=_instant(entry["time"]), left_by=entry.get("actor"), why_left=entry["data"].get("why"))
            return


# -- notifications -----------------------------------------------------------------------

def _notification(fold: _Fold, entry: dict) -> None:
    fold.add("notifications", fold.file["notifications"],
             _take(entry, NOTIFICATION, status="issued", delivered=None, dead_lettered=None))


def _notification_delivered(fold: _Fold, entry: dict) -> None:
    notification = fold.find("notifications", entry["data"].get("notification_id"))
    if notification is not None:
        notification.update(status="delivered", delivered=entry["data"].get("at"))


def _notification_dead_lettered(fold: _Fold, entry: dict) -> None:
    notification = fold.find("notifications", entry["data"].get("notification_id"))
    if notification is not None:
        notification.update(status="dead-lettered", dead_lettered=_instant(entry["time"]))


# -- every service -----------------------------------------------------------------------

def _erasure_carried_out(fold: _Fold, entry: dict) -> None:
    fold.add("erasure.carried_out", fold.file["erasure"]["carried_out"],
             _take(entry, ERASURE_CARRIED_OUT, event_id=entry["event_id"], service=entry["source"]))


def _fact_erased(fold: _Fold, entry: dict) -> None:
    """A fact that reached audit only after its content was erased: the file says a
    fact of that type happened then, and nothing of what it said."""
    fold.add("facts_erased", fold.file["facts_erased"],
             _take(entry, FACT_ERASED, event_id=entry["event_id"], service=entry["source"]))


FOLDS: dict[tuple[str, str], Callable[[_Fold, dict], None]] = {
    ("intake", "client-registered"): _registered,
    ("intake", "client-languages-recorded"): _languages,
    ("intake", "legal-situation-changed"): _legal_situation,
    ("intake", "help-request-received"): _help_request,
    **{("intake", fact): _decided for fact in DECISIONS},
    ("intake", "consent-given"): _consent_given,
    ("intake", "consent-withdrawn"): _consent_withdrawn,
    ("intake", "erasure-requested"): _erasure_requested,
    ("intake", "erasure-refused"): _erasure_decided,
    ("intake", "erasure-approved"): _erasure_decided,
    ("intake", "legal-hold-placed"): _hold_placed,
    ("intake", "legal-hold-lifted"): _hold_lifted,
    ("guidance", "trajectory-opened"): _trajectory_opened,
    ("guidance", "trajectory-closed"): _trajectory_closed,
    ("guidance", "trajectory-reopened"): _trajectory_reopened,
    ("guidance", "trajectory-worker-changed"): _worker_changed,
    ("guidance", "plan-agreed"): _plan,
    ("guidance", "plan-reviewed"): _plan,
    ("guidance", "intervention-recorded"): _intervention,
    ("guidance", "intervention-amended"): _intervention_amended,
    ("guidance", "intervention-retracted"): _intervention_retracted,
    ("guidance", "appointment-rescheduled"): _appointment_rescheduled,
    ("guidance", "appointment-cancelled"): _appointment_cancelled,
    ("guidance", "goal-outcomes-recorded"): _goal_outcomes,
    ("guidance", "psychologist-recommended"): _psychologist,
    ("guidance", "condition-recorded"): _condition,
    ("guidance", "condition-supported"): _condition_supported,
    ("guidance", "condition-period-ending"): _condition_ending,
    ("guidance", "appointment-planned"): _appointment,
    ("guidance", "appointment-outcome-recorded"): _appointment_outcome,
    ("guidance", "procedure-started"): _procedure,
    ("guidance", "procedure-step-recorded"): _procedure_step,
    ("guidance", "procedure-ended"): _procedure_ended,
    ("guidance", "network-member-added"): _network_member,
    ("guidance", "network-contact-recorded"): _network_contact,
    ("guidance", "return-home-prepared"): _return_home,
    ("guidance", "continuity-gap"): _continuity_gap,
    ("guidance", "attendance-certificate-issued"): _certificate,
    ("referrals", "referral-proposed"): _referral,
    ("referrals", "referral-step-recorded"): _referral_step,
    ("referrals", "referral-stalled"): _referral_stalled,
    ("referrals", "referral-cancelled"): _referral_corrected("cancelled"),
    ("referrals", "referral-withdrawn"): _referral_corrected("withdrawn"),
    ("referrals", "referral-reopened"): _referral_corrected("reopened"),
    ("referrals", "referral-consent-withdrawn"): _referral_consent_withdrawn,
    ("referrals", "case-conference-held"): _case_conference,
    ("referrals", "coordination-actor-added"): _coordination_actor,
    ("referrals", "coordinating-agency-joined"): _agency_joined,
    ("referrals", "coordinating-agency-left"): _agency_left,
    ("notifications", "notification-issued"): _notification,
    ("notifications", "notification-delivered"): _notification_delivered,
    ("notifications", "notification-dead-lettered"): _notification_dead_lettered,
    **{(service, "erasure-carried-out"): _erasure_carried_out
       for service in ("guidance", "referrals", "notifications")},
    **{(service, "fact-erased"): _fact_erased for service in ("intake", "guidance", "referrals", "notifications")},
}


def file_at(entries: list[dict]) -> dict:
    """Fold the entries (already cut at the instant, in causal order) into the file,
    item by item. A fact that changes nothing in the file is passed over: reads and
    refused attempts (the access log's), and the erasure's own bookkeeping in a
    service that records none of the client's items."""
    fold = _Fold()
    kinds: dict[str, tuple] = {}  # type -> (fold, status it gives the intake): a file has few types
    for entry in entries:
        kind = kinds.get(entry["type"])
        if kind is None:
            _, _, service, fact, _ = entry["type"].split(".")
            kind = kinds[entry["type"]] = (FOLDS.get((service, fact)), INTAKE_STATUS.get(fact))
        apply, status = kind
        if apply is not None:
            if status is not None:
                fold.intake["status"] = status
            apply(fold, entry)
    return fold.done()


def between(facts: list[dict], since, until) -> dict:
    """The file at both ends of the window ``(since, until]`` (``facts`` in causal
    order), what changed in it, and the facts that changed it."""
    before, after = file_at(within(facts, "time", None, since)), file_at(within(facts, "time", None, until))
    return {"file_at_since": before, "file_at_until": after, "changes": changes(before, after),
            "facts": within(facts, "time", since, until)}


def changes(before: dict, after: dict) -> list[dict]:
    """What differs between two files, item by item: each item added, changed or
    removed, by its kind (its path in the file) and its id, with every field whose
    value differs and its value at each end (None where the item was not there);
    then the records' own fields (the intake's status, the trajectory's worker). In
    the order of the file, each item where it stands in the later file (a removed
    one, in the earlier)."""
    found: list[dict] = []
    for path in RECORDS:
        old, new = _part(before, path), _part(after, path)
        own = [name for name in {**old, **new} if f"{path}.{name}" not in ITEMS]
        fields = _differing({name: old.get(name) for name in own}, {name: new.get(name) for name in own})
        if fields:
            found.append({"item": path, "id": None, "change": CHANGED, "fields": fields})
    for path, key in ITEMS.items():
        old = {str(item[key]): item for item in _part(before, path) or []}
        new = {str(item[key]): item for item in _part(after, path) or []}
        for item_id, item in new.items():
            fields = _differing(old.get(item_id, {}), item)
            if fields:
                found.append({"item": path, "id": item_id, "change": CHANGED if item_id in old else ADDED,
                              "fields": fields})
        found += [{"item": path, "id": item_id, "change": REMOVED, "fields": _differing(item, {})}
                  for item_id, item in old.items() if item_id not in new]
    return found


def _part(file: dict, path: str) -> Any:
    for name in path.split("."):
        file = file.get(name) if isinstance(file, dict) else None
    return file if file is not None else {}


def _differing(old: dict, new: dict) -> dict[str, dict]:
    return {name: {"before": old.get(name), "after": new.get(name)}
            for name in {**old, **new} if old.get(name) != new.get(name)}
