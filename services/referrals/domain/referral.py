"""A referral through its whole lifecycle, from proposal to end.

A referral that silently stalls is help lost: every state has an expected
duration, and a referral stuck beyond it raises a stalled fact, once per stay.
Every event a referral publishes names its client, agency and partner, fixed for
its whole life, so that publishing the event needs nothing but the event. Each
event carries the fields its fact declares (shared.contracts.referrals).

The partner, the domains, the origin, the reasons and the outcome are personal:
stored sealed under the client's data keys (shared.sealing), they replay as none
once the keys are shredded. A referral whose partner is erased is over for this
service: nothing more is recorded on it (what it would publish names no partner).
"""
from __future__ import annotations

import datetime as dt
from uuid import UUID

from eventsourcing.domain import event

from shared.domain import NotNow, NotPermitted, ServiceAggregate

from services.referrals.domain.acted import acted
from services.referrals.domain.ids import derived_id

PROPOSED, SENT, ACKNOWLEDGED = "proposed", "sent", "acknowledged"
ACCEPTED, DECLINED, WAITLISTED = "accepted", "declined", "waitlisted"
STARTED, COMPLETED, DROPPED_OUT = "started", "completed", "dropped_out"
# Where a correction leaves a referral: ended by the agency before or after the partner's answer.
CANCELLED, WITHDRAWN = "cancelled", "withdrawn"

# Which step may follow which state (the lifecycle in the referrals issue).
NEXT_STEPS = {
    PROPOSED: {SENT},
    SENT: {ACKNOWLEDGED},
    ACKNOWLEDGED: {ACCEPTED, DECLINED, WAITLISTED},
    WAITLISTED: {ACCEPTED, DECLINED},
    ACCEPTED: {STARTED},
    STARTED: {COMPLETED, DROPPED_OUT},
    DECLINED: set(),
    COMPLETED: set(),
    DROPPED_OUT: set(),
    CANCELLED: set(),
    WITHDRAWN: set(),
}
# How long a referral is expected to stay in each state before someone must act
# (a deployment may set its own: [referrals] expected_days).
EXPECTED_STAY = {
    PROPOSED: dt.timedelta(days=7),
    SENT: dt.timedelta(days=5),
    ACKNOWLEDGED: dt.timedelta(days=10),
    WAITLISTED: dt.timedelta(days=45),
    ACCEPTED: dt.timedelta(days=14),
    STARTED: dt.timedelta(days=120),
}
IN_THE_PARTNERS_HANDS = {SENT, ACKNOWLEDGED, WAITLISTED, ACCEPTED, STARTED}
# The steps on the partner's side: what the partner answers and how the help went.
# A partner that answers on the platform records them itself; the agency sends.
PARTNER_SIDE = {ACKNOWLEDGED, ACCEPTED, DECLINED, WAITLISTED, STARTED, COMPLETED, DROPPED_OUT}
# After the client withdrew their consent nothing more goes to the partner: only how the
# help ended is recorded (the agency withdrawing a referral is a correction: WITHDRAWN).
AFTER_WITHDRAWAL = {COMPLETED, DROPPED_OUT}
# The corrections of a referral, each recorded by the agency's staff with a reason:
# cancelled while the partner has not answered yet, withdrawn once it has answered
# (it keeps a place, or the help is under way), reopened after the client dropped out.
BEFORE_AN_ANSWER = (PROPOSED, SENT, ACKNOWLEDGED)
AFTER_AN_ANSWER = (WAITLISTED, ACCEPTED, STARTED)
REOPENABLE = (DROPPED_OUT,)
# A dropped-out client who comes back needs the partner to take them back: the place
# they had may be gone, so whether and when is the partner's answer again (waitlisted,
# accepted or declined). The partner knows the person and the referral already, so it
# need not be sent nor acknowledged anew: a reopened referral stands acknowledged,
# waiting for that answer, and is followed for a stall there like any other.
REOPENED_TO = ACKNOWLEDGED
CORRECTIONS = {"cancel": (CANCELLED, BEFORE_AN_ANSWER), "withdraw": (WITHDRAWN, AFTER_AN_ANSWER),
               "reopen": (REOPENED_TO, REOPENABLE)}
# The origin of the referrals a policy proposes on guidance's recommendation.
FROM_PSYCHOLOGIST = "psychologist-recommendation:"


class StepNotNext(NotNow):
    """The lifecycle does not lead from the referral's state to this step."""

    def __init__(self, state: str, step: str):
        allowed = ", ".join(sorted(NEXT_STEPS[state])) or "none: it has ended"
        super().__init__(
            f"a referral that is {state.replace('_', ' ')} cannot become {step.replace('_', ' ')}",
            {"step": [f"the referral is {state}; next can be: {allowed}"]},
        )


