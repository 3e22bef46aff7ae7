"""A partner organisation as intake knows it: enough to accept a consent naming it.

The partner directory is the referrals service's (it registers, changes and
deactivates partners); intake keeps a copy of which codes are partners and which of
them are active, learnt from referrals' published facts (services/intake/partners.py).
"""
from __future__ import annotations

import uuid

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

from services.intake.domain.agency import NAMESPACE


class PartnerOrganisation(ServiceAggregate):
    """One partner organisation, by its code: active or deactivated."""

    @staticmethod
    def create_id(code: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"partner:{code}")

    @event("Noted")
    def __init__(self, code: str):
        self.code = code
        self.active = True

    def note_active(self, active: bool) -> bool:
        """Whether anything changed."""
        if self.active == active:
            return False
        self._active_noted(active=active)
        return True

    @event("ActiveNoted")
    def _active_noted(self, active: bool):
        self.active = active
