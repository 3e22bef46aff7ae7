"""An export read as a report: Brussels times, every part named, nothing left out."""
from services.audit import report

EXPORT = {
    "client_id": "5b0d9a52-2f7e-4c1e-9a55-0c3b5e8f7d21", "since": "2026-07-01T12:00:00+00:00",
    "until": "2026-11-30T12:00:00+00:00", "exported_at": "2026-12-01T08:00:00+00:00", "purpose": "inspection",
    "exported_by": {"user_id": "audit-1", "role": "auditor", "agency": "platform"},
    "changes": [{"field": "trajectory.interventions", "before": 0, "after": 1},
                {"field": "intake.languages", "before": [], "after": ["fr"]}],
    "facts": [
        {"time": "2026-11-30T10:00:00+00:00", "source": "guidance", "type": "be.jww.guidance.intervention-recorded.v1",
         "actor": "apo-sa-1", "actor_role": "social_assistant", "agency": "apo"},
        {"time": "2026-11-30T11:00:00+00:00", "source": "guidance", "type": "be.jww.guidance.continuity-gap.v1",
         "actor": None, "actor_role": None, "agency": None},
    ],
    "access_log": [],
    "file_at_since": {"trajectory": {"interventions": 0, "by_method": {}}},
    "file_at_until": {"trajectory": {"interventions": 1, "by_method": {"listening_support": 1}}},
}


def test_the_report_names_every_part_in_brussels_time():
    done = []
    text = report.render(EXPORT, progress=lambda n, total: done.append((n, total)))
    assert "Window: after 2026-07-01 14:00:00 CEST up to and including 2026-11-30 13:00:00 CET" in text
    assert "Exported 2026-12-01 09:00:00 CET by audit-1 (auditor, platform)" in text
    assert "What changed in the file (2 fields)" in text
    assert "  trajectory.interventions: 0 -> 1" in text and "  intake.languages: - -> ['fr']" in text
    assert "What was done (2 facts, in causal order)" in text
    assert "intervention recorded" in text and "by apo-sa-1 (social_assistant) at apo" in text
    assert "continuity gap" in text and "by the platform at -" in text
    assert "Who read the file (0 reads)\n  nobody" in text
    assert "  trajectory:\n    interventions: 1\n    by_method:\n      listening_support: 1" in text
    assert "    by_method: -" in text  # an empty part of the file at the start
    assert done == [(1, 2), (2, 2)]


def test_an_empty_window_says_so():
    text = report.render({**EXPORT, "changes": [], "facts": []})
    assert "What changed in the file (0 fields)\n  nothing" in text
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
