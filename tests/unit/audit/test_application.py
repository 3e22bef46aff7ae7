"""The audit timeline, replay and access log, on in-memory stores fed by real followers."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.audit import report
from services.audit.application import AuditApplication
from services.audit.service import AuditService
from services.intake.service import IntakeService
from services.guidance.application import GuidanceApplication
from services.notifications.application import NotificationsApplication
from services.referrals.application import ReferralsApplication
from shared import chain, context, once
from shared.context import RequestContext
from shared.config import DEPLOY_DIR
from shared.contracts import validate_command
from shared.contracts import audit as contracts
from shared.contracts.audit_answers import FileChanges, FileReplay
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args
from tests.support.fakes import IN_MEMORY, Link, deliver, intake as new_intake

AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


class World:
    def __init__(self):
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = GuidanceApplication(env=IN_MEMORY)
        self.referrals = ReferralsApplication(env=IN_MEMORY)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.notifications = NotificationsApplication(env=IN_MEMORY)
        self.audit = AuditApplication(env=IN_MEMORY)
        upstreams = (self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals")
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")]
        self.links += [Link(self.notifications, up, name) for up, name in upstreams]
        self.links += [Link(self.audit, up, name) for up, name in (*upstreams, (self.notifications, "notifications"))]
        self.links += [Link(self.audit, up, f"{name}.access") for up, name in upstreams]

    def sync(self):
        deliver(self.links)


@pytest.fixture
def case():
    world = World()
    client_id = world.intake.register_client(WORKER, **registration_args())
    world.intake.accept(COORDINATOR, client_id, "apo-sa-1")
    world.sync()
    middle = dt.datetime.now(dt.timezone.utc)
    now = dt.datetime.now(dt.timezone.utc)
    world.guidance.record_intervention(
        WORKER, client_id, **intervention_args(now - dt.timedelta(minutes=5), minutes=30, note="secret note"))
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    return world, client_id, middle


def test_the_timeline_says_who_did_what_when_in_which_agency_in_causal_order(case):
    world, client_id, _ = case
    timeline = world.audit.timeline(AUDITOR, client_id, "inspection")
    facts = [(e["source"], e["type"].split(".")[3]) for e in timeline["entries"]]
    assert facts == [
        ("intake", "client-registered"), ("intake", "intake-accepted"), ("guidance", "trajectory-opened"),
        ("notifications", "notification-issued"), ("guidance", "intervention-recorded"),
        ("guidance", "psychologist-recommended"), ("referrals", "referral-proposed"),
    ]
    registered = timeline["entries"][0]
    assert (registered["actor"], registered["actor_role"], registered["agency"]) == ("apo-sa-1", "social_assistant", "apo")
    assert "secret note" not in str(timeline)


def test_a_replay_rebuilds_the_file_as_it_stood_at_an_instant(case):
    world, client_id, middle = case
    then = world.audit.replay(AUDITOR, client_id, middle, "inspection")
    now = world.audit.replay(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc), "inspection")
    assert then["file"]["intake"]["status"] == "accepted" and then["file"]["trajectory"]["status"] == "open"
    assert then["file"]["trajectory"]["interventions"] == [] and then["file"]["referrals"] == []
    (intervention,) = now["file"]["trajectory"]["interventions"]
    assert {k: intervention[k] for k in ("minutes", "place", "method", "sub_kind", "domains", "worker", "by")} == {
        "minutes": 30, "place": "office", "method": "listening_support", "sub_kind": "listening_ear",
        "domains": ["housing"], "worker": "apo-sa-1", "by": "apo-sa-1"}
    assert [r["worker"] for r in now["file"]["trajectory"]["psychologist_recommendations"]] == ["apo-sa-1"]
    assert [(r["partner"], r["state"], r["steps"]) for r in now["file"]["referrals"]] == [
        ("apo-psychologist", "proposed", [])]
    (told,) = now["file"]["notifications"]
    assert (told["kind"], told["recipient"], told["status"]) == ("new_assignment", "apo-sa-1", "issued")
    assert "secret note" not in str(now) and "anxiety" not in str(now)  # what was written stays in guidance
    assert FileReplay().validate(then) == {} and FileReplay().validate(now) == {}


def test_a_replay_before_the_client_existed_is_not_found_and_is_on_the_access_log(case):
    world, client_id, _ = case
    first = world.audit.timeline(AUDITOR, client_id, "inspection")["entries"][0]
    before = dt.datetime.fromisoformat(first["time"]) - dt.timedelta(microseconds=1)
    with pytest.raises(NotFound) as missing:
        world.audit.replay(AUDITOR, client_id, before, "inspection")
    assert missing.value.message == "the client's file did not exist yet at this instant"
    assert missing.value.details == {"at": [f"before the client's first fact ({first['time']})"]}
    assert world.audit.replay(AUDITOR, client_id, dt.datetime.fromisoformat(first["time"]), "inspection")["facts"] == 1
    log = world.audit.timeline(AUDITOR, client_id, "inspection")["access_log"]
    assert [r["query"] for r in log if r["service"] == "audit"] == ["timeline", "replay", "replay", "timeline"]


def test_a_replay_in_the_future_is_invalid_and_reads_nothing(case):
    world, client_id, _ = case
    with pytest.raises(InvalidInput) as refused:
        world.audit.replay(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1),
                           "inspection")
    assert refused.value.message == "the instant is in the future: the file is known up to now"
    (reason,) = refused.value.details["at"]
    assert list(refused.value.details) == ["at"] and reason.startswith("must not be after the audit service's clock")
    log = world.audit.timeline(AUDITOR, client_id, "inspection")["access_log"]
    assert [r["query"] for r in log if r["service"] == "audit"] == ["timeline"]
    with pytest.raises(Forbidden):  # who may not read at all is told that first
        world.audit.replay(WORKER, client_id, dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1), "casework")


@pytest.mark.parametrize("query", ["changes", "export"])
def test_a_window_that_ends_in_the_future_is_invalid_and_reads_nothing(case, query):
    world, client_id, _ = case
    now = dt.datetime.now(dt.timezone.utc)
    with pytest.raises(InvalidInput) as refused:
        getattr(world.audit, query)(AUDITOR, client_id, now - dt.timedelta(days=1), now + dt.timedelta(days=1),
                                    "inspection")
    (reason,) = refused.value.details["until"]
    assert list(refused.value.details) == ["until"] and reason.startswith("must not be after the audit service's")
    log = world.audit.timeline(AUDITOR, client_id, "inspection")["access_log"]
    assert [r["query"] for r in log if r["service"] == "audit"] == ["timeline"]


def test_a_replay_follows_a_reassignment_in_the_trajectory_too(case):
    world, client_id, _ = case
    world.intake.reassign(COORDINATOR, client_id, "apo-crim-1", {"language": "fr", "kind": "present"})
    world.sync()
    file = world.audit.replay(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc), "inspection")["file"]
    assert file["intake"]["worker"] == file["trajectory"]["worker"] == "apo-crim-1"


def test_changes_between_two_instants_name_each_item_and_the_facts_between(case):
    world, client_id, middle = case
    until = dt.datetime.now(dt.timezone.utc)
    changed = world.audit.changes(AUDITOR, client_id, middle, until, "inspection")
    file = changed["file_at_until"]
    (intervention,) = file["trajectory"]["interventions"]
    (recommendation,) = file["trajectory"]["psychologist_recommendations"]
    (referral,) = file["referrals"]
    assert [(c["item"], c["id"], c["change"]) for c in changed["changes"]] == [
        ("trajectory.interventions", intervention["intervention_id"], "added"),
        ("trajectory.psychologist_recommendations", recommendation["event_id"], "added"),
        ("referrals", referral["referral_id"], "added"),
    ]  # the intake and the trajectory's own fields are as they were
    assert changed["changes"][0]["fields"] == {name: {"before": None, "after": value}
                                               for name, value in intervention.items() if value not in (None,)}
    assert [e["type"].split(".")[3] for e in changed["facts"]] == [
        "intervention-recorded", "psychologist-recommended", "referral-proposed"]
    assert FileChanges().validate(changed) == {}


def test_every_read_through_any_service_is_recorded_with_its_purpose_and_is_itself_audited(case):
    world, client_id, middle = case
    world.intake.client_file(COORDINATOR, client_id, "complaint", "complaint by the client 2026/9")
    world.guidance.trajectory(WORKER, client_id)
    world.referrals.referral_history(WORKER, client_id)
    world.audit.replay(AUDITOR, client_id, middle, "court_request", "court request 2026/123")
    world.sync()
    log = world.audit.timeline(AUDITOR, client_id, "inspection")["access_log"]
    assert [(r["service"], r["reader"], r["query"], r["purpose"], r["purpose_detail"]) for r in log] == [
        # What a reader added elsewhere stays in that service: only the code travels.
        ("intake", "apo-coord", "client_file", "complaint", None),
        ("guidance", "apo-sa-1", "trajectory", "casework", None),
        ("referrals", "apo-sa-1", "referral_history", "casework", None),
        ("audit", "audit-1", "replay", "court_request", "court request 2026/123"),
        ("audit", "audit-1", "timeline", "inspection", ""),
    ]
    for app in (world.intake, world.guidance, world.referrals, world.audit):
        assert list(chain.verify(app.recorder)) == []  # the reads are in the chained streams


def rpc(service_class, app, name: str, actor: dict, **payload):
    """An RPC entrypoint as nameko calls it: the edge that records refusals (shared.rpc)."""
    return getattr(service_class, name)(SimpleNamespace(app=app, name=service_class.name), {"actor": actor, **payload})


def test_a_refused_read_shows_nothing_and_the_attempt_is_on_the_timeline(case):
    world, client_id, _ = case
    stranger = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
    with pytest.raises(Forbidden):
        rpc(IntakeService, world.intake, "client_file", stranger, client_id=str(client_id), purpose="casework")
    world.sync()
    timeline = world.audit.timeline(AUDITOR, client_id, "inspection")
    (refused,) = [r for r in timeline["access_log"] if r["outcome"] == "refused"]
    assert refused == {"outcome": "refused", "reader": "dsr-sa-1", "role": "social_assistant", "agency": "dsr",
                       "purpose": None, "purpose_detail": None, "query": "client_file", "rule": "agency",
                       "service": "intake", "at": refused["at"]}
    assert [r["outcome"] for r in timeline["access_log"]] == ["refused", "read"]  # then the auditor's own read
    assert all(e["type"].split(".")[3] != "client-access-refused" for e in timeline["entries"])  # not a fact
    assert world.audit.replay(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc), "inspection")["facts"] == len(
        timeline["entries"])
    export = world.audit.export(AUDITOR, client_id, dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1),
                                dt.datetime.now(dt.timezone.utc), "inspection")
    assert "dsr-sa-1 (social_assistant, dsr) via intake client_file: REFUSED (agency)" in report.render(export)


def test_audit_records_on_the_timeline_whom_it_refuses_itself_once_per_request(case):
    world, client_id, _ = case
    try:
        for delivery in range(2):  # the broker gives the same request twice
            context.use(RequestContext(request_marker=once.marker_for("call-1"), assertion="jti-1"))
            with pytest.raises(Forbidden):
                rpc(AuditService, world.audit, "timeline", WORKER, client_id=str(client_id), purpose="casework")
    finally:
        context.use(RequestContext())
    log = world.audit.timeline(AUDITOR, client_id, "inspection")["access_log"]
    assert [(r["service"], r["reader"], r["outcome"], r["query"], r["rule"]) for r in log] == [
        ("audit", "apo-sa-1", "refused", "timeline", "role"), ("audit", "audit-1", "read", "timeline", None)]


def test_an_export_holds_the_window_whole_and_reads_as_a_report(case):
    world, client_id, middle = case
    world.guidance.trajectory(WORKER, client_id)
    world.sync()
    until = dt.datetime.now(dt.timezone.utc)
    export = world.audit.export(AUDITOR, client_id, middle, until, "inspection", "Flemish agency, 2026 round")
    assert export["format"] == "jww-audit-export/1" and export["exported_by"]["user_id"] == "audit-1"
    assert export["file_at_since"]["trajectory"]["interventions"] == []
    assert len(export["file_at_until"]["trajectory"]["interventions"]) == 1
    assert len(export["facts"]) == 3
    assert [(r["reader"], r["query"]) for r in export["access_log"]] == [("apo-sa-1", "trajectory")]
    later = world.audit.timeline(AUDITOR, client_id, "inspection", since=until)["access_log"]
    assert [(r["query"], r["purpose"], r["purpose_detail"]) for r in later] == [
        ("export", "inspection", "Flemish agency, 2026 round"), ("timeline", "inspection", "")]
    text = report.render(export)
    assert f"Audit report: client {client_id}" in text
    assert "intervention recorded" in text and "by apo-sa-1 (social_assistant) at apo" in text
    assert "  added    trajectory.interventions " in text and "method listening_support" in text
    assert "apo-sa-1 (social_assistant, apo) via guidance trajectory: casework" in text
    assert "secret note" not in text


def test_only_auditors_read_and_an_unknown_client_is_not_found(case):
    world, client_id, _ = case
    with pytest.raises(Forbidden):
        world.audit.timeline(WORKER, client_id, "inspection")
    with pytest.raises(NotFound):
        world.audit.timeline(AUDITOR, "00000000-0000-4000-8000-000000000000", "inspection")


def test_a_window_that_ends_before_it_starts_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.Export, {
            "actor": AUDITOR, "client_id": "00000000-0000-4000-8000-000000000000", "purpose": "inspection",
            "since": "2026-11-02T00:00:00+01:00", "until": "2026-11-01T00:00:00+01:00"})
    assert refused.value.details == {"until": ["must be after since"]}
