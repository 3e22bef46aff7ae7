"""The RPC edge: the aggregates' refusals reach a caller with the codes, messages
and field details they had before the rules moved into the aggregates."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.referrals.service import ReferralsService
from shared.errors import Conflict, Forbidden, NotFound
from tests.support.samples import WORKER
from tests.unit.referrals.world import NOW


@pytest.fixture
def call(world):
    service = SimpleNamespace(app=world.referrals)

    def call(rpc: str, **payload):
        return getattr(ReferralsService, rpc)(service, {"actor": WORKER, **payload})

    return call


def test_lifecycle_refusals_keep_their_codes(world, call):
    client_id = str(world.accepted_client())
    referral = call("propose_referral", client_id=client_id, partner="transit", domains=["addiction"], reason="r")
    with pytest.raises(Conflict) as illegal:
        call("record_referral_step", **referral, step="accepted")
    assert illegal.value.message == "a referral that is proposed cannot become accepted"
    assert illegal.value.details == {"step": ["the referral is proposed; next can be: sent"]}
    with pytest.raises(Forbidden) as no_consent:
        call("record_referral_step", **referral, step="sent")
    assert no_consent.value.message == (
        "the client has not consented to share their data with this partner for a referral")
    world.consent(client_id, "transit")
    assert call("record_referral_step", **referral, step="sent") == {**referral, "state": "sent"}
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    with pytest.raises(Forbidden) as withdrawn:
        call("record_referral_step", **referral, step="acknowledged")
    assert withdrawn.value.details == {"consent": ["withdrawn for recipient transit"]}


def test_coordination_refusals_keep_their_codes(world, call):
    client_id = str(world.accepted_client())
    today = NOW.date().isoformat()
    with pytest.raises(NotFound) as no_actor:
        call("remove_coordination_actor", client_id=client_id, actor_id="nobody")
    assert (no_actor.value.message, no_actor.value.details) == (
        "no such actor in the coordination plan", {"actor_id": ["nobody"]})
    with pytest.raises(Conflict) as future:
        call("hold_case_conference", client_id=client_id, on=(NOW.date() + dt.timedelta(days=1)).isoformat(),
             participants=["a", "b"], decisions=["d"])
    assert future.value.details == {"on": ["is in the future"]}
    conference = call("hold_case_conference", client_id=client_id, on=today, participants=["a", "b"],
                      decisions=["d"], actions=[{"action": "x", "owner": "a", "due": today}])
    assert call("complete_conference_action", **conference, index=0, on=today) == {**conference, "index": 0}
    with pytest.raises(Conflict) as again:
        call("complete_conference_action", **conference, index=0, on=today)
    assert (again.value.message, again.value.details) == ("this action is already done", {"index": ["0"]})
    with pytest.raises(NotFound) as no_action:
        call("complete_conference_action", **conference, index=1, on=today)
    assert no_action.value.details == {"index": ["the conference has 1 actions"]}
