"""An export read as a report: Brussels times, every part named, nothing left out."""
from services.audit import report
from services.audit.replay import changes, file_at
from tests.unit.audit.test_replay import FACTS, INTERVENTION, NOTE, REFERRAL, at

EXPORT = {
    "client_id": "5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21", "since": "2026-07-01T12:00:00+00:00",
    "until": "2026-11-30T12:00:00+00:00", "exported_at": "2026-12-01T08:00:00+00:00", "purpose": "inspection",
    "exported_by": {"user_id": "audit-1", "role": "auditor", "agency": "platform"},
    "changes": changes(file_at(FACTS[:4]), file_at(FACTS[:9])),
    "facts": [
        {"time": "2026-11-30T10:00:00+00:00", "source": "guidance", "type": "be.jww.guidance.intervention-recorded.v1",
         "actor": "apo-sa-1", "actor_role": "social_assistant", "agency": "apo"},
        {"time": "2026-11-30T11:00:00+00:00", "source": "guidance", "type": "be.jww.guidance.continuity-gap.v1",
         "actor": None, "actor_role": None, "agency": None},
    ],
    "access_log": [],
    "file_at_since": file_at([]),
    "file_at_until": file_at(FACTS),
}


def test_the_report_names_every_part_in_brussels_time():
    done = []
    text = report.render(EXPORT, progress=lambda n, total: done.append((n, total)))
    assert "Window: after 2026-07-01 14:00:00 CEST up to and including 2026-11-30 13:00:00 CET" in text
    assert "Exported 2026-12-01 09:00:00 CET by audit-1 (auditor, platform)" in text
    assert "What changed in the file (4 changes, item by item)" in text
    assert "What was done (2 facts, in causal order)" in text
    assert "intervention recorded" in text and "by apo-sa-1 (social_assistant) at apo" in text
    assert "continuity gap" in text and "by the platform at -" in text
    assert "Who read the file (0 reads)\n  nobody" in text
    assert done == [(1, 2), (2, 2)]


def test_each_change_says_what_changed_where_in_brussels_time():
    text = report.render(EXPORT)
    lines = text.split("item by item)\n")[1].split("\n\n")[0].splitlines()
    assert lines == [
        f"  added    trajectory.interventions {INTERVENTION}: 2026-11-30 10:04:00 CET  at 2026-11-30 10:04:00 CET, "
        "minutes 30, place office, method listening_support, sub kind listening_ear, domains housing, worker apo-sa-1, "
        "worker profile social_assistant, trajectory id 7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f, agency apo; by apo-sa-1",
        "  added    trajectory.conditions c1: 2026-11-30 10:05:00 CET  kind prohibition, starts 2026-11-30, "
        "ends 2027-01-14, authority court, trajectory id 7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f, agency apo; "
        "by apo-sa-1",
        f"  added    referrals {REFERRAL}: 2026-11-30 10:06:00 CET  agency apo, partner transit, domains housing, "
        "from psychologist recommendation no, state sent, steps 1 (step sent, answered no); by apo-sa-1",
        f"  added    notifications {NOTE}: 2026-11-30 10:03:00 CET  kind new_assignment, recipient apo-sa-1, "
        "channel email, caused by x, language fr, due 2026-11-30 10:03:00 CET, status issued",
    ]
    changed = report.change({"item": "notifications", "id": NOTE, "change": "changed", "fields": {
        "status": {"before": "issued", "after": "delivered"},
        "delivered": {"before": None, "after": "2026-11-30T09:10:00+00:00"}}})
    assert changed == (f"  changed  notifications {NOTE}: status issued -> delivered; "
                       "delivered - -> 2026-11-30 10:10:00 CET")
    removed = report.change({"item": "intake.consents", "id": NOTE, "change": "removed", "fields": {
        "recipient": {"before": "transit", "after": None}, "recorded": {"before": at(1), "after": None},
        "by": {"before": "apo-sa-1", "after": None}}})
    assert removed == f"  removed  intake.consents {NOTE}: 2026-11-30 10:01:00 CET  recipient transit; by apo-sa-1"


def test_the_file_reads_as_an_outline_by_section_with_erased_fields_said():
    text = report.render(EXPORT)
    start, end = text.split("File at the start of the window\n")[1].split("\n\nFile at the end of the window\n")
    assert start.startswith("  Intake\n    nothing yet\n    Help requests: none\n")
    assert "  Referrals: none\n" in start and start.endswith("  Facts whose content was erased: none")
    assert "    status: accepted\n    agency: apo\n    worker: apo-sa-1\n    languages: fr\n" in end
    # Which trajectory and agency is the section's to say; the rest is each item's own.
    assert ("    Interventions (1)\n"
            f"      2026-11-30 10:04:00 CET  intervention id {INTERVENTION}: at 2026-11-30 10:04:00 CET, minutes 30, "
            "place office, method listening_support, sub kind listening_ear, domains housing, worker apo-sa-1, "
            "worker profile social_assistant; by apo-sa-1\n") in end
    assert ("      2026-11-30 10:05:00 CET  condition id c1: kind prohibition, starts 2026-11-30, ends 2027-01-14, "
            "authority court; by apo-sa-1\n"
            "          supports: 2026-11-30 10:08:00 CET  on 2026-12-01; by apo-sa-1\n") in end
    assert (f"    2026-11-30 10:06:00 CET  referral id {REFERRAL}: agency apo, partner transit, domains housing, "
            "from psychologist recommendation no, state accepted; by apo-sa-1\n"
            "        steps: 2026-11-30 10:07:00 CET  step sent, answered no; by apo-sa-1\n"
            "        steps: 2026-11-30 10:09:00 CET  step accepted, answered yes; by apo-sa-1\n") in end
    assert (f"notification id {NOTE}: kind new_assignment, recipient apo-sa-1, channel email, caused by x, "
            "language fr, due 2026-11-30 10:03:00 CET, status delivered, delivered 2026-11-30 10:10:00 CET; "
            "by the platform\n") in end
    erased = report.file_outline(file_at([{**FACTS[0], "data": {**FACTS[0]["data"], "legal_position": None},
                                           "erased": ["legal_position"]}]))
    assert "    legal position: (erased)" in erased and "    languages: fr" in erased


def test_an_empty_window_says_so():
    text = report.render({**EXPORT, "changes": [], "facts": []})
    assert "What changed in the file (0 changes, item by item)\n  nothing" in text
    assert "What was done (0 facts, in causal order)\n  nothing" in text


def test_a_refused_attempt_is_a_line_of_the_access_log_with_the_rule_that_refused_it():
    reads = [
        {"outcome": "read", "reader": "audit-1", "role": "auditor", "agency": "platform", "purpose": "inspection",
         "purpose_detail": "", "query": "timeline", "rule": None, "service": "audit",
         "at": "2026-11-30T09:00:00+00:00"},
        {"outcome": "refused", "reader": "sab-coord", "role": "coordinator", "agency": "sab", "purpose": None,
         "purpose_detail": None, "query": "approve_erasure", "rule": "four_eyes", "service": "intake",
         "at": "2026-11-30T10:00:00+00:00"},
    ]
    text = report.render({**EXPORT, "access_log": reads})
    assert "Who read the file (1 read, 1 refused attempt)" in text
    assert "  2026-11-30 10:00:00 CET  audit-1 (auditor, platform) via audit timeline: inspection" in text
    assert ("  2026-11-30 11:00:00 CET  sab-coord (coordinator, sab) via intake approve_erasure: "
            "REFUSED (four eyes)") in text
