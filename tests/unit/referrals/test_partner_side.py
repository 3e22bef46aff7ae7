"""A partner organisation's own users act on the referrals sent to it: they see
what the client's consent allows, record the partner's side of the lifecycle as
who acted, add notes; anything else is refused and put on the access log under the
referral's client. Through the RPC entrypoints, as nameko calls them."""
from types import SimpleNamespace

import pytest

from services.referrals.service import ReferralsService
from shared import access_log
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.outbox import Outbox
from tests.support.samples import WORKER

TRANSIT = {"user_id": "transit-1", "role": "partner", "agency": "transit"}
CASMD = {"user_id": "casmd-1", "role": "partner", "agency": "casmd"}


@pytest.fixture
def call(world):
    service = SimpleNamespace(app=world.referrals, name="referrals")

    def call(rpc: str, actor: dict, **payload):
        return getattr(ReferralsService, rpc)(service, {"actor": actor, **payload})

    return call


def referral_to(world, call, partner: str, client_id=None, send: bool = True) -> tuple[str, str]:
    """A referral of a client (who consented to ``partner``) proposed, and sent."""
    client_id = client_id or world.accepted_client()
    world.consent(client_id, partner)
    referral = call("propose_referral", WORKER, client_id=str(client_id), partner=partner, domains=["addiction"],
                    reason="support with use")["referral_id"]
    if send:
        call("record_referral_step", WORKER, referral_id=referral, step="sent")
    return str(client_id), referral


def refusals(world) -> list[tuple]:
    return [(str(e.client_id), e.actor, e.role, e.what, e.rule)
            for e in world.referrals.stored(access_log.AccessRefused.Recorded)]


def reads(world) -> list[tuple]:
    return [(str(e.client_id), e.reader, e.role, e.agency, e.query)
            for e in world.referrals.stored(access_log.FileRead.Recorded)]


def test_a_partner_sees_only_the_referrals_sent_to_its_organisation(world, call):
    client, sent = referral_to(world, call, "transit")
    _, proposed_only = referral_to(world, call, "transit", send=False)
    _, elsewhere = referral_to(world, call, "casmd")
    listed = call("partner_referrals", TRANSIT)
    assert [r["referral_id"] for r in listed] == [sent]
    (shown,) = listed
    assert (shown["client_id"], shown["agency"], shown["state"], shown["domains"]) == (client, "apo", "sent",
                                                                                      ["addiction"])
    assert [s["state"] for s in shown["steps"]] == ["proposed", "sent"]
    assert [r["referral_id"] for r in call("partner_referrals", CASMD)] == [elsewhere]
    assert proposed_only not in {r["referral_id"] for r in call("partner_referrals", TRANSIT)}


def test_the_reason_and_the_client_are_shown_only_under_the_clients_consent(world, call):
    client, referral = referral_to(world, call, "transit")
    shown = call("partner_referral", TRANSIT, referral_id=referral)
    assert shown["consent_in_force"] is True and shown["reason"] == "support with use"
    assert shown["client"] == {"languages": ["fr", "ar"], "preferred_language": "ar"}
    world.intake.withdraw_consent(WORKER, client, "transit", "referral")
    world.sync()
    shown = call("partner_referral", TRANSIT, referral_id=referral)
    assert shown["consent_in_force"] is False and shown["consent_withdrawn"] is True
    assert shown["reason"] is shown["client"] is shown["notes"] is None
    # What the referral's handling is stays shown: whose, where it stands, when.
    assert shown["client_id"] == client and shown["state"] == "sent" and shown["sent_at"]


def test_each_read_by_a_partner_is_on_the_access_log(world, call):
    client, referral = referral_to(world, call, "transit")
    call("partner_referrals", TRANSIT)
    call("partner_referral", TRANSIT, referral_id=referral)
    assert [r for r in reads(world) if r[1] == "transit-1"] == [
        (client, "transit-1", "partner", "transit", "partner_referrals"),
        (client, "transit-1", "partner", "transit", "partner_referral")]


def test_another_organisations_referral_is_refused_and_the_attempt_recorded(world, call):
    client, referral = referral_to(world, call, "transit")
    for rpc, extra in (("partner_referral", {}), ("record_partner_step", {"step": "acknowledged"}),
                       ("add_partner_note", {"note": "hello"})):
        with pytest.raises(Forbidden):
            call(rpc, CASMD, referral_id=referral, **extra)
    assert refusals(world) == [
        (client, "casmd-1", "partner", "partner_referral", "agency"),
        (client, "casmd-1", "partner", "record_partner_step", "agency"),
        (client, "casmd-1", "partner", "add_partner_note", "agency")]
    assert call("partner_referral", TRANSIT, referral_id=referral)["state"] == "sent"


