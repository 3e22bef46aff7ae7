"""The partner learns of a referral's corrections (issue 20) through its feed: a
cancellation, a reopening and a withdrawal reach the feed of the partner the
referral is addressed to, under the client's consent to it, that it happened and
from which state sealed in the referrals block; why never leaves referrals. No
consent in force, nothing told."""
import json

import pytest

from shared import recipients
from tests.support.samples import WORKER
from tests.unit.sharing.test_feeds import ORGANISATIONS, World, types

CORRECTIONS = ["referrals.referral-cancelled.v1", "referrals.referral-reopened.v1", "referrals.referral-withdrawn.v1"]


@pytest.fixture(scope="module", autouse=True)
def organisation_keys():
    recipients.ensure_development_keys(ORGANISATIONS)


@pytest.fixture
def world():
    return World()


def corrected(world, client_id, partner="transit"):
    """One referral cancelled once sent, one reopened after a drop-out and withdrawn."""
    app = world.referrals
    cancelled = app.propose_referral(WORKER, client_id, partner, ["addiction"], "a day programme")
    app.record_step(WORKER, cancelled, "sent")
    app.corrections.cancel(WORKER, cancelled, "Zq8 proposed for the wrong person")
    again = app.propose_referral(WORKER, client_id, partner, ["addiction"], "support with use")
    for step in ("sent", "acknowledged", "accepted", "started"):
        app.record_step(WORKER, again, step)
    app.record_step(WORKER, again, "dropped_out", "moved")
    app.corrections.reopen(WORKER, again, "Zq8 back in Brussels")
    app.record_step(WORKER, again, "accepted")
    app.corrections.withdraw(WORKER, again, "Zq8 found help elsewhere")
    world.sync()
    return cancelled, again


def test_the_partner_s_feed_receives_each_correction_sealed_to_it_without_the_reason(world):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["referrals"])
    world.sync()
    cancelled, again = corrected(world, client_id)
    feed = world.feed("transit")
    assert [t for t in types(feed) if t in CORRECTIONS] == CORRECTIONS
    assert [e["data"]["sequence"] for e in feed] == list(range(1, len(feed) + 1))
    cancellation, reopening, withdrawal = (next(e for e in feed if e["type"] == f"be.jww.share.{t}")
                                           for t in CORRECTIONS)
    for entry, referral_id in ((cancellation, cancelled), (reopening, again), (withdrawal, again)):
        assert entry["subject"] == str(client_id) and entry["data"]["purposes"] == ["referral"]
        assert entry["data"]["fields"] == {"client_id": str(client_id), "referral_id": str(referral_id),
                                           "agency": "apo"}
    assert cancellation["opened"] == {"referrals": {"partner": "transit", "from_state": "sent"}}
    assert reopening["opened"] == {"referrals": {"partner": "transit", "state": "acknowledged"}}
    assert withdrawal["opened"] == {"referrals": {"partner": "transit", "from_state": "accepted"}}
    assert "Zq8" not in json.dumps(feed)  # why stays with referrals
    assert world.feed("dsr") == [] and world.feed("sab") == []


def test_another_partner_s_corrections_and_those_without_a_consent_in_force_are_not_told(world):
    client_id = world.accepted_client()
    world.intake.give_consent(WORKER, client_id, "transit", "referral", ["referrals"])
    world.intake.give_consent(WORKER, client_id, "de-sleutel", "referral", ["referrals"])
    world.sync()
    corrected(world, client_id, "de-sleutel")
    assert not set(types(world.feed("transit"))) & set(CORRECTIONS)  # addressed to another partner
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    before = world.feed("transit")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    world.referrals.corrections.cancel(WORKER, referral_id, "the consent was withdrawn")
    world.sync()
    assert world.feed("transit") == before  # nothing more goes to it
