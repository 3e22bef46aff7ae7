"""After a transfer, the old agency no longer acts on the client's referrals (issue 16,
item 5): referrals follows ``client-transferred`` and checks it on every step."""
import pytest

from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import OTHER_AGENCY


def transferred_with_a_referral(world):
    client_id = world.accepted_client(languages=["nl", "fr"], preferred_language="nl")
    world.consent(client_id, "projet-lama")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    world.referrals.record_step(WORKER, referral_id, "sent")
    world.intake.give_consent(WORKER, client_id, "dsr", "transfer", ["identity"])
    world.intake.transfer(COORDINATOR, client_id, "dsr", "dsr-sa-1")
    world.sync()
    return client_id, referral_id


def test_before_a_transfer_the_agency_acts_on_its_referral(world):
    client_id = world.accepted_client()
    world.consent(client_id, "projet-lama")
    referral_id = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    assert world.referrals.record_step(WORKER, referral_id, "sent") == "sent"


def test_after_a_transfer_the_old_agency_no_longer_acts_on_the_client_s_referrals(world):
    client_id, referral_id = transferred_with_a_referral(world)
    for act in (lambda: world.referrals.record_step(WORKER, referral_id, "acknowledged"),
                lambda: world.referrals.add_note(WORKER, referral_id, "called them"),
                lambda: world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "again")):
        with pytest.raises(Forbidden) as refused:
            act()
        assert refused.value.message == "this client is guided by another agency"
    # Nor does the new agency act on what the old one made: it proposes its own.
    with pytest.raises(Forbidden):
        world.referrals.record_step(OTHER_AGENCY, referral_id, "acknowledged")
    assert world.referrals.propose_referral(OTHER_AGENCY, client_id, "projet-lama", ["addiction"], "follow-up")
