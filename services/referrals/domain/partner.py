"""The partner directory: the specialised services the agencies refer to.

A partner is described once and may be described anew (its code stays); a
deactivated partner takes no new referrals, while those already in its hands go
on. Every change is published: intake and the sharing follow the directory."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.domain import NotNow, NotPermitted, ServiceAggregate

from services.referrals.domain.ids import derived_id

# A partner with this channel answers on the platform itself, through its own users
# (role "partner"); for any other, agency staff record what the partner answered.
ON_THE_PLATFORM = "platform"


class PartnerDeactivated(NotNow):
    def __init__(self, code: str):
        super().__init__("this partner was deactivated: it takes no new referrals",
                         {"partner": [f"{code} is deactivated"]})


class PartnerAnswersItself(NotPermitted):
    """Staff record a partner's answers only for a partner that does not answer on
    the platform: one that does records them itself, as who acted."""

    def __init__(self, code: str):
        super().__init__("this partner answers on the platform: its own users record its steps",
                         {"step": [f"recorded by {code}'s users"]})


def _by(actor: dict | None) -> dict:
    return {"by": actor["user_id"] if actor else None, "by_role": actor["role"] if actor else None}


class Partner(ServiceAggregate):
    """A specialised service the agencies refer to."""

    @staticmethod
    def create_id(code: str) -> UUID:
        return derived_id("partner", code)

    @classmethod
    def register(cls, description: dict, sample: bool = False, registered_by: dict | None = None) -> Partner:
        """``registered_by`` is none for the sample file loaded at first start."""
        return cls(**description, sample=sample, **_by(registered_by))

    @event("Registered")
    def __init__(
        self, code: str, name: str, kind: str, agency: str | None, domains: list[str], languages: list[str],
        channel: str, typical_wait_days: int, sample: bool, by: str | None, by_role: str | None,
    ):
        self.code, self.sample, self.active = code, sample, True
        self._describe(name, kind, agency, domains, languages, channel, typical_wait_days)

    def _describe(self, name, kind, agency, domains, languages, channel, typical_wait_days) -> None:
        self.name, self.kind, self.agency = name, kind, agency
        self.domains, self.languages = list(domains), list(languages)
        self.channel, self.typical_wait_days = channel, typical_wait_days

    @property
    def answers_on_the_platform(self) -> bool:
        return self.channel == ON_THE_PLATFORM

    def expect_active(self) -> None:
        """A new referral goes only to an active partner."""
        if not self.active:
            raise PartnerDeactivated(self.code)

    def change(self, description: dict, changed_by: dict) -> None:
        """Describe the partner anew, whole; a deactivated one is no longer described."""
        self.expect_active()
        self._changed(**{**description, "code": self.code}, **_by(changed_by))

    @event("Changed")
    def _changed(
        self, code: str, name: str, kind: str, agency: str | None, domains: list[str], languages: list[str],
        channel: str, typical_wait_days: int, by: str | None, by_role: str | None,
    ):
        self._describe(name, kind, agency, domains, languages, channel, typical_wait_days)

    def deactivate(self, deactivated_by: dict) -> None:
        self.expect_active()
        self._deactivated(code=self.code, **_by(deactivated_by))

    @event("Deactivated")
    def _deactivated(self, code: str, by: str | None, by_role: str | None):
        self.active = False
