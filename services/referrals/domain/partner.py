"""The partner directory: the specialised services the agencies refer to."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.domain import ServiceAggregate

from services.referrals.domain.ids import derived_id


class Partner(ServiceAggregate):
    """A specialised service the agencies refer to."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return derived_id("partner", code)

    @event("Registered")
    def __init__(
        self, code: str, name: str, kind: str, agency: str | None, domains: list[str], languages: list[str],
        channel: str, typical_wait_days: int, sample: bool,
    ):
        self.code, self.name, self.kind, self.agency = code, name, kind, agency
        self.domains, self.languages = list(domains), list(languages)
        self.channel, self.typical_wait_days, self.sample = channel, typical_wait_days, sample
