"""Accounts in memory on a clock the test moves, following intake's sample directory."""
import datetime as dt

import pytest

from shared.config import DEPLOY_DIR
from tests.support import fakes
from tests.support.fakes import Clock, Link

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(clock):
    """(intake, accounts, the link that delivers intake's facts to accounts)."""
    intake = fakes.intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    accounts = fakes.accounts(clock)
    link = Link(accounts, intake, "intake")
    link.deliver()
    return intake, accounts, link
