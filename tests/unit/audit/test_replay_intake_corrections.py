"""Audit's file at an instant follows intake's corrections (issue 20): a change of
where the client stands and a declined intake reopened."""
from services.audit.replay import file_at
from shared.contracts.audit_answers import AuditFile
from tests.unit.audit.test_replay import fact

CHANGED = dict(agency="apo", effective_from="2026-11-30", changed=["situation"])
STORY = [
    fact("intake", "client-registered", 0, agency="apo", languages=["fr"], preferred_language="fr",
         interpreter_needed=False, legal_position="convicted"),
    fact("intake", "intake-declined", 1, actor="apo-coord", agency="apo", reason="client_withdrew"),
    fact("intake", "intake-reopened", 2, actor="apo-coord", agency="apo", previous_status="declined"),
    fact("intake", "legal-situation-changed", 3, legal_position="convicted", situation="conditional_release",
         **CHANGED),
    fact("intake", "contact-details-changed", 4, agency="apo", effective_from="2026-11-30"),
]


def test_a_reopened_intake_waits_again_and_a_change_of_situation_is_current():
    declined = file_at(STORY[:2])["intake"]
    assert declined["status"] == "declined"
    reopened = file_at(STORY[:3])["intake"]
    assert reopened["status"] == "registered"
    assert [d["decision"] for d in reopened["decisions"]] == ["declined", "reopened"]
    now = file_at(STORY)
    assert (now["intake"]["legal_position"], now["intake"]["situation"]) == ("convicted", "conditional_release")
    assert AuditFile().validate(now) == {}


def test_an_erased_change_reads_as_erased():
    erased = fact("intake", "legal-situation-changed", 3, erased=("legal_position", "situation"), **CHANGED)
    intake = file_at([*STORY[:3], erased])["intake"]
    assert intake["situation"] is None and {"legal_position", "situation"} <= set(intake["erased"])
