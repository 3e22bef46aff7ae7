"""The partner organisations intake learns from the referrals service, for tests
where referrals does not run: hand-made ``partner-*`` facts (tests/support/feeds.py)."""
from __future__ import annotations

import json
import uuid

from shared.config import DEPLOY_DIR
from tests.support.feeds import UpstreamFeed

SAMPLE_PARTNERS = DEPLOY_DIR / "referrals" / "sample-partners.json"


def sample_partners() -> list[dict]:
    loaded = json.loads(SAMPLE_PARTNERS.read_text())
    return loaded if isinstance(loaded, list) else loaded["partners"]


def description(partner: dict) -> dict:
    """What partner-registered.v1 and partner-changed.v1 carry of a partner."""
    names = ("code", "name", "kind", "agency", "domains", "languages", "channel", "typical_wait_days")
    return {name: partner.get(name) for name in names}


class ReferralsFeed(UpstreamFeed):
    """Referrals' feed as intake's follower receives it, written by hand."""

    def __init__(self, intake):
        super().__init__(intake, "referrals")

    def publish(self, fact: str, data: dict) -> str:
        """Deliver one ``be.jww.referrals.<fact>.v1`` about partner ``data['code']``."""
        return super().publish(fact, data, subject=data["code"],
                               aggregate_id=uuid.uuid5(uuid.NAMESPACE_URL, f"partner:{data['code']}"),
                               agency=data.get("agency"))

    def registered(self, partner: dict) -> str:
        return self.publish("partner-registered", description(partner))

    def changed(self, partner: dict) -> str:
        return self.publish("partner-changed", description(partner))

    def deactivated(self, code: str) -> str:
        return self.publish("partner-deactivated", {"code": code})


def know_sample_partners(intake) -> None:
    """Intake as after referrals' first start: every sample partner registered."""
    feed = ReferralsFeed(intake)
    for partner in sample_partners():
        assert feed.registered(partner) == "applied", feed.dead_letters
