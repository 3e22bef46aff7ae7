"""The timeline's rules, on the aggregate alone: causal order, facts apart from
reads, and windows."""
import ast
import datetime as dt
import uuid
from pathlib import Path

from services.audit import domain
from services.audit.domain import READ_FACT, REFUSED_FACT, Timeline, within
from shared import access_log

CLIENT = uuid.UUID("5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21")
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def record(timeline, source, fact, minutes, position, data=None, actor="apo-sa-1", personal=()):
    timeline.record_entry(f"{source}-{position}", source, f"be.jww.{source}.{fact}.v1", at(minutes), position, "apo",
                          actor, "social_assistant", data or {"client_id": str(CLIENT)}, list(personal))


def test_the_domain_imports_only_the_standard_library_eventsourcing_and_shared_domain():
    tree = ast.parse(Path(domain.__file__).read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m.split(".")[0] for m in modules} - {"__future__", "datetime", "uuid"} == {"eventsourcing", "shared"}
    assert {m for m in modules if m.startswith("shared")} == {"shared.domain"}


def test_the_read_and_refusal_facts_are_the_ones_every_service_publishes():
    assert (READ_FACT, REFUSED_FACT) == (access_log.FACT, access_log.REFUSED_FACT)


def test_one_timeline_per_client():
    assert Timeline.create_id(CLIENT) == Timeline(client_id=CLIENT).id != CLIENT


def test_facts_are_in_causal_order_without_the_reads():
    timeline = Timeline(client_id=CLIENT)
    record(timeline, "intake", "intake-accepted", 5, 2)
    record(timeline, "guidance", "trajectory-opened", 5, 1)
    record(timeline, "intake", "client-registered", 0, 1)
    record(timeline, "intake", READ_FACT, 6, 3, {"client_id": str(CLIENT), "purpose": "casework", "query": "file"})
    record(timeline, "intake", REFUSED_FACT, 7, 4, {"client_id": str(CLIENT), "what": "client_file", "rule": "agency"})
    assert [(e["source"], e["position"]) for e in timeline.facts()] == [("intake", 1), ("guidance", 1), ("intake", 2)]


def test_a_window_holds_its_end_but_not_its_start():
    items = [{"at": at(m)} for m in (0, 5, 10)]
    assert within(items, "at", at(0), at(10)) == items[1:]
    assert within(items, "at", None, at(5)) == items[:2] and within(items, "at", at(5), None) == items[2:]


def test_facts_and_reads_in_a_window():
    timeline = Timeline(client_id=CLIENT)
    for minutes in (0, 5, 10):
        record(timeline, "guidance", "intervention-recorded", minutes, minutes + 1)
    timeline.record_read("audit-1", "auditor", "platform", "inspection", "", "timeline", at(7))
    assert [e["time"] for e in timeline.facts(at(0), at(10))] == [at(5), at(10)]
    assert timeline.access_log(since=at(7)) == [] and len(timeline.access_log(until=at(7))) == 1


def test_the_access_log_holds_every_service_s_reads_and_audit_s_own_oldest_first():
    timeline = Timeline(client_id=CLIENT)
    timeline.record_read("audit-1", "auditor", "platform", "court_request", "2026/17", "replay", at(10))
    record(timeline, "guidance", READ_FACT, 3, 9, {"client_id": str(CLIENT), "purpose": "casework",
                                                   "query": "trajectory"})
    assert timeline.access_log() == [
        {"outcome": "read", "reader": "apo-sa-1", "role": "social_assistant", "agency": "apo", "purpose": "casework",
         "purpose_detail": None, "query": "trajectory", "rule": None, "service": "guidance", "at": at(3)},
        {"outcome": "read", "reader": "audit-1", "role": "auditor", "agency": "platform", "purpose": "court_request",
         "purpose_detail": "2026/17", "query": "replay", "rule": None, "service": "audit", "at": at(10)},
    ]


def test_the_access_log_holds_every_refused_attempt_beside_the_reads_with_the_rule_that_refused_it():
    timeline = Timeline(client_id=CLIENT)
    timeline.record_read("audit-1", "auditor", "platform", "inspection", "", "timeline", at(1))
    timeline.record_entry("intake-4", "intake", f"be.jww.intake.{REFUSED_FACT}.v1", at(2), 4, "sab", "sab-coord",
                          "coordinator", {"client_id": str(CLIENT), "what": "client_file", "rule": "agency"}, [])
    refusal_id = uuid.uuid4()
    timeline.record_refusal(refusal_id, "apo-sa-1", "social_assistant", "apo", "timeline", "role", at(3))
    assert timeline.access_log() == [
        {"outcome": "read", "reader": "audit-1", "role": "auditor", "agency": "platform", "purpose": "inspection",
         "purpose_detail": "", "query": "timeline", "rule": None, "service": "audit", "at": at(1)},
        {"outcome": "refused", "reader": "sab-coord", "role": "coordinator", "agency": "sab", "purpose": None,
         "purpose_detail": None, "query": "client_file", "rule": "agency", "service": "intake", "at": at(2)},
        {"outcome": "refused", "reader": "apo-sa-1", "role": "social_assistant", "agency": "apo", "purpose": None,
         "purpose_detail": None, "query": "timeline", "rule": "role", "service": "audit", "at": at(3)},
    ]
    assert timeline.facts() == []  # an attempt is not something done to the file
    assert timeline.refused_already(refusal_id) and not timeline.refused_already(uuid.uuid4())


def test_an_entry_keeps_what_is_about_the_client_apart_and_still_counts_once_it_is_erased():
    timeline = Timeline(client_id=CLIENT)
    record(timeline, "intake", "client-registered", 1, 1,
           {"client_id": str(CLIENT), "agency": "apo", "languages": ["ar"]}, personal=["languages"])
    (event,) = [e for e in timeline.collect_events() if isinstance(e, Timeline.EntryRecorded)]
    assert (event.data, event.about_the_client, event.withheld) == (
        {"client_id": str(CLIENT), "agency": "apo"}, {"languages": ["ar"]}, ["languages"])
    assert timeline.entries[0]["data"]["languages"] == ["ar"]
    erased = Timeline(client_id=CLIENT)
    erased._entry(client_id=CLIENT, event_id="x", source="intake", type="be.jww.intake.client-registered.v1",
                  time=at(1), position=1, agency="apo", actor=None, actor_role=None, data=event.data,
                  about_the_client=None, withheld=["languages"])
    assert erased.entries[0]["data"] == {"client_id": str(CLIENT), "agency": "apo", "languages": None}
