"""Refused access is recorded: every refusal of a read or a command about a client,
at the RPC edge, goes into the refusing service's access log (shared.access_log)
and out on its access stream, with codes only; the caller's answer is unchanged."""
import json
import logging
from types import SimpleNamespace

import pytest

from services.guidance.application import GuidanceApplication
from services.guidance.service import GuidanceService
from services.intake.service import IntakeService
from shared import access_log, context, once, replays
from shared.config import DEPLOY_DIR
from shared.context import RequestContext
from shared.errors import Forbidden, Unauthenticated
from shared.outbox import Outbox
from tests.support.fakes import IN_MEMORY, Link, intake as new_intake
from tests.support.samples import AUDITOR, COORDINATOR, WORKER, registration_args

SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}


@pytest.fixture(autouse=True)
def no_request_left_current():
    yield
    context.use(RequestContext())


@pytest.fixture
def intake():
    app = new_intake()
    app.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    return app


@pytest.fixture
def client_id(intake):
    return str(intake.register_client(WORKER, **registration_args()))


def call(service_class, app, rpc: str, actor: dict, **payload):
    """An RPC entrypoint, called with a JSON payload as nameko calls it."""
    return getattr(service_class, rpc)(SimpleNamespace(app=app, name=service_class.name), {"actor": actor, **payload})


def refusals(app) -> list:
    return list(app.stored(access_log.AccessRefused.Recorded))


def published_refusals(app) -> list[dict]:
    return [e for e in Outbox(app).read(after=0, limit=1000, streams=("access",))
            if e["type"].endswith(".client-access-refused.v1")]


def test_a_worker_of_another_agency_opening_a_file_is_refused_and_the_attempt_is_recorded(intake, client_id):
    with pytest.raises(Forbidden) as refused:
        call(IntakeService, intake, "client_file", SAB_COORDINATOR, client_id=client_id, purpose="complaint",
             purpose_detail="2026/31")
    assert refused.value.as_dict() == {"code": "forbidden", "message": "this client is followed by another agency",
                                       "details": {}}  # the caller hears what it heard before
    (recorded,) = refusals(intake)
    assert (str(recorded.client_id), recorded.actor, recorded.role, recorded.agency, recorded.what, recorded.rule) == (
        client_id, "sab-coord", "coordinator", "sab", "client_file", "agency")
    (event,) = published_refusals(intake)
    assert event["type"] == "be.jww.intake.client-access-refused.v1"
    assert event["data"] == {"client_id": client_id, "what": "client_file", "rule": "agency"}
    assert (event["jwwactor"], event["jwwactorrole"], event["jwwagency"]) == ("sab-coord", "coordinator", "sab")
    stored = json.dumps([vars(e) for e in refusals(intake)], default=str) + json.dumps(event)
    assert "another agency" not in stored and "2026/31" not in stored and "complaint" not in stored
    assert not list(intake.stored(access_log.FileRead.Recorded))  # nothing was read


def test_a_command_refused_to_a_role_is_recorded_by_the_service_that_refused_it(intake, client_id):
    guidance = GuidanceApplication(env=IN_MEMORY)
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    Link(guidance, intake, "intake").deliver()
    with pytest.raises(Forbidden) as refused:
        call(GuidanceService, guidance, "recommend_psychologist", AUDITOR, client_id=client_id,
             reason="anxious since the hearing")
    assert refused.value.details == {} and "recommend psychologist" in refused.value.message
    (recorded,) = refusals(guidance)
    assert (recorded.actor, recorded.role, recorded.what, recorded.rule) == (
        "audit-1", "auditor", "recommend_psychologist", "role")
    (event,) = published_refusals(guidance)
    assert event["type"] == "be.jww.guidance.client-access-refused.v1" and "anxious" not in json.dumps(event)
    assert refusals(intake) == []


def test_a_record_s_own_rule_refusing_is_recorded_by_its_name(intake, client_id):
    call(IntakeService, intake, "request_erasure", COORDINATOR, client_id=client_id, legal_basis="consent_withdrawn")
    with pytest.raises(Forbidden) as refused:  # the one who asked may not decide (four eyes)
        call(IntakeService, intake, "approve_erasure", {**COORDINATOR, "role": "admin"}, client_id=client_id)
    assert refused.value.code == "forbidden"
    (recorded,) = refusals(intake)
    assert (recorded.what, recorded.rule, recorded.role) == ("approve_erasure", "four_eyes", "admin")
    assert published_refusals(intake)[0]["data"]["rule"] == "four_eyes"


def test_a_refusal_about_no_one_client_is_not_a_client_s_access(intake):
    with pytest.raises(Forbidden):
        call(IntakeService, intake, "search_clients", AUDITOR, name="testperson")
    assert refusals(intake) == []