class CorrectionNotNow(NotNow):
    """A correction the referral's state does not allow (cancelling a completed
    referral, say): naming the state and when the correction is possible."""

    WHEN = {"cancel": "only before the partner answered", "withdraw": "only after the partner answered",
            "reopen": "only after the client dropped out"}

    def __init__(self, state: str, correction: str):
        possible = ", ".join(CORRECTIONS[correction][1])
        super().__init__(
            f"a referral that is {state.replace('_', ' ')} cannot be {_done(correction)}",
            {"step": [f"the referral is {state}; it can be {_done(correction)} {self.WHEN[correction]} "
                      f"(when it is {possible})"]},
        )


def _done(correction: str) -> str:
    return {"cancel": "cancelled", "withdraw": "withdrawn", "reopen": "reopened"}[correction]


class ReferralErased(NotNow):
    """The client's data were erased (their keys shredded): the referral takes no
    more steps."""

    def __init__(self):
        super().__init__("the client's data on this referral were erased: nothing more is recorded on it",
                         {"referral_id": ["erased"]})


class ConsentWithdrawn(NotPermitted):
    def __init__(self, partner: str):
        super().__init__(
            "the client withdrew their consent: nothing more goes to this partner",
            {"consent": [f"withdrawn for recipient {partner}"]},
        )


def _stay(state: str, since: dt.datetime) -> str:
    return f"{state}@{since.isoformat()}"


