"""Guidance reads the family's consent from intake's consent-given.v2 (WAVE2 18:
consumers first), alone or beside v1."""
import pytest

from services.guidance.application import GuidanceApplication
from shared.config import DEPLOY_DIR
from shared.contracts import event_type
from shared.domain import NotPermitted
from tests.support.fakes import IN_MEMORY, Link, intake as new_intake
from tests.support.samples import WORKER
from tests.unit.guidance.world import NOW, accepted_client


@pytest.mark.parametrize("v1_too", [False, True], ids=["v2 alone", "v2 and v1"])
def test_the_family_s_consent_given_in_v2_allows_contacts_until_withdrawn(clock, v1_too):
    intake = new_intake()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
    link = Link(guidance, intake, "intake")
    if not v1_too:
        link.follower.policies = {t: p for t, p in guidance.reactions().items()
                                  if t != event_type("intake", "consent-given", 1)}
    world = (intake, guidance, link.deliver)
    client_id = accepted_client(world)
    member = guidance.add_network_member(WORKER, client_id, "partner", "Amina")
    intake.give_consent(WORKER, client_id, "family", "family_involvement", ["trajectory_summary"])
    link.deliver()
    guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "phone", "talked about return")
    intake.withdraw_consent(WORKER, client_id, "family", "family_involvement")
    link.deliver()
    with pytest.raises(NotPermitted):
        guidance.record_network_contact(WORKER, client_id, member, NOW.date(), "visit")
