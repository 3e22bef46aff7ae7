"""Erasure (GDPR art. 17): asked for by a coordinator, decided by a second person,
carried out by destroying the client's data keys here and in every service that
hears of it; the facts stay, their personal fields unreadable."""
import pytest

from services.intake.application import IntakeApplication
from shared import chain
from services.intake.domain import (
    Erasure, ErasureDecided, ErasureRequestedAlready, FourEyes, HoldInForce, NoHoldInForce,
)
from shared.errors import Conflict, Forbidden, NotFound
from shared.outbox import Outbox
from shared.config import DEPLOY_DIR
from tests.support.fakes import IN_MEMORY, Link, guidance
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.shared.test_sealing import sqlite_store

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
ADMIN = {"user_id": "ops-1", "role": "admin", "agency": "platform"}
NATIONAL_NUMBER = "85.07.30-033.28"


@pytest.fixture
def intake(tmp_path):
    return IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))


def register(app, **overrides):
    return app.register_client(WORKER, **registration_args(**{"national_number": NATIONAL_NUMBER, **overrides}))


def test_an_erasure_needs_a_coordinator_to_ask_and_a_second_person_to_decide(intake):
    client_id = register(intake)
    with pytest.raises(Forbidden):
        intake.request_erasure(WORKER, client_id, "consent_withdrawn")
    with pytest.raises(NotFound):
        intake.approve_erasure(DPO, client_id)  # nothing asked yet
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn", "she asked on 1 December")
    with pytest.raises(ErasureRequestedAlready):  # 409 at the edge
        intake.request_erasure(COORDINATOR, client_id, "objection")
    with pytest.raises(Forbidden):
        intake.approve_erasure(WORKER, client_id)
    with pytest.raises(FourEyes):  # 403 at the edge
        intake.approve_erasure({**COORDINATOR, "role": "admin"}, client_id)  # the one who asked
    head = intake.head()
    intake.approve_erasure(DPO, client_id)
    with pytest.raises(ErasureDecided):
        intake.approve_erasure(ADMIN, client_id)  # approved already
    with pytest.raises(NotFound):
        intake.approve_erasure(DPO, "00000000-0000-4000-8000-000000000000")
    assert intake.head() > head


def test_a_refused_erasure_may_be_asked_for_again(intake):
    client_id = register(intake)
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    intake.refuse_erasure(DPO, client_id, "a court asked to keep the file until June")
    with pytest.raises(ErasureDecided):
        intake.approve_erasure(ADMIN, client_id)
    intake.request_erasure(COORDINATOR, client_id, "no_longer_necessary")
    intake.approve_erasure(ADMIN, client_id)
    assert intake.repository.get(client_id).family_name is None


def test_an_approved_erasure_leaves_the_facts_unreadable_and_the_number_free(intake, tmp_path):
    erased, kept = register(intake), register(intake, national_number=None, family_name="Otherperson")
    intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    intake.approve_erasure(DPO, erased)

    reopened = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    gone = reopened.repository.get(erased)
    assert (gone.given_names, gone.family_name, gone.national_number, gone.languages) == (None, None, None, [])
    assert reopened.repository.get(kept).family_name == "Otherperson"
    assert list(chain.verify(reopened.recorder)) == []
    again = register(reopened)  # the number no longer points to the erased person
    assert again != erased and reopened.repository.get(again).national_number == "85073003328"
    assert [t["decision"] for t in reopened.data_keys.tombstones(erased)] == [str(Erasure.create_id(erased))] * 4


def test_what_was_published_about_an_erased_client_reads_as_an_erased_fact(intake):
    erased = register(intake)
    intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    intake.approve_erasure(DPO, erased)
    about = [e for e in Outbox(intake).read(after=0, limit=100) if e["subject"] == str(erased)]
    # The request holds nothing personal: it reads as it was published.
    assert [e["type"] for e in about] == ["be.jww.intake.fact-erased.v1", "be.jww.intake.erasure-requested.v1",
                                          "be.jww.intake.erasure-approved.v1"]
    assert about[0]["data"] == {"client_id": str(erased), "erased_type": "be.jww.intake.client-registered.v1"}


