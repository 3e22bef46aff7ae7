"""Every route's answer schema against what the services really answer.

A realistic case runs through all five services in memory (POPO stores, followers
fed by ``Link``), each command and query called through its RPC entrypoint as
nameko calls it, so the answers are exactly what the gateway receives. Each must
be JSON as it is, fit its marshmallow answer schema, and fit the JSON Schema the
OpenAPI document publishes for the route's success body (a page, for a list).
"""
from __future__ import annotations

import json
import warnings

import pytest
from jsonschema import Draft202012Validator

from services.audit.application import EXPORT_FORMAT
from services.gateway.openapi import document
from services.guidance import domain as guidance_domain
from services.intake import domain as intake_domain
from services.notifications import domain as notifications_domain
from services.referrals import domain as referrals_domain
from services.gateway.routes import ROUTES, Route
from shared.contracts import audit_answers, guidance_answers, intake_answers, notifications_answers, referrals_answers
from tests.unit.gateway.answer_case import Platform, run_case


def test_every_route_names_its_answer_schema_or_says_why_it_has_none():
    for route in ROUTES:
        if route.answer is None:
            assert route.free_form and len(route.free_form) > 20, f"{route.operation_id} has no answer schema"
        else:
            assert not route.free_form, f"{route.operation_id} has an answer schema and calls it free form"


def test_the_vocabularies_of_the_answers_are_the_services_own():
    assert intake_answers.INTAKE_STATUSES == (
        intake_domain.OPEN, intake_domain.ACCEPTED, intake_domain.DECLINED, intake_domain.WAITLISTED)
    assert guidance_answers.TRAJECTORY_STATUSES == (guidance_domain.OPEN, guidance_domain.CLOSED)
    assert set(referrals_answers.STATES) == set(referrals_domain.NEXT_STEPS)
    assert notifications_answers.DEAD_LETTERED == notifications_domain.DEAD
    assert audit_answers.EXPORT_FORMAT == EXPORT_FORMAT