class Referral(ServiceAggregate):
    """One client referred to one partner for one purpose, from proposal to end."""

    @staticmethod
    def create_id(origin: str) -> UUID:
        """A worker's proposal has a fresh id; one proposed by a policy has an id
        derived from the upstream fact, so redelivery cannot propose it twice."""
        return derived_id("referral", origin)

    @classmethod
    def propose(
        cls, origin: str, client_id: UUID, agency: str, partner: str, purpose: str, domains: list[str], reason: str,
        at: dt.datetime, proposed_by: dict,
    ) -> Referral:
        return cls(origin=origin, client_id=client_id, agency=agency, partner=partner, purpose=purpose,
                   domains=domains, reason=reason, at=at, **acted(proposed_by))

    @event("Proposed")
    def __init__(
        self, origin: str | None, client_id: UUID, agency: str, partner: str | None, purpose: str,
        domains: list[str] | None, reason: str | None, at: dt.datetime, by: str, by_role: str,
    ):
        self.client_id, self.agency, self.partner, self.purpose = client_id, agency, partner, purpose
        self.domains = None if domains is None else list(domains)  # none once erased, as the reason
        self.reason = reason
        self.state = PROPOSED
        self.history: list[dict] = []
        self.stalled_in: list[str] = []  # the stays this referral was already reported stalled in
        self.consent_withdrawn = False
        self.outcome: str | None = None
        self.notes: list[dict] = []
        self._entered(PROPOSED, by, by_role, at)

    def _entered(self, state: str, by: str, by_role: str, at: dt.datetime, **detail) -> None:
        self.state = state
        self.state_since = at
        self.history.append({"state": state, "at": at, "by": by, "by_role": by_role, **detail})

    @property
    def was_sent(self) -> bool:
        """It reached the partner: it was sent once (a referral cancelled while only
        proposed never was)."""
        return any(entry["state"] == SENT for entry in self.history)

    def _named(self) -> dict:
        return {"client_id": self.client_id, "agency": self.agency, "partner": self.partner}

    @property
    def erased(self) -> bool:
        """The client's data were erased: a referral always names its partner until then."""
        return self.partner is None

    def may_become(self, step: str) -> bool:
        return step in NEXT_STEPS[self.state]

    def record_step(self, step: str, now: dt.datetime, reason: str | None, outcome: str | None, recorded_by: dict):
        """Move on in the lifecycle. Sending needs the client's consent too, which
        the client's record holds: the application asks it first."""
        if self.erased:
            raise ReferralErased()
        if not self.may_become(step):
            raise StepNotNext(self.state, step)
        if self.consent_withdrawn and step not in AFTER_WITHDRAWAL:
            raise ConsentWithdrawn(self.partner)
        self._step_recorded(**self._named(), step=step, at=now, reason=reason, outcome=outcome, **acted(recorded_by))

    @event("StepRecorded")
    def _step_recorded(
        self, client_id: UUID, agency: str, partner: str | None, step: str, at: dt.datetime, reason: str | None,
        outcome: str | None, by: str, by_role: str,
    ):
        self._entered(step, by, by_role, at, reason=reason, outcome=outcome)
        if outcome:
            self.outcome = outcome

    def add_note(self, note: str, now: dt.datetime, written_by: dict) -> None:
        """A note by the partner's user or the agency's staff, while the client's data are kept."""
        if self.erased:
            raise ReferralErased()
        self._note_added(**self._named(), note=note, at=now, **acted(written_by))

    @event("NoteAdded")
    def _note_added(self, client_id: UUID, agency: str, partner: str | None, note: str | None, at: dt.datetime,
                    by: str, by_role: str):
        self.notes.append({"at": at, "by": by, "by_role": by_role, "note": note})  # note: none once erased

    def notice_stall(self, now: dt.datetime, expected_stay: dict[str, dt.timedelta]) -> bool:
        """Report the referral stalled when it is stuck beyond the expected stay in
        its state, once per stay; True when it did. An erased referral is not followed."""
        limit = expected_stay.get(self.state)
        if self.erased or limit is None or now <= self.state_since + limit:
            return False
        if _stay(self.state, self.state_since) in self.stalled_in:
            return False
        self._stalled(**self._named(), state=self.state, since=self.state_since, expected_days=limit.days)
        return True

    @event("Stalled")
    def _stalled(
        self, client_id: UUID, agency: str, partner: str | None, state: str, since: dt.datetime,
        expected_days: int,
    ):
        self.stalled_in.append(_stay(state, since))

    def note_consent_withdrawn(self, recipient: str) -> bool:
        """The client withdrew a referral consent for ``recipient``: flag this
        referral (True) when it is in that partner's hands. What was shared before
        stays on record."""
        if recipient != self.partner or self.state not in IN_THE_PARTNERS_HANDS:
            return False
        self._consent_withdrawn_flagged(**self._named())
        return True

    @event("ConsentWithdrawnFlagged")
    def _consent_withdrawn_flagged(self, client_id: UUID, agency: str, partner: str | None):
        self.consent_withdrawn = True

    # -- corrections: each a fact of its own, the steps before it stay on record ----------

    def _expect_correction(self, correction: str) -> None:
        if self.erased:
            raise ReferralErased()
        if self.state not in CORRECTIONS[correction][1]:
            raise CorrectionNotNow(self.state, correction)

    def cancel(self, reason: str, now: dt.datetime, cancelled_by: dict) -> None:
        """The agency cancels the referral before the partner answered: it takes no
        further step. A withdrawn consent does not stop it: it ends the referral."""
        self._expect_correction("cancel")
        self._cancelled(**self._named(), from_state=self.state, reason=reason, at=now, **acted(cancelled_by))

    @event("Cancelled")
    def _cancelled(self, client_id: UUID, agency: str, partner: str | None, from_state: str, reason: str | None,
                   at: dt.datetime, by: str, by_role: str):
        self._entered(CANCELLED, by, by_role, at, reason=reason, correction=CANCELLED)

    def withdraw(self, reason: str, now: dt.datetime, withdrawn_by: dict) -> None:
        """The agency withdraws the referral after the partner answered (it keeps a
        place, or the help is under way): the partner is told, and it takes no
        further step. As a cancellation, it may end a referral whose consent was withdrawn."""
        self._expect_correction("withdraw")
        self._withdrawn(**self._named(), from_state=self.state, reason=reason, at=now, **acted(withdrawn_by))

    @event("Withdrawn")
    def _withdrawn(self, client_id: UUID, agency: str, partner: str | None, from_state: str, reason: str | None,
                   at: dt.datetime, by: str, by_role: str):
        self._entered(WITHDRAWN, by, by_role, at, reason=reason, correction=WITHDRAWN)

    def reopen(self, reason: str, now: dt.datetime, reopened_by: dict) -> None:
        """A client who dropped out comes back: the referral goes to the partner
        again (REOPENED_TO). That needs what sending needs: the consent, which the
        application checks on the client's record, and no withdrawal since."""
        self._expect_correction("reopen")
        if self.consent_withdrawn:
            raise ConsentWithdrawn(self.partner)
        self._reopened(**self._named(), state=REOPENED_TO, reason=reason, at=now, **acted(reopened_by))

    @event("Reopened")
    def _reopened(self, client_id: UUID, agency: str, partner: str | None, state: str, reason: str | None,
                  at: dt.datetime, by: str, by_role: str):
        self._entered(state, by, by_role, at, reason=reason, correction="reopened")
