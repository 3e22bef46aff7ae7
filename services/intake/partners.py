"""The partner organisations a consent may name, learnt from the referrals service.

Referrals keeps the partner directory and publishes each partner registered, changed
and deactivated (subject: the partner's code). Intake follows those three facts only
(deploy/intake/service.toml ``follows``) and keeps, per code, whether the partner is
active: a consent is given to an agency of intake's own directory or to an active
partner organisation (``IntakeApplication.give_consent``).

A platform where referrals has not run yet knows no partner: consents to intake's
own agencies still work, consents to partners wait for referrals' facts.
"""
from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import event_type

from services.intake.domain.partner import PartnerOrganisation

REGISTERED = event_type("referrals", "partner-registered", 1)
CHANGED = event_type("referrals", "partner-changed", 1)
DEACTIVATED = event_type("referrals", "partner-deactivated", 1)


class PartnerOrganisations:
    """Mixed into the intake application (a ServiceApplication)."""

    def partner_policies(self):
        return {REGISTERED: self.note_partner, CHANGED: self.note_partner, DEACTIVATED: self.note_partner}

    def note_partner(self, event: dict, processing: ProcessingEvent) -> None:
        """Registered or changed: active (a change describes the partner whole, and an
        unknown one is learnt from it); deactivated: no longer active."""
        code = event["data"]["code"]
        active = event["type"] != DEACTIVATED
        try:
            partner = self.aggregate_in(processing, PartnerOrganisation.create_id(code))
        except AggregateNotFoundError:
            if active:
                processing.collect_events(PartnerOrganisation(code=code))
            return
        if partner.note_active(active):
            processing.collect_events(partner)

    def is_active_partner(self, code: str) -> bool:
        try:
            return self.repository.get(PartnerOrganisation.create_id(code)).active
        except AggregateNotFoundError:
            return False