def test_the_document_gives_each_success_body_its_answer_schema():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # apispec warns when two schemas take one name
        doc = document()
    for route in ROUTES:
        body = doc["paths"][route.path][route.method.lower()]["responses"][str(route.status)]
        ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][ref]
        if route.filters is not None:
            assert ref == f"{route.answer.__name__}Page", route.operation_id
            schema = doc["components"]["schemas"][schema["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]]
        assert schema["additionalProperties"] is False, route.operation_id


# -- the case ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def case() -> Platform:
    return run_case()


@pytest.fixture(scope="module")
def answers(case) -> dict[str, list]:
    return dict(case.answers)


@pytest.fixture(scope="module")
def doc() -> dict:
    return document()


def success_schema(doc: dict, route: Route) -> Draft202012Validator:
    """The JSON Schema of the route's success body, its references resolved in the document."""
    schema = doc["paths"][route.path][route.method.lower()]["responses"][str(route.status)]
    schema = schema["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": doc["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation_id)
def test_the_real_answers_fit_the_route_answer_schema_and_the_document(route, answers, doc):
    given = answers.get(route.operation_id)
    assert given, f"the case never calls {route.operation_id}"
    for answer in given:
        assert json.loads(json.dumps(answer)) == answer, "an answer travels as JSON, as it is"
        items = answer if route.filters is not None else [answer]
        if route.filters is not None:
            assert isinstance(answer, list) and answer, f"{route.operation_id}: the case lists nothing"
        for item in items:
            assert route.answer().validate(item) == {}, item
        body = ({"items": answer, "total": len(answer), "limit": 500, "offset": 0, "next": None}
                if route.filters is not None else answer)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in success_schema(doc, route)
                  .iter_errors(body)]
        assert not errors, errors


def test_the_case_shows_the_optional_parts_of_the_answers(answers):
    """The schemas' nullable and optional fields are exercised, not only declared."""
    trajectory = answers["guidance.trajectory"][-1]
    assert trajectory["interventions"][0]["note"] is None  # read by someone not on the case
    assert answers["guidance.trajectory"][-2]["interventions"][0]["note"] == "confidential"
    assert trajectory["continuity_gaps"] and trajectory["closings"][0]["reopened_because"]
    assert any(c.get("until") for m in trajectory["network"] for c in m["contacts"])
    assert any(c["ends"] is None for c in trajectory["conditions"])
    # Corrections (issue 20): shown in the trajectory and in audit's file.
    assert any(i["retracted"] and i["amendments"] for i in trajectory["interventions"])
    assert any(a["cancelled"] and a["rescheduled_from"] for a in trajectory["appointments"])
    assert trajectory["goal_outcomes"][-1]["when"] == "closing"
    history = answers["referrals.referral_history"][-1]
    assert {r["state"] for r in history} >= {"completed", "declined", "proposed"}
    assert any(r["stalled"] for r in history)
    transferred = answers["intake.client_file"][-1]
    assert transferred["worker"] is None and transferred["decisions"][-1]["decision"] == "transferred"
    assert answers["notifications.dead_letters"][-1]
    changes = answers["audit.changes"][-1]["changes"]
    assert {c["change"] for c in changes} == {"added", "changed"} and any(c["id"] is None for c in changes)
    assert any(v["before"] is None for c in changes for v in c["fields"].values())
    file = answers["audit.replay"][-1]["file"]
    assert all(file["trajectory"][items] for items in (
        "plan_history", "interventions", "psychologist_recommendations", "conditions", "appointments", "network",
        "procedures", "continuity_gaps", "attendance_certificates", "closings"))
    assert file["referrals"] and file["case_conferences"] and file["coordination_actors"] and file["notifications"]
    assert any(c["ends"] is None for c in file["trajectory"]["conditions"])
    assert any(p["ended"] for p in file["trajectory"]["procedures"])
    assert any(i["retracted"] and len(i["corrections"]) == 2 for i in file["trajectory"]["interventions"])
    assert any(a["cancelled"] and a["corrections"] for a in file["trajectory"]["appointments"])
    access_log = answers["audit.timeline"][-1]["access_log"]
    refused = [r for r in access_log if r["outcome"] == "refused"]
    assert refused and all(r["purpose"] is None and r["rule"] for r in refused)
    assert any(r["outcome"] == "read" and r["rule"] is None for r in access_log)


def test_an_answer_that_strays_from_its_schema_is_caught_by_both(answers, doc):
    route = next(r for r in ROUTES if r.operation_id == "intake.client_file")
    strayed = {**answers["intake.client_file"][0], "status": "lost", "nickname": "Sam"}
    assert set(route.answer().validate(strayed)) == {"status", "nickname"}
    assert len(list(success_schema(doc, route).iter_errors(strayed))) == 2


def problem_schema(doc: dict, route: Route, status: int) -> Draft202012Validator:
    """The JSON Schema the document gives the route's problem for ``status``."""
    response = doc["paths"][route.path][route.method.lower()]["responses"][str(status)]
    response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/problem+json"]["schema"]
    return Draft202012Validator({**schema, "components": doc["components"]})


def test_a_replay_before_the_client_existed_or_in_the_future_is_a_problem_the_document_names(case, doc):
    route = next(r for r in ROUTES if r.operation_id == "audit.replay")
    (before, status_before), (future, status_future) = [(body, status) for status, body in case.problems[
        "audit.replay"]]
    assert (status_before, before["code"], before["detail"]) == (
        404, "not-found", "the client's file did not exist yet at this instant")
    (reason,) = before["errors"]["at"]
    assert list(before["errors"]) == ["at"] and reason.startswith("before the client's first fact (")
    assert (status_future, future["code"], future["detail"]) == (
        422, "invalid-input", "the instant is in the future: the file is known up to now")
    assert list(future["errors"]) == ["at"]
    assert future["errors"]["at"][0].startswith("must not be after the audit service's clock")
    for status, body in ((status_before, before), (status_future, future)):
        errors = [e.message for e in problem_schema(doc, route, status).iter_errors(body)]
        assert not errors, errors