def test_a_refused_request_delivered_again_is_refused_the_same_way_and_recorded_once(intake, client_id):
    def deliver(request: str, jti: str):
        context.use(RequestContext(request_marker=once.marker_for(request), assertion=jti))
        with pytest.raises(Forbidden) as refused:
            call(IntakeService, intake, "client_file", SAB_COORDINATOR, client_id=client_id)
        return refused.value

    first = deliver("call-1", "jti-1")
    again = deliver("call-1", "jti-1")  # the broker gives it again after a restart
    assert again.as_dict() == first.as_dict()  # not "already carried out"
    assert len(refusals(intake)) == 1
    assert not intake.recorder.select_events(once.marker_id("call-1"), limit=1)  # refusing carried nothing out
    # A copy of the refused message sent by someone else is a replay, not a second attempt on sab-coord's name.
    context.use(RequestContext(request_marker=once.marker_for("call-2"), assertion="jti-1"))
    with pytest.raises(Unauthenticated):
        call(IntakeService, intake, "client_file", SAB_COORDINATOR, client_id=client_id)
    deliver("call-3", "jti-3")  # the same person trying again: a second attempt
    assert len(refusals(intake)) == 2


def test_a_refused_request_s_assertion_is_spent_by_the_refusal(intake, client_id):
    context.use(RequestContext(request_marker=once.marker_for("call-1"), assertion="jti-1"))
    with pytest.raises(Forbidden):
        call(IntakeService, intake, "client_file", SAB_COORDINATOR, client_id=client_id)
    (used,) = intake.recorder.select_events(replays.marker_id("jti-1"), limit=1)
    assert intake.mapper.to_domain_event(used).request == once.marker_id("call-1")


def test_a_refusal_that_cannot_be_recorded_is_still_refused_and_said_loudly(intake, client_id, monkeypatch, caplog):
    def store_down(*aggregates, **kwargs):
        raise OSError("the database went away")

    before = access_log.UNRECORDED.labels("intake")._value.get()
    monkeypatch.setattr(intake, "save", store_down)
    with caplog.at_level(logging.ERROR), pytest.raises(Forbidden) as refused:
        call(IntakeService, intake, "client_file", SAB_COORDINATOR, client_id=client_id)
    assert refused.value.message == "this client is followed by another agency"
    (line,) = [r for r in caplog.records if r.getMessage() == "a refusal could not be recorded in the access log"]
    assert (line.client_id, line.actor, line.rule, line.rpc, line.error) == (
        client_id, "sab-coord", "agency", "client_file", "OSError")
    assert access_log.UNRECORDED.labels("intake")._value.get() == before + 1


def test_a_refusal_is_recorded_without_the_request_s_marker_and_the_context_is_left_as_found(intake, client_id):
    marker = once.marker_for("call-1")
    context.use(RequestContext(request_marker=marker))
    access_log.record_refusal(intake, SAB_COORDINATOR, client_id, "client_file", "agency", marker)
    assert context.current().request_marker == marker
    assert not intake.recorder.select_events(marker, limit=1)
    assert access_log.record_refusal(intake, SAB_COORDINATOR, client_id, "client_file", "agency", marker)
    assert len(refusals(intake)) == 1


def test_a_copy_that_spent_the_assertion_meanwhile_makes_the_refusal_a_replay(intake, client_id):
    intake.save(replays.AssertionUsed(replays.marker_id("jti-1"), once.marker_id("the-copy")))  # the copy's save
    marker = once.marker_for("call-1")
    context.use(RequestContext(request_marker=marker, assertion="jti-1"))  # raced past the check before it
    with pytest.raises(Unauthenticated) as replayed:
        access_log.record_refusal(intake, SAB_COORDINATOR, client_id, "client_file", "agency", marker)
    assert replayed.value.reason == "replayed" and refusals(intake) == []


def test_a_service_without_an_access_log_records_no_refusal(client_id):
    from services.notifications.application import NotificationsApplication

    notifications = NotificationsApplication(env=IN_MEMORY)
    head = notifications.head()
    assert access_log.record_refusal(notifications, SAB_COORDINATOR, client_id, "inbox", "role", None) is False
    assert notifications.head() == head


def test_a_command_about_a_client_s_record_refused_is_recorded_under_that_client():
    """A referral's step and a conference's action name the record, not the client:
    the refusal is on the access log of the client the record belongs to."""
    from services.referrals.service import ReferralsService
    from tests.support.fakes import Clock
    from tests.unit.referrals.world import NOW, OTHER_AGENCY, World

    world = World(Clock(NOW))
    client_id = world.accepted_client()
    referrals = world.referrals
    referral_id = referrals.propose_referral(WORKER, client_id, "transit", ["addiction"], "reason")
    conference_id = referrals.coordination.hold_conference(
        WORKER, client_id, NOW.date(), ["apo-sa-1", "the client"], ["look for a home"],
        [{"action": "call the landlord", "owner": "apo-sa-1", "due": NOW.date()}])
    with pytest.raises(Forbidden):
        call(ReferralsService, referrals, "record_referral_step", OTHER_AGENCY, referral_id=str(referral_id),
             step="sent")
    with pytest.raises(Forbidden):
        call(ReferralsService, referrals, "complete_conference_action", OTHER_AGENCY,
             conference_id=str(conference_id), index=0, on=NOW.date().isoformat())
    assert [(e.client_id, e.actor, e.what, e.rule) for e in refusals(referrals)] == [
        (client_id, "dsr-sa-1", "record_referral_step", "agency"),
        (client_id, "dsr-sa-1", "complete_conference_action", "agency")]
