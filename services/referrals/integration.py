"""What referrals publishes: the lifecycle of each referral and the case
conferences, as integration events of the catalogue. Reasons in words and
decisions stay here."""
from __future__ import annotations

from shared.contracts import event_type
from shared.outbox import Publication

from services.referrals.domain import ACCEPTED, DECLINED, WAITLISTED, CaseConference, Referral

ANSWERS = {ACCEPTED, DECLINED, WAITLISTED}
FROM_PSYCHOLOGIST = "psychologist-recommendation:"  # the origin of referrals a policy proposes


class Publications(dict):
    """Domain event class -> its translation. Client, agency and partner are fixed
    for the life of a referral, so they are looked up once per referral."""

    def __init__(self, repository):
        self.repository = repository
        self._fixed: dict = {}
        super().__init__({
            Referral.Proposed: self._proposed,
            Referral.StepRecorded: lambda e: self._about(
                "referral-step-recorded", e, e.recorded_by, step=e.step, answered=e.step in ANSWERS,
                outcome=e.outcome),
            Referral.Stalled: lambda e: self._about(
                "referral-stalled", e, None, state=e.in_state, since=e.since.isoformat(),
                expected_days=e.expected_days),
            Referral.ConsentWithdrawnFlagged: lambda e: self._about("referral-consent-withdrawn", e, None),
            CaseConference.Held: lambda e: Publication(
                type=event_type("referrals", "case-conference-held", 1), subject=str(e.client_id),
                data={"client_id": str(e.client_id), "conference_id": str(e.originator_id), "agency": e.agency,
                      "on": e.on.isoformat(), "actions_due": sorted({a["due"].isoformat() for a in e.actions})},
                agency=e.agency, actor=e.held_by["user_id"], actor_role=e.held_by["role"]),
        })

    def _facts(self, referral_id):
        if referral_id not in self._fixed:
            r: Referral = self.repository.get(referral_id)
            self._fixed[referral_id] = (r.client_id, r.agency, r.partner)
        return self._fixed[referral_id]

    def _about(self, fact: str, e, actor: dict | None, **data) -> Publication:
        client_id, agency, partner = self._facts(e.originator_id)
        by = {"actor": actor["user_id"], "actor_role": actor["role"]} if actor else {}
        return Publication(
            type=event_type("referrals", fact, 1), subject=str(client_id),
            data={"client_id": str(client_id), "referral_id": str(e.originator_id), "agency": agency,
                  "partner": partner, **data},
            agency=agency, **by,
        )

    def _proposed(self, e: Referral.Proposed) -> Publication:
        self._fixed[e.originator_id] = (e.client_id, e.agency, e.partner)
        return self._about(
            "referral-proposed", e, e.proposed_by, domains=list(e.domains),
            from_psychologist_recommendation=e.origin.startswith(FROM_PSYCHOLOGIST))
