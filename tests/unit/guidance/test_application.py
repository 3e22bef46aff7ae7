"""Guidance's use cases on in-memory stores: access, loading, saving, and the rules the
aggregates refuse with (services/guidance/domain), as the application passes them on."""
import datetime as dt

import pytest

from shared.domain import Invalid, NotNow, NotPermitted, Unknown
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.outbox import Outbox
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.guidance.world import NOW, COLLEAGUE, OTHER_AGENCY, GOALS, accepted_client, intervention


def test_a_plan_is_agreed_once_then_reviewed_with_a_reason(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 26)
    with pytest.raises(NotNow):
        guidance.agree_plan(WORKER, client_id, GOALS, "weekly", 26)
    guidance.review_plan(WORKER, client_id, GOALS + [{"domain": "work", "goal": "training"}], "fortnightly", 40,
                         "housing found; work next")
    plan = guidance.trajectory(WORKER, client_id)
    assert plan["plan"]["intensity"] == "fortnightly"
    assert [h["reason"] for h in plan["plan_history"]] == ["agreed", "housing found; work next"]


def test_reviewing_before_agreeing_is_refused(world):
    _, guidance, _ = world
    with pytest.raises(NotNow):
        guidance.review_plan(WORKER, accepted_client(world), GOALS, "weekly", 4, "why")


def test_an_intervention_in_the_future_is_refused(world, clock):
    _, guidance, _ = world
    with pytest.raises(NotNow):
        intervention(guidance, accepted_client(world), at=clock.now + dt.timedelta(days=1))


def test_another_agency_or_an_auditor_cannot_record(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(Forbidden):
        intervention(guidance, client_id, actor=OTHER_AGENCY)
    with pytest.raises(Forbidden):
        intervention(guidance, client_id, actor={"user_id": "a", "role": "auditor", "agency": "apo"})


def test_a_client_without_trajectory_is_not_found(world):
    intake, guidance, sync = world
    client_id = intake.register_client(WORKER, **registration_args())
    sync()
    with pytest.raises(NotFound):
        intervention(guidance, client_id)


def test_closing_and_reopening(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(NotPermitted):
        guidance.close_trajectory(COLLEAGUE, client_id, "goals_reached", "done")  # not on the case
    guidance.close_trajectory(WORKER, client_id, "goals_reached", "Housing and work in place.")
    with pytest.raises(NotNow):
        intervention(guidance, client_id)
    with pytest.raises(Forbidden):
        guidance.reopen_trajectory(WORKER, client_id, "new hearing")
    guidance.reopen_trajectory(COORDINATOR, client_id, "new hearing date")
    assert guidance.trajectory(WORKER, client_id)["status"] == "open"


def test_an_accompanied_appointment_during_a_leave_permit(world, clock):
    _, guidance, _ = world
    client_id = accepted_client(world)
    hearing = NOW + dt.timedelta(days=3, hours=1)
    appointment_id = guidance.plan_appointment(
        WORKER, client_id, hearing, "court", "hearing", accompanied_by="apo-sa-1",
        leave_permit={"starts": NOW + dt.timedelta(days=3), "ends": NOW + dt.timedelta(days=3, hours=8)})
    with pytest.raises(NotNow):
        guidance.record_appointment_outcome(WORKER, client_id, appointment_id, "held")  # not yet
    clock.now = hearing + dt.timedelta(hours=2)
    guidance.record_appointment_outcome(WORKER, client_id, appointment_id, "held")
    with pytest.raises(NotNow):
        guidance.record_appointment_outcome(WORKER, client_id, appointment_id, "missed")
    (planned,) = [e for e in Outbox(guidance).read(0, 100) if e["type"].endswith("appointment-planned.v1")]
    assert planned["data"]["during_leave_permit"] is True and planned["data"]["accompanied_by"] == "apo-sa-1"


def test_a_rehabilitation_procedure_with_dated_steps(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    procedure = guidance.start_procedure(WORKER, client_id, "rehabilitation", NOW.date())
    with pytest.raises(NotNow):
        guidance.start_procedure(WORKER, client_id, "rehabilitation", NOW.date())
    guidance.record_procedure_step(WORKER, client_id, procedure, "request filed with the public prosecutor",
                                   NOW.date() + dt.timedelta(days=1))
    with pytest.raises(Invalid):
        guidance.record_procedure_step(WORKER, client_id, procedure, "too early", NOW.date() - dt.timedelta(days=1))
    guidance.end_procedure(WORKER, client_id, procedure, "granted", NOW.date() + dt.timedelta(days=90))
    (recorded,) = guidance.trajectory(WORKER, client_id)["procedures"]
    assert recorded["outcome"]["outcome"] == "granted" and len(recorded["steps"]) == 1


def test_no_certificate_for_a_period_without_attendance(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(NotNow):
        guidance.issue_attendance_certificate(WORKER, client_id, "nl", "court", NOW.date(), NOW.date(), "X")


def test_the_remaining_refusals(world):
    _, guidance, _ = world
    client_id = accepted_client(world)
    with pytest.raises(NotNow):
        guidance.reopen_trajectory(COORDINATOR, client_id, "it is open")
    with pytest.raises(Unknown):
        guidance.support_condition(WORKER, client_id, "nope", "support", NOW.date())
    with pytest.raises(Unknown):
        guidance.record_network_contact(WORKER, client_id, "nope", NOW.date(), "phone")
    procedure = guidance.start_procedure(WORKER, client_id, "residence_status", NOW.date())
    guidance.end_procedure(WORKER, client_id, procedure, "refused", NOW.date())
    with pytest.raises(NotNow):
        guidance.record_procedure_step(WORKER, client_id, procedure, "appeal", NOW.date())
    with pytest.raises(NotNow):
        guidance.end_procedure(WORKER, client_id, procedure, "granted", NOW.date())


@pytest.mark.parametrize("schema, payload, field", [
    ("RecordCondition", {"kind": "condition", "description": "d", "starts": "2026-05-01", "ends": "2026-04-01",
                         "authority": "court"}, "ends"),
    ("PlanAppointment", {"at": "2026-05-01T10:00:00+00:00", "with_actor": "court", "purpose": "hearing",
                         "leave_permit": {"from": "2026-05-02T08:00:00+00:00", "until": "2026-05-02T18:00:00+00:00"}},
     "at"),
    ("PlanAppointment", {"at": "2026-05-01T10:00:00+00:00", "with_actor": "court", "purpose": "hearing",
                         "leave_permit": {"from": "2026-05-01T18:00:00+00:00", "until": "2026-05-01T08:00:00+00:00"}},
     "leave_permit.until"),
    ("RecordIntervention", {"at": "2026-05-01T10:00:00+00:00", "minutes": 30, "place": "office",
                            "method": "relational_network", "sub_kind": "budget_support", "domains": ["housing"]},
     "sub_kind"),
    ("AgreePlan", {"goals": [{"domain": "gardening", "goal": "g"}], "intensity": "daily", "expected_weeks": 0},
     "goals.0.domain"),
])
def test_bad_guidance_input_names_the_field(schema, payload, field):
    from shared.contracts import guidance as contracts
    from shared.contracts import validate_command

    with pytest.raises(InvalidInput) as refused:
        validate_command(getattr(contracts, schema),
                         {"actor": WORKER, "client_id": "00000000-0000-4000-8000-000000000000", **payload})
    assert field in refused.value.details
