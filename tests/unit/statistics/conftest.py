import pytest

from tests.unit.statistics.world import World


@pytest.fixture
def world():
    return World()
