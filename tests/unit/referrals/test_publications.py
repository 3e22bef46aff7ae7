"""What referrals publishes: each translation needs nothing but the domain event,
and a run publishes every referrals type of the catalogue."""
import datetime as dt
import uuid
from types import SimpleNamespace

import pytest

from services.referrals.domain import (
    EXPECTED_STAY, FROM_PSYCHOLOGIST, CaseConference, CoordinationPlan, Partner, Referral,
)
from services.referrals.integration import PUBLICATIONS
from services.referrals.service import ReferralsService
from shared.contracts import CATALOGUE
from shared.contracts.base import STREAMS
from shared.erasure import ErasureCarriedOut
from shared.errors import Forbidden
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import NOW

CLIENT = uuid.UUID("6f1c1f9e-0000-4000-8000-000000000002")
ERASURE = uuid.UUID("6f1c1f9e-0000-4000-8000-00000000000e")
DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
TRANSIT = {"user_id": "transit-1", "role": "partner", "agency": "transit"}
ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
DESCRIPTION = {"code": "new-desk", "name": "A new desk", "kind": "housing", "agency": None, "domains": ["housing"],
               "languages": ["fr"], "channel": "platform", "typical_wait_days": 9}


def test_each_published_event_translates_from_the_event_alone():
    """No repository anywhere: the events name client, agency and partner."""
    referral = Referral.propose(origin=FROM_PSYCHOLOGIST + "x", client_id=CLIENT, agency="apo", partner="transit",
                                purpose="referral", domains=["addiction"], reason="r", at=NOW, proposed_by=WORKER)
    referral.record_step("sent", NOW, None, None, recorded_by=WORKER)
    referral.notice_stall(NOW + dt.timedelta(days=6), EXPECTED_STAY)
    referral.note_consent_withdrawn("transit")
    referral.add_note("they phoned", NOW, written_by=TRANSIT)
    conference = CaseConference.hold(
        client_id=CLIENT, agency="apo", on=NOW.date(), participants=["a", "b"], decisions=["d"],
        actions=[{"action": "x", "owner": "a", "due": NOW.date()}], held_by=WORKER, now=NOW)
    conference.notice_actions_due(NOW.date())
    plan = CoordinationPlan(client_id=CLIENT, agency="apo")
    plan.add_actor("a1", "doctor", "Medical centre", "+32 2 111 11 11", "the treatment", added_by=WORKER)
    plan.join_agency("dsr", "the housing search", guiding="apo", consented=True, added_by=WORKER)
    plan.consent_withdrawn("dsr")
    started, *added = plan.collect_events()  # an empty plan starts with its first actor: private
    erased = ErasureCarriedOut(client_id=CLIENT, erasure_id=ERASURE).collect_events()
    sample = Partner.register({**DESCRIPTION, "code": "sample-desk"}, sample=True)  # the file at first start
    partner = Partner.register(DESCRIPTION, registered_by=ADMIN)
    partner.change({**DESCRIPTION, "typical_wait_days": 12}, changed_by=ADMIN)
    partner.deactivate(deactivated_by=ADMIN)
    events = referral.collect_events() + conference.collect_events() + added + erased
    directory = sample.collect_events() + partner.collect_events()
    assert type(started) not in PUBLICATIONS
    publications = [PUBLICATIONS[type(e)](e) for e in events]
    published_directory = [PUBLICATIONS[type(e)](e) for e in directory]
    corrected = _corrections_published()
    assert len(publications) + len({type(e) for e in directory}) + len(corrected) == len(PUBLICATIONS) == 17
    for publication in publications + published_directory:
        assert CATALOGUE[publication.type]().validate(publication.data) == {}, publication.type
    for publication in publications:
        assert publication.subject == publication.data["client_id"] == str(CLIENT)
    proposed, sent, stalled, withdrawn, noted, held, falling_due, actor_added, joined, left, carried_out = publications
    assert falling_due.data == {"client_id": str(CLIENT), "conference_id": held.data["conference_id"], "index": 0,
                                "agency": "apo", "due": NOW.date().isoformat()}
    # Which agency joined the plan and why it left are published; what it does stays here.
    assert joined.data == {"client_id": str(CLIENT), "agency": "dsr"} and "housing" not in str(joined)
    assert (joined.actor, joined.agency) == (WORKER["user_id"], None)
    assert left.data == {"client_id": str(CLIENT), "agency": "dsr", "why": "consent_withdrawn"}
    assert left.actor is None  # the client withdrew the consent: no one acted here
    # A note's words stay here; that the partner's user added one is published.
    assert noted.data == {"client_id": str(CLIENT), "referral_id": str(referral.id), "agency": "apo",
                          "partner": "transit"}
    assert (noted.actor, noted.actor_role, noted.agency) == ("transit-1", "partner", "apo")
    # The directory's facts are about a partner: its code is the subject, in the name of
    # the agency it is part of (none here).
    loaded, registered, changed, deactivated = published_directory
    assert [p.type.split(".")[3] for p in published_directory] == [
        "partner-registered", "partner-registered", "partner-changed", "partner-deactivated"]
    assert {p.subject for p in published_directory} == {"sample-desk", "new-desk"}
    assert {p.agency for p in published_directory} == {None}
    assert (loaded.actor, registered.actor, registered.actor_role) == (None, "admin-1", "admin")
    assert registered.data == DESCRIPTION and changed.data == {**DESCRIPTION, "typical_wait_days": 12}
    assert deactivated.data == {"code": "new-desk"}
    # The plan's events and an erasure carried out name no agency: published in none's name.
    assert {p.agency for p in publications[:5]} == {"apo"} and actor_added.agency is carried_out.agency is None
    assert actor_added.data == {"client_id": str(CLIENT), "actor_id": "a1", "role": "doctor"}
    assert actor_added.actor == WORKER["user_id"] and "Medical" not in str(actor_added)
    assert carried_out.data == {"client_id": str(CLIENT), "erasure_id": str(ERASURE)} and carried_out.actor is None
    assert proposed.data["from_psychologist_recommendation"] is True and proposed.actor == WORKER["user_id"]
    about = {"client_id": str(CLIENT), "referral_id": str(referral.id), "agency": "apo", "partner": "transit"}
    assert sent.data == {**about, "step": "sent", "answered": False, "outcome": None}
    assert stalled.data == {**about, "state": "sent", "since": NOW.isoformat(), "expected_days": 5}
    assert stalled.actor is None
    assert withdrawn.data["referral_id"] == str(referral.id)
    assert held.data["actions_due"] == [NOW.date().isoformat()] and held.actor_role == WORKER["role"]


