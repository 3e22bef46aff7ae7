import pytest

from tests.support.fakes import Clock
from tests.unit.referrals.world import NOW, World


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(clock):
    return World(clock)