def followed_by_guidance():
    """An in-memory intake that guidance follows, and a client accepted there, whose
    trajectory guidance has opened."""
    intake, follower = IntakeApplication(env=IN_MEMORY), guidance()
    intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    link = Link(follower, intake, "intake")
    client_id = register(intake)
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    link.deliver()
    return intake, follower, link, client_id


def test_every_service_that_hears_of_the_approval_destroys_its_keys_records_it_and_forgets():
    import datetime as dt

    from shared.erasure import ErasureCarriedOut
    from tests.support.samples import intervention_args

    intake, follower, link, client_id = followed_by_guidance()
    now = dt.datetime.now(dt.timezone.utc)
    follower.record_intervention(WORKER, client_id, **intervention_args(now - dt.timedelta(hours=1),
                                                                         domains=["housing"]))
    day = (now - dt.timedelta(hours=1)).date()  # the intervention's: yesterday in the first hour of a day
    assert [a.domains for a in follower.interventions.of_agency("apo", day, day)] == [("housing",)]
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    intake.approve_erasure(DPO, client_id)
    link.deliver()
    assert follower.data_keys.key(client_id, "case_file") is None
    assert len(follower.data_keys.tombstones(client_id)) == 4
    recorded = [n for n in follower.recorder.select_notifications(1, 1000)
                if n.topic.endswith("ErasureCarriedOut.Recorded")]
    assert len(recorded) == 1 and recorded[0].originator_id == ErasureCarriedOut.create_id(Erasure.create_id(client_id))
    # The running process's activity figures forget the erased client's domains at once.
    assert [a.domains for a in follower.interventions.of_agency("apo", day, day)] == [()]


def test_an_erasure_a_crash_interrupted_completes_when_the_service_starts(tmp_path, monkeypatch):
    intake = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    client_id = register(intake)
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    monkeypatch.setattr(intake, "carry_out_erasures", lambda: 0)  # the process dies before destroying the keys
    intake.approve_erasure(DPO, client_id)
    assert intake.repository.get(client_id).family_name == "Testperson"
    restarted = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    assert restarted.carry_out_erasures() == 1 and restarted.carry_out_erasures() == 0
    assert IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite")).repository.get(
        client_id).family_name is None


def test_the_retention_policy_lists_then_erases_a_declined_intake_that_fell_due(intake, tmp_path):
    import datetime as dt

    old, other, held = register(intake), register(intake, national_number=None), register(intake, national_number=None)
    for client_id in (old, other, held):
        intake.decline(COORDINATOR, client_id, "client_withdrew", "moved abroad")
    intake.request_erasure(COORDINATOR, held, "objection")
    intake.refuse_erasure(DPO, held, "a court asked to keep the file")  # a person decided: retention keeps off
    assert intake.apply_retention(DPO) == []  # declined a moment ago: a year to go
    intake.declined_retention = dt.timedelta(0)  # the policy moved instead of the clock
    due = intake.apply_retention(DPO)  # a dry run by default: nothing changes
    assert sorted(d["client_id"] for d in due) == sorted([str(old), str(other)])
    assert intake.repository.get(old).family_name == "Testperson"
    with pytest.raises(Forbidden):
        intake.apply_retention(WORKER)
    done = intake.apply_retention(DPO, dry_run=False)
    assert len(done) == 2 and intake.apply_retention(DPO) == []
    reopened = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    assert reopened.repository.get(old).family_name is None
    assert reopened.repository.get(held).family_name == "Testperson"
    assert reopened._erased(old)["legal_basis"] == "no_longer_necessary"
    assert register(reopened)  # the erased client's number is free again


def test_an_erased_client_is_no_longer_found_by_name_or_number_in_a_running_process(intake):
    client_id = register(intake)
    assert [c["client_id"] for c in intake.search(WORKER, name="Testperson")] == [str(client_id)]
    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")
    intake.approve_erasure(DPO, client_id)
    assert intake.search(WORKER, name="Testperson") == []
    assert intake.search(WORKER, national_number=NATIONAL_NUMBER) == []


