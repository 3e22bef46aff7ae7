import pytest

from services.guidance.application import GuidanceApplication
from shared.config import DEPLOY_DIR
from tests.support.fakes import IN_MEMORY, Clock, Link, intake as new_intake
from tests.unit.guidance.world import NOW


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def world(clock):
    """(intake, guidance, deliver): guidance follows intake; ``deliver()`` hands over what intake published."""
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
    link = Link(guidance, intake, "intake")
    return intake, guidance, link.deliver
