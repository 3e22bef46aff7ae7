"""What referrals publishes: the lifecycle of each referral and the case
conferences, as integration events of the catalogue. Reasons in words and
decisions stay here.

Each translation is a function of the domain event alone: the events name their
client, agency and partner, so publishing never loads an aggregate.
"""
from __future__ import annotations

from typing import Callable

from shared.contracts import event_type
from shared.outbox import Publication

from services.referrals.domain import ACCEPTED, DECLINED, FROM_PSYCHOLOGIST, WAITLISTED, CaseConference, Referral

ANSWERS = {ACCEPTED, DECLINED, WAITLISTED}  # what the caseworker waits for from the partner


def _about_referral(fact: str, e, actor: dict | None = None, **data) -> Publication:
    by = {"actor": actor["user_id"], "actor_role": actor["role"]} if actor else {}
    return Publication(
        type=event_type("referrals", fact, 1), subject=str(e.client_id),
        data={"client_id": str(e.client_id), "referral_id": str(e.originator_id), "agency": e.agency,
              "partner": e.partner, **data},
        agency=e.agency, **by,
    )


def referral_proposed(e: Referral.Proposed) -> Publication:
    return _about_referral(
        "referral-proposed", e, e.proposed_by, domains=list(e.domains),
        from_psychologist_recommendation=e.origin.startswith(FROM_PSYCHOLOGIST))


def referral_step_recorded(e: Referral.StepRecorded) -> Publication:
    return _about_referral(
        "referral-step-recorded", e, e.recorded_by, step=e.step, answered=e.step in ANSWERS, outcome=e.outcome)


def referral_stalled(e: Referral.Stalled) -> Publication:
    return _about_referral(
        "referral-stalled", e, state=e.state, since=e.since.isoformat(), expected_days=e.expected_days)


def referral_consent_withdrawn(e: Referral.ConsentWithdrawnFlagged) -> Publication:
    return _about_referral("referral-consent-withdrawn", e)


def case_conference_held(e: CaseConference.Held) -> Publication:
    return Publication(
        type=event_type("referrals", "case-conference-held", 1), subject=str(e.client_id),
        data={"client_id": str(e.client_id), "conference_id": str(e.originator_id), "agency": e.agency,
              "on": e.on.isoformat(), "actions_due": sorted({a["due"].isoformat() for a in e.actions})},
        agency=e.agency, actor=e.held_by["user_id"], actor_role=e.held_by["role"],
    )


PUBLICATIONS: dict[type, Callable[..., Publication]] = {
    Referral.Proposed: referral_proposed,
    Referral.StepRecorded: referral_step_recorded,
    Referral.Stalled: referral_stalled,
    Referral.ConsentWithdrawnFlagged: referral_consent_withdrawn,
    CaseConference.Held: case_conference_held,
}