def test_a_referral_proposed_but_not_sent_is_not_the_partners_yet(world, call):
    client, referral = referral_to(world, call, "transit", send=False)
    with pytest.raises(Forbidden) as refused:
        call("record_partner_step", TRANSIT, referral_id=referral, step="acknowledged")
    assert refused.value.message == "this referral is not addressed to your organisation"
    with pytest.raises(Forbidden):
        call("partner_referral", TRANSIT, referral_id=referral)
    assert [r[3:] for r in refusals(world)] == [("record_partner_step", "not_sent"), ("partner_referral", "not_sent")]
    assert {r[0] for r in refusals(world)} == {client}


def test_the_partner_records_its_side_in_the_lifecycles_order_as_who_acted(world, call):
    _, referral = referral_to(world, call, "transit")
    with pytest.raises(Conflict) as out_of_order:
        call("record_partner_step", TRANSIT, referral_id=referral, step="accepted")
    assert out_of_order.value.details == {"step": ["the referral is sent; next can be: acknowledged"]}
    with pytest.raises(InvalidInput) as not_its_side:
        call("record_partner_step", TRANSIT, referral_id=referral, step="sent")
    assert list(not_its_side.value.details) == ["step"]
    with pytest.raises(InvalidInput) as no_outcome:
        call("record_partner_step", TRANSIT, referral_id=referral, step="completed")
    assert list(no_outcome.value.details) == ["outcome"]
    for step in ("acknowledged", "accepted", "started"):
        assert call("record_partner_step", TRANSIT, referral_id=referral, step=step)["state"] == step
    call("record_partner_step", TRANSIT, referral_id=referral, step="completed", outcome="effective")
    shown = call("partner_referral", TRANSIT, referral_id=referral)
    assert shown["state"] == "completed"
    assert [(s["state"], s["by"], s["by_role"]) for s in shown["steps"]][2:] == [
        ("acknowledged", "transit-1", "partner"), ("accepted", "transit-1", "partner"),
        ("started", "transit-1", "partner"), ("completed", "transit-1", "partner")]
    assert shown["steps"][-1]["outcome"] == "effective"
    published = [e for e in Outbox(world.referrals).read(0, 1000) if e["type"].endswith("referral-step-recorded.v1")]
    assert [(e["data"]["step"], e["jwwactor"], e["jwwactorrole"]) for e in published][-2:] == [
        ("started", "transit-1", "partner"), ("completed", "transit-1", "partner")]


def test_a_partner_may_not_act_as_the_agencys_staff(world, call):
    client, referral = referral_to(world, call, "transit")
    with pytest.raises(Forbidden):
        call("record_referral_step", TRANSIT, referral_id=referral, step="acknowledged")
    with pytest.raises(Forbidden):
        call("referral_history", TRANSIT, client_id=client)
    with pytest.raises(Forbidden):
        call("add_referral_note", TRANSIT, referral_id=referral, note="x")
    assert [r[1:4] for r in refusals(world)] == [
        ("transit-1", "partner", "record_referral_step"), ("transit-1", "partner", "referral_history"),
        ("transit-1", "partner", "add_referral_note")]


def test_staff_record_the_answers_only_of_a_partner_that_does_not_answer_on_the_platform(world, call):
    _, by_phone = referral_to(world, call, "transit")  # Transit takes referrals by phone too
    assert call("record_referral_step", WORKER, referral_id=by_phone, step="acknowledged")["state"] == "acknowledged"
    _, on_the_platform = referral_to(world, call, "casmd")
    with pytest.raises(Forbidden) as refused:
        call("record_referral_step", WORKER, referral_id=on_the_platform, step="acknowledged")
    assert refused.value.details == {"step": ["recorded by casmd's users"]}
    assert call("record_partner_step", CASMD, referral_id=on_the_platform, step="acknowledged")["state"] == (
        "acknowledged")


def test_the_partner_and_the_agency_add_notes_each_sees(world, call):
    client, referral = referral_to(world, call, "transit")
    assert call("add_partner_note", TRANSIT, referral_id=referral, note="first meeting on Monday")["notes"] == 1
    assert call("add_referral_note", WORKER, referral_id=referral, note="she will come")["notes"] == 2
    notes = call("partner_referral", TRANSIT, referral_id=referral)["notes"]
    assert [(n["by"], n["by_role"], n["note"]) for n in notes] == [
        ("transit-1", "partner", "first meeting on Monday"), ("apo-sa-1", "social_assistant", "she will come")]
    (history,) = call("referral_history", WORKER, client_id=client)
    assert [n["note"] for n in history["notes"]] == ["first meeting on Monday", "she will come"]
    published = [e for e in Outbox(world.referrals).read(0, 1000) if e["type"].endswith("referral-note-added.v1")]
    assert [e["jwwactorrole"] for e in published] == ["partner", "social_assistant"]
    assert all("Monday" not in str(e) for e in published)  # the words stay here
