"""The partner organisations intake learns from the referrals service, for tests
where referrals does not run: hand-made ``partner-*`` facts of referrals' published
contract, signed with referrals' event key as its relay signs them, delivered
through intake's real follower of the ``referrals`` feed."""
from __future__ import annotations

import datetime as dt
import json
import uuid

from shared import keys, signing
from shared.config import DEPLOY_DIR
from shared.contracts import encode, envelope, event_type
from shared.follower import Follower

SAMPLE_PARTNERS = DEPLOY_DIR / "referrals" / "sample-partners.json"


def sample_partners() -> list[dict]:
    loaded = json.loads(SAMPLE_PARTNERS.read_text())
    return loaded if isinstance(loaded, list) else loaded["partners"]


def description(partner: dict) -> dict:
    """What partner-registered.v1 and partner-changed.v1 carry of a partner."""
    names = ("code", "name", "kind", "agency", "domains", "languages", "channel", "typical_wait_days")
    return {name: partner.get(name) for name in names}


class ReferralsFeed:
    """Referrals' feed as intake's follower receives it, written by hand."""

    def __init__(self, intake):
        self.intake = intake
        self.dead_letters: list = []
        self.follower = Follower(intake, intake.service_name, "referrals", intake.reactions(),
                                 pull=lambda after, until: [],
                                 dead_letter=lambda body, reason: self.dead_letters.append(reason))
        self.position = intake.position_of("referrals")
        self.key = keys.signing_key(keys.events_key_name("referrals"))

    def publish(self, fact: str, data: dict) -> str:
        """Deliver one ``be.jww.referrals.<fact>.v1`` about partner ``data['code']``."""
        prev, self.position = self.position, self.position + 1
        event = signing.sign(envelope(
            service="referrals", type_=event_type("referrals", fact, 1), subject=data["code"],
            time=dt.datetime.now(dt.timezone.utc), data=data, position=self.position, prev_position=prev,
            aggregate_id=uuid.uuid5(uuid.NAMESPACE_URL, f"partner:{data['code']}"),
            aggregate_version=self.position, agency=data.get("agency"), actor="coordinator-1",
            actor_role="coordinator",
        ), self.key)
        return self.follower.receive(encode(event))

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
