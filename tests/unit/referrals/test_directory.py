"""The partner directory kept over the API: who may keep it, what a description
must be, what a deactivated partner no longer takes, and the facts intake and the
sharing follow. Through the RPC entrypoints, as nameko calls them."""
from types import SimpleNamespace

import pytest

from services.referrals.service import ReferralsService
from shared.contracts import CATALOGUE
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.partners import sample_partners
from tests.support.samples import COORDINATOR, WORKER

ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}
DESK = {"code": "debt-desk", "name": "Debt desk (test)", "kind": "debt_mediation", "agency": None,
        "domains": ["income_debts"], "languages": ["fr", "nl"], "channel": "email", "typical_wait_days": 12}


@pytest.fixture
def call(world):
    service = SimpleNamespace(app=world.referrals, name="referrals")

    def call(rpc: str, actor: dict | None, **payload):
        return getattr(ReferralsService, rpc)(service, None if actor is None else {"actor": actor, **payload})

    return call


def directory_facts(world) -> list[dict]:
    return [e for e in Outbox(world.referrals).read(0, 1000) if ".partner-" in e["type"]]


def test_the_sample_directory_loaded_at_first_start_is_published_partner_by_partner(world):
    facts = directory_facts(world)
    assert [e["subject"] for e in facts] == [p["code"] for p in sample_partners()]
    assert {e["type"] for e in facts} == {"be.jww.referrals.partner-registered.v1"}
    transit = next(e for e in facts if e["subject"] == "transit")
    assert transit["data"] == {"code": "transit", "name": "Transit", "kind": "addiction", "agency": None,
                               "domains": ["addiction", "housing"], "languages": ["fr", "nl", "ar"],
                               "channel": "phone", "typical_wait_days": 3}
    assert transit.get("jwwactor") is None and transit.get("jwwagency") is None
    # A partner that is part of an agency (its psychologist) is published in that agency's name.
    assert next(e for e in facts if e["subject"] == "apo-psychologist")["jwwagency"] == "apo"


def test_a_coordinator_adds_changes_and_deactivates_a_partner_each_published(world, call):
    assert call("register_partner", COORDINATOR, **DESK) == {"code": "debt-desk", "active": True}
    assert "debt-desk" in {p["code"] for p in call("partners", None)}
    changed = {**DESK, "channel": "platform", "typical_wait_days": 20}
    assert call("change_partner", COORDINATOR, **changed) == {"code": "debt-desk", "active": True}
    assert call("deactivate_partner", ADMIN, code="debt-desk") == {"code": "debt-desk", "active": False}
    assert "debt-desk" not in {p["code"] for p in call("partners", None)}
    facts = [e for e in directory_facts(world) if e["subject"] == "debt-desk"]
    assert [(e["type"], e["data"], e["jwwactor"], e["jwwactorrole"]) for e in facts] == [
        ("be.jww.referrals.partner-registered.v1", DESK, "apo-coord", "coordinator"),
        ("be.jww.referrals.partner-changed.v1", changed, "apo-coord", "coordinator"),
        ("be.jww.referrals.partner-deactivated.v1", {"code": "debt-desk"}, "admin-1", "admin")]
    for e in facts:
        assert CATALOGUE[e["type"]]().validate(e["data"]) == {}


def test_intake_follows_the_directory_a_consent_needs_an_active_partner(world, call):
    call("register_partner", ADMIN, **DESK)
    world.sync()
    client_id = world.accepted_client()
    world.consent(client_id, "debt-desk")  # intake knows it: allowed
    call("deactivate_partner", ADMIN, code="debt-desk")
    world.sync()
    with pytest.raises(InvalidInput):
        world.intake.give_consent(WORKER, client_id, "debt-desk", "coordination", ["identity"])


def test_a_description_that_is_not_valid_is_refused_naming_each_field(call):
    bad = {**DESK, "code": "Not A Code", "kind": "", "domains": [], "languages": ["french"], "channel": "fax",
           "typical_wait_days": -1, "agency": 7}
    del bad["name"]
    with pytest.raises(InvalidInput) as refused:
        call("register_partner", ADMIN, **bad)
    assert set(refused.value.details) == {"code", "name", "kind", "domains", "languages.0", "channel",
                                          "typical_wait_days", "agency"}
    with pytest.raises(InvalidInput) as refused:
        call("change_partner", ADMIN, **{**DESK, "domains": ["nowhere"]})
    assert set(refused.value.details) == {"domains.0"}


def test_a_code_is_taken_once(call):
    with pytest.raises(Conflict) as taken:
        call("register_partner", ADMIN, **{**DESK, "code": "transit"})
    assert taken.value.details == {"code": ["transit is taken"]}
    with pytest.raises(NotFound) as unknown:
        call("change_partner", ADMIN, **{**DESK, "code": "nowhere"})
    assert unknown.value.details == {"partner": ["nowhere"]}


def test_only_coordinators_and_admins_keep_the_directory_an_agencys_own_partner_its_own(call):
    with pytest.raises(Forbidden):
        call("register_partner", WORKER, **DESK)
    with pytest.raises(Forbidden):
        call("deactivate_partner", {"user_id": "transit-1", "role": "partner", "agency": "transit"}, code="transit")
    with pytest.raises(Forbidden) as elsewhere:
        call("register_partner", SAB_COORDINATOR, **{**DESK, "agency": "apo"})
    assert elsewhere.value.message == "this partner is part of another agency"
    with pytest.raises(Forbidden):  # APO's psychologist is APO's to describe
        call("change_partner", SAB_COORDINATOR, **{**DESK, "code": "apo-psychologist"})
    call("change_partner", ADMIN, **{**DESK, "code": "apo-psychologist", "agency": "apo"})


def test_a_deactivated_partner_takes_no_new_referral(world, call):
    client_id = world.accepted_client()
    world.consent(client_id, "projet-lama")
    proposed = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "before")
    in_its_hands = world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "sent")
    world.referrals.record_step(WORKER, in_its_hands, "sent")
    call("deactivate_partner", ADMIN, code="projet-lama")
    with pytest.raises(Conflict) as refused:
        call("propose_referral", WORKER, client_id=str(client_id), partner="projet-lama", domains=["addiction"],
             reason="after")
    assert refused.value.details == {"partner": ["projet-lama is deactivated"]}
    with pytest.raises(Conflict) as not_sent:
        call("record_referral_step", WORKER, referral_id=str(proposed), step="sent")
    assert list(not_sent.value.details) == ["partner"]
    # What it already has goes on.
    assert call("record_referral_step", WORKER, referral_id=str(in_its_hands), step="acknowledged")["state"] == (
        "acknowledged")
    for again in (lambda: call("deactivate_partner", ADMIN, code="projet-lama"),
                  lambda: call("change_partner", ADMIN, **{**DESK, "code": "projet-lama"})):
        with pytest.raises(Conflict):
            again()


def test_a_psychologist_recommended_is_never_a_deactivated_one(world, call):
    client_id = world.accepted_client()
    call("deactivate_partner", ADMIN, code="apo-psychologist")
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    (proposed,) = world.referrals.referral_history(WORKER, client_id)
    assert proposed["partner"] != "apo-psychologist"
