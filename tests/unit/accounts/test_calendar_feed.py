"""A person's calendar feed address (issue 20): off until turned on; a secret of 256
bits kept as a digest only; renewing it or turning it off makes the old address
answer not found at once; a deactivated account's feed opens nothing."""
import logging
import re

import pytest

from services.accounts.calendar_feed import CalendarFeed
from services.accounts.domain import Account
from shared.contracts import accounts as contracts
from shared.errors import NotFound
from tests.support.declarations import event_fields

JURIST = {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}


def _secret(answer: dict) -> str:
    (secret,) = re.fullmatch(r"/calendar/([A-Za-z0-9_-]+)\.ics", answer["path"]).groups()
    return secret


def test_off_until_turned_on_then_the_address_opens_the_person_s_feed(world):
    _, accounts, _ = world
    assert accounts.find(Account.create_id("sab-jur-1")).calendar_feed is None
    answer = accounts.calendar_feeds.turn_on(JURIST)
    assert contracts.CalendarFeedAnswer().load(answer) == answer and answer["calendar_feed"] is True
    secret = _secret(answer)
    assert len(secret) >= 43  # 32 random bytes, base64url: 256 bits
    owner = accounts.calendar_feeds.owner(secret)
    assert owner["actor"] == JURIST and len(owner["alias_key"]) == 64
    with pytest.raises(NotFound):
        accounts.calendar_feeds.owner(secret[:-2] + "xx")


def test_only_a_digest_of_the_secret_is_stored(world):
    _, accounts, _ = world
    secret = _secret(accounts.calendar_feeds.turn_on(JURIST))
    stored = b"".join(n.state for n in accounts.recorder.select_notifications(1, 10_000))
    assert secret.encode() not in stored


def test_renewing_refuses_the_old_address_and_keeps_the_aliases(world):
    _, accounts, _ = world
    old = _secret(accounts.calendar_feeds.turn_on(JURIST))
    key = accounts.calendar_feeds.owner(old)["alias_key"]
    new = _secret(accounts.calendar_feeds.turn_on(JURIST))
    assert new != old
    with pytest.raises(NotFound):
        accounts.calendar_feeds.owner(old)
    assert accounts.calendar_feeds.owner(new)["alias_key"] == key


def test_turning_it_off_refuses_the_address_and_turning_on_again_gives_a_new_one(world):
    _, accounts, _ = world
    old = _secret(accounts.calendar_feeds.turn_on(JURIST))
    assert accounts.calendar_feeds.turn_off(JURIST) == {"calendar_feed": False, "path": None}
    with pytest.raises(NotFound):
        accounts.calendar_feeds.owner(old)
    assert accounts.calendar_feeds.turn_off(JURIST)["calendar_feed"] is False  # off again: nothing to do
    new = _secret(accounts.calendar_feeds.turn_on(JURIST))
    assert accounts.calendar_feeds.owner(new)["actor"] == JURIST


def test_a_deactivated_member_s_address_opens_nothing(world):
    intake, accounts, link = world
    secret = _secret(accounts.calendar_feeds.turn_on(JURIST))
    intake.set_staff_member_active({"user_id": "ops", "role": "admin", "agency": "platform"}, "sab", "sab-jur-1",
                                   False)
    link.deliver()
    with pytest.raises(NotFound):
        accounts.calendar_feeds.owner(secret)


def test_a_read_is_logged_without_the_secret(world, caplog):
    _, accounts, _ = world
    secret = _secret(accounts.calendar_feeds.turn_on(JURIST))
    with caplog.at_level(logging.INFO):
        accounts.calendar_feeds.owner(secret)
    (read,) = [r for r in caplog.records if r.getMessage() == "calendar feed read"]
    assert read.actor == "sab-jur-1" and secret not in str(read.__dict__)


def test_each_event_is_its_declaration():
    assert event_fields(Account.CalendarFeedOpened) == set(contracts.CalendarFeedTurnedOn._declared_fields)
    assert event_fields(Account.CalendarFeedClosed) == set(contracts.CalendarFeedTurnedOff._declared_fields)
    assert event_fields(CalendarFeed.Opened) == set(contracts.CalendarFeedAddress._declared_fields)
    assert event_fields(CalendarFeed.Revoked) == set(contracts.CalendarFeedRevocation._declared_fields)
