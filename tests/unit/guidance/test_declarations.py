"""Guidance's intervention is declared once (shared/contracts/guidance.py): its event,
command, published version and answer agree with the declaration."""
from services.guidance.domain import Intervention
from shared.contracts import CATALOGUE, guidance, guidance_answers
from shared.contracts.declare import fields_in, personal_fields, properties
from tests.support.declarations import event_fields


def test_an_intervention_event_is_its_declaration():
    declared_names = set(guidance.Intervention._declared_fields) - {guidance.Intervention.identity}
    assert event_fields(Intervention.Recorded) == declared_names


def test_command_published_version_and_answer_all_come_from_the_intervention_declaration():
    fact = set(guidance.Intervention._declared_fields)
    given = {n for n, f in guidance.Intervention._declared_fields.items() if properties(f)["given"]}
    assert set(guidance.RecordIntervention._declared_fields) == given | {"actor", "client_id"}
    published = {n for n, f in guidance.Intervention._declared_fields.items() if properties(f)["published"]}
    assert set(CATALOGUE["be.jww.guidance.intervention-recorded.v1"]._declared_fields) == published
    assert "note" not in published and "next_steps" not in published
    # As shown: the fact, with its corrections (issue 20).
    assert set(guidance_answers.Intervention._declared_fields) == fact - {"client_id", "trajectory_id", "agency"} | {
        "version", "amendments", "retracted"}


def test_what_of_an_intervention_is_personal_is_read_from_its_declaration():
    assert {"note", "next_steps", "domains"} <= set(personal_fields(guidance.Intervention))
    assert "worker" not in personal_fields(guidance.Intervention)
    assert set(fields_in(guidance.Intervention, ["languages"])) == {"interpreter"}