def _corrections_published() -> list:
    """A referral cancelled, one reopened and then withdrawn: that it happened and from
    which state is published, never why."""
    def referral():
        return Referral.propose(origin="worker:x", client_id=CLIENT, agency="apo", partner="transit",
                                purpose="referral", domains=["addiction"], reason="r", at=NOW, proposed_by=WORKER)

    cancelled = referral()
    cancelled.cancel("proposed in error", NOW, cancelled_by=WORKER)
    reopened = referral()
    for step in ("sent", "acknowledged", "accepted", "started", "dropped_out"):
        reopened.record_step(step, NOW, "moved" if step == "dropped_out" else None, None, recorded_by=WORKER)
    reopened.reopen("back in Brussels", NOW, reopened_by=WORKER)
    reopened.record_step("accepted", NOW, None, None, recorded_by=TRANSIT)
    reopened.withdraw("found help elsewhere", NOW, withdrawn_by=WORKER)
    published = [PUBLICATIONS[type(e)](e) for e in cancelled.collect_events()[1:] + reopened.collect_events()[6:]]
    cancellation, reopening, _, withdrawal = published
    for publication, about in ((cancellation, cancelled), (reopening, reopened), (withdrawal, reopened)):
        assert CATALOGUE[publication.type]().validate(publication.data) == {}, publication.type
        assert publication.subject == str(CLIENT) and (publication.actor, publication.agency) == ("apo-sa-1", "apo")
        assert "error" not in str(publication) and "Brussels" not in str(publication) and "elsewhere" not in str(
            publication)
    about = {"client_id": str(CLIENT), "referral_id": str(cancelled.id), "agency": "apo", "partner": "transit"}
    assert cancellation.data == {**about, "from_state": "proposed"}
    assert reopening.data == {**about, "referral_id": str(reopened.id), "state": "acknowledged"}
    assert withdrawal.data == {**about, "referral_id": str(reopened.id), "from_state": "accepted"}
    return [cancellation, reopening, withdrawal]


def test_every_referrals_event_type_is_published_in_a_run(world, clock):
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    referral_id = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    world.referrals.record_step(WORKER, referral_id, "sent")
    # The corrections (issue 20): one cancelled, one reopened after a drop-out and withdrawn.
    world.referrals.corrections.cancel(
        WORKER, world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r"), "in error")
    corrected = world.referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "r")
    world.referrals.record_step(WORKER, corrected, "sent")
    for step in ("acknowledged", "accepted", "started", "dropped_out"):
        world.referrals.partner_side.record_step(TRANSIT, corrected, step, "moved" if step == "dropped_out" else None)
    world.referrals.corrections.reopen(WORKER, corrected, "back in Brussels")
    world.referrals.partner_side.record_step(TRANSIT, corrected, "accepted")
    world.referrals.corrections.withdraw(WORKER, corrected, "found help elsewhere")
    clock.now += dt.timedelta(days=10)
    world.referrals.check_time()
    world.intake.withdraw_consent(WORKER, client_id, "transit", "referral")
    world.sync()
    world.referrals.coordination.hold_conference(WORKER, client_id, NOW.date(), ["a", "b"], ["d"], [
        {"action": "call the lawyer", "owner": "a", "due": clock.now.date()}])
    world.referrals.check_time()  # the action falls due
    world.referrals.coordination.add_actor(WORKER, client_id, "lawyer", "Bar", "the hearing")
    world.consent(client_id, "dsr", "coordination")
    world.referrals.coordination.add_agency(WORKER, client_id, "dsr", "the housing search")
    world.intake.withdraw_consent(WORKER, client_id, "dsr", "coordination")
    world.sync()
    world.referrals.add_note(WORKER, referral_id, "called Transit")
    desk = {**DESCRIPTION, "agency": "apo"}
    world.referrals.directory.register(COORDINATOR, **desk)
    world.referrals.directory.change(COORDINATOR, **{**desk, "name": "The desk"})
    world.referrals.directory.deactivate(COORDINATOR, "new-desk")
    world.referrals.referral_history(WORKER, client_id)
    erased = world.accepted_client()
    world.intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    world.intake.approve_erasure(DPO, erased)
    world.sync()
    with pytest.raises(Forbidden):  # refused at the RPC edge, which records the attempt
        ReferralsService.referral_history(SimpleNamespace(app=world.referrals), {
            "actor": {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}, "client_id": str(client_id)})
    fakes.take_checkpoint(world.referrals)  # as its relay does
    types = {e["type"] for e in Outbox(world.referrals).read(0, 1000, streams=STREAMS)}
    assert types == {t for t in CATALOGUE if t.startswith("be.jww.referrals.") and ".fact-erased." not in t}