def test_the_number_s_claim_no_longer_leads_to_an_erased_client_and_holds_for_the_next(intake, tmp_path):
    from services.intake.domain import NationalNumberClaim

    erased = register(intake)
    claim_id = NationalNumberClaim.create_id(NationalNumberClaim.digest("85073003328", intake.national_number_key))
    assert str(erased) not in str([r.state for r in intake.recorder.select_events(claim_id)])  # sealed
    intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    intake.approve_erasure(DPO, erased)
    again = register(intake)
    reopened = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    claimed = reopened.mapper.to_domain_event(reopened.recorder.select_events(claim_id)[0])
    assert claimed.client_id is None  # the first claim's link is gone with the erased client's keys
    assert reopened.repository.get(claim_id).client_id == again
    with pytest.raises(Conflict):  # the number is taken again: a duplicate is refused
        register(reopened)


# -- legal hold (GDPR art. 17(3)) -----------------------------------------------------------

def test_a_legal_hold_keeps_an_erasure_from_being_approved_until_it_is_lifted(intake):
    client_id = register(intake)
    with pytest.raises(Forbidden):  # a coordinator asks for erasures; holds are for data protection
        intake.place_legal_hold(COORDINATOR, client_id, "legal_claims", "court case 2026/17")
    with pytest.raises(NotFound):
        intake.lift_legal_hold(DPO, client_id)  # nothing placed yet
    with pytest.raises(NotFound):
        intake.place_legal_hold(DPO, "00000000-0000-4000-8000-000000000000", "legal_claims")
    assert intake.place_legal_hold(DPO, client_id, "legal_claims", "court case 2026/17") == {
        "client_id": str(client_id), "in_force": True, "ground": "legal_claims"}
    with pytest.raises(HoldInForce):  # 409 at the edge
        intake.place_legal_hold(ADMIN, client_id, "archiving")
    held = intake.client_file(COORDINATOR, client_id)["legal_hold"]
    assert held["ground"] == "legal_claims" and held["since"]

    intake.request_erasure(COORDINATOR, client_id, "consent_withdrawn")  # may be asked for meanwhile
    head = intake.head()
    with pytest.raises(HoldInForce):
        intake.approve_erasure(DPO, client_id)
    assert intake.head() == head and intake.repository.get(client_id).family_name == "Testperson"  # nothing changed

    intake.lift_legal_hold(ADMIN, client_id, "the case is closed")
    with pytest.raises(NoHoldInForce):
        intake.lift_legal_hold(DPO, client_id)
    assert intake.client_file(COORDINATOR, client_id)["legal_hold"] is None
    intake.approve_erasure(DPO, client_id)
    assert intake.repository.get(client_id).family_name is None
    # The note says which case: personal, sealed, and gone with the rest.
    (placed,) = [n for n in intake.recorder.select_notifications(1, 1000) if n.topic.endswith("LegalHold.Placed")]
    assert b"2026/17" not in placed.state


def test_a_legal_hold_keeps_a_declined_intake_from_the_retention_policy(intake):
    import datetime as dt

    client_id = register(intake)
    intake.decline(COORDINATOR, client_id, "client_withdrew")
    intake.declined_retention = dt.timedelta(0)
    intake.place_legal_hold(DPO, client_id, "legal_obligation", "kept for the inspection")
    assert intake.apply_retention(DPO) == []
    intake.lift_legal_hold(DPO, client_id)
    assert [d["client_id"] for d in intake.apply_retention(DPO)] == [str(client_id)]


def test_guidance_keeps_a_held_client_s_closed_trajectory_from_its_own_retention():
    import datetime as dt

    intake, follower, link, client_id = followed_by_guidance()
    follower.close_trajectory(COORDINATOR, client_id, "goals_reached", "done")
    follower.closed_retention = dt.timedelta(0)
    assert [d["client_id"] for d in follower.apply_retention(DPO)] == [str(client_id)]
    intake.place_legal_hold(DPO, client_id, "legal_claims")
    link.deliver()
    assert follower.apply_retention(DPO) == []
    intake.lift_legal_hold(DPO, client_id)
    link.deliver()
    assert [d["client_id"] for d in follower.apply_retention(DPO)] == [str(client_id)]
