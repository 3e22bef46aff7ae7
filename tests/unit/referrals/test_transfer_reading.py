"""What each agency reads of a client's referrals after a transfer (issue 16, item 5):
the agency the client left, its own referrals' history only; the agency that
received the client, the earlier ones only in the categories of the transfer consent."""
import pytest

from shared import access_log
from shared.consented import NOT_CONSENTED, uncategorised
from shared.contracts.referrals_answers import ReferralHistoryEntry
from shared.errors import Forbidden
from tests.support.samples import COORDINATOR, WORKER

SAB_WORKER = {"user_id": "sab-sa-1", "role": "social_assistant", "agency": "sab"}
DSR_WORKER = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}


def transferred(world, categories):
    """apo refers the client to projet-lama, then transfers them to sab, which refers them too."""
    client_id = world.accepted_client(languages=["fr", "ar"], preferred_language="fr")
    world.consent(client_id, "projet-lama")
    apo_s = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use of cocaine")
    world.referrals.record_step(WORKER, apo_s, "sent")
    world.intake.give_consent(WORKER, client_id, "sab", "transfer", list(categories))
    world.sync()
    world.intake.transfer(COORDINATOR, client_id, "sab", "sab-sa-1")
    world.sync()
    sab_s = world.referrals.propose_referral(SAB_WORKER, client_id, "projet-lama", ["addiction"], "follow-up")
    return client_id, apo_s, sab_s


def test_the_old_agency_reads_its_own_referrals_only(world):
    client_id, apo_s, _ = transferred(world, ["identity", "referrals"])
    (own,) = world.referrals.referral_history(WORKER, client_id)
    assert own["referral_id"] == str(apo_s) and own["reason"] == "use of cocaine" and own["state"] == "sent"
    assert own["withheld"] == {}
    assert ReferralHistoryEntry().validate(own) == {}


def test_the_new_agency_reads_the_earlier_referrals_in_the_consented_categories(world):
    client_id, apo_s, sab_s = transferred(world, ["identity", "help_request"])
    earlier, own = world.referrals.referral_history(SAB_WORKER, client_id)
    assert earlier["referral_id"] == str(apo_s)
    assert (earlier["partner"], earlier["reason"], earlier["state"], earlier["history"]) == (None, None, None, None)
    assert earlier["withheld"]["reason"] == NOT_CONSENTED and earlier["withheld"]["history"] == NOT_CONSENTED
    assert (own["referral_id"], own["reason"], own["withheld"]) == (str(sab_s), "follow-up", {})
    for entry in (earlier, own):
        assert ReferralHistoryEntry().validate(entry) == {}


def test_consented_referrals_are_read_whole(world):
    client_id, _, _ = transferred(world, ["identity", "referrals"])
    earlier, _ = world.referrals.referral_history(SAB_WORKER, client_id)
    assert (earlier["reason"], earlier["state"], earlier["withheld"]) == ("use of cocaine", "sent", {})


def test_an_agency_the_client_never_was_with_reads_nothing(world):
    client_id, _, _ = transferred(world, ["identity"])
    with pytest.raises(Forbidden):
        world.referrals.referral_history(DSR_WORKER, client_id)


def test_each_read_is_on_the_access_log(world):
    client_id, _, _ = transferred(world, ["identity"])
    world.referrals.referral_history(WORKER, client_id)
    world.referrals.referral_history(SAB_WORKER, client_id)
    reads = [(e.agency, e.query) for e in world.referrals.stored(access_log.FileRead.Recorded)]
    assert reads[-2:] == [("apo", "referral_history"), ("sab", "referral_history")]


def test_every_field_of_a_referral_s_history_declares_its_category():
    assert uncategorised(ReferralHistoryEntry) == []
