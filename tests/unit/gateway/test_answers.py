"""Every route's answer schema against what the services really answer.

A realistic case runs through all five services in memory (POPO stores, followers
fed by ``Link``), each command and query called through its RPC entrypoint as
nameko calls it, so the answers are exactly what the gateway receives. Each must
be JSON as it is, fit its marshmallow answer schema, and fit the JSON Schema the
OpenAPI document publishes for the route's success body (a page, for a list).
"""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import warnings
from collections import defaultdict
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator

from services.audit.application import EXPORT_FORMAT, AuditApplication
from services.gateway.openapi import document
from services.gateway.routes import ROUTES, Route
from services.guidance import domain as guidance_domain
from services.guidance.application import GuidanceApplication
from services.intake import domain as intake_domain
from services.notifications import domain as notifications_domain
from services.notifications.application import NotificationsApplication
from services.referrals import domain as referrals_domain
from services.referrals.application import ReferralsApplication
from shared.config import DEPLOY_DIR
from shared.contracts import audit_answers, guidance_answers, intake_answers, notifications_answers, referrals_answers
from tests.support.samples import COORDINATOR, WORKER, registration_payload
from tests.support.fakes import IN_MEMORY, Clock, Link, deliver, intake as new_intake

NOT_ON_THE_CASE = {"user_id": "apo-jur-9", "role": "jurist", "agency": "apo"}
SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}
ADMIN = {"user_id": "ops-1", "role": "admin", "agency": "platform"}
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}


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

class Platform:
    """The five services in memory, each answering through its RPC entrypoints."""

    def __init__(self, clock: Clock):
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = ReferralsApplication(env=IN_MEMORY, clock=clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.notifications = NotificationsApplication(env=IN_MEMORY, clock=clock)
        self.notifications.mailer = self.refuse_mail  # e-mail on, and every attempt fails: dead letters
        self.notifications.max_attempts = 1
        self.audit = AuditApplication(env=IN_MEMORY, clock=clock)
        upstreams = (self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals")
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance")]
        self.links += [Link(self.notifications, up, name) for up, name in upstreams]
        self.links += [Link(self.audit, up, name) for up, name in (*upstreams, (self.notifications, "notifications"))]
        self.answers: dict[str, list] = defaultdict(list)

    @staticmethod
    def refuse_mail(address, subject, body, message_id):
        raise ConnectionRefusedError("no mail server in a unit test")

    def sync(self):
        deliver(self.links)

    def __call__(self, service: str, rpc: str, actor: dict | None = None, **payload):
        """Call an RPC entrypoint with a JSON payload, as nameko would; keep the answer."""
        module = importlib.import_module(f"services.{service}.service")
        (cls,) = [c for _, c in inspect.getmembers(module, inspect.isclass) if getattr(c, "name", None) == service]
        the_service = SimpleNamespace(app=getattr(self, service))
        answer = getattr(cls, rpc)(the_service, None if actor is None else {"actor": actor, **payload})
        self.answers[f"{service}.{rpc}"].append(answer)
        return answer


def iso(value) -> str:
    return value.isoformat()


@pytest.fixture(scope="module")
def answers() -> dict[str, list]:
    start = dt.datetime.now(dt.timezone.utc)
    clock = Clock(start)
    call = Platform(clock)
    today = start.date()

    # -- intake ---------------------------------------------------------------------
    person = registration_payload(
        national_number="85.07.30-033.28", contact={"phone": "+32 2 123 45 67", "email": "samira@example.org"},
        mandating_actor={"kind": "justice_assistant", "organisation": "Justice house Brussels"})
    del person["actor"]
    anyone = {k: v for k, v in registration_payload().items() if k != "actor"}  # no national number: any number of them
    client = call("intake", "register_client", WORKER, **person)["client_id"]
    call("intake", "record_languages", WORKER, client_id=client, expected_version=1, languages=["fr", "ar"],
         preferred_language="fr", interpreter_needed=False)
    call("intake", "receive_help_request", WORKER, client_id=client, source="justice_assistant",
         domains=["housing", "addiction"], question="A place to live.", urgency="high")
    for recipient, purpose in (("transit", "referral"), ("family", "family_involvement"),
                               ("court-x", "judicial_information")):
        call("intake", "give_consent", WORKER, client_id=client, recipient=recipient, purpose=purpose,
             scope=["identity", "help_request"])
    call("intake", "withdraw_consent", WORKER, client_id=client, recipient="court-x", purpose="judicial_information")
    call("intake", "search_clients", WORKER, name="testperson")
    call("intake", "client_file", WORKER, client_id=client)
    call("intake", "accept_intake", COORDINATOR, client_id=client, worker="apo-sa-1")

    waiting = call("intake", "register_client", WORKER, **anyone)["client_id"]
    call("intake", "waitlist_intake", COORDINATOR, client_id=waiting)
    call("intake", "waitlist", COORDINATOR, agency="apo")
    call("intake", "give_consent", WORKER, client_id=waiting, recipient="sab", purpose="transfer", scope=["identity"])
    call("intake", "transfer_client", COORDINATOR, client_id=waiting, to_agency="sab")
    declined = call("intake", "register_client", WORKER, **anyone)["client_id"]
    call("intake", "decline_intake", COORDINATOR, client_id=declined, reason="client_withdrew", note="moved abroad")

    call("intake", "register_agency", ADMIN, code="new-agency", name="A new agency", languages=["nl"],
         telephone_interpreters=False)
    call("intake", "add_staff_member", ADMIN, agency="new-agency", user_id="new-sa-1", display_name="New worker",
         profile="social_assistant", languages=["nl"])
    call("intake", "deactivate_staff_member", ADMIN, agency="new-agency", user_id="new-sa-1")
    call("intake", "reactivate_staff_member", ADMIN, agency="new-agency", user_id="new-sa-1")
    call("intake", "directory")
    call.sync()

    # -- guidance -------------------------------------------------------------------
    case = {"client_id": client}
    call("guidance", "trajectory", WORKER, **case)
    goals = [{"domain": "housing", "goal": "a stable home"}]
    call("guidance", "agree_plan", WORKER, **case, goals=goals, intensity="weekly", expected_weeks=26)
    call("guidance", "review_plan", WORKER, **case, goals=goals + [{"domain": "addiction", "goal": "less drinking"}],
         intensity="fortnightly", expected_weeks=30, reason="a second need came up")
    call("guidance", "record_intervention", WORKER, **case, at=iso(start - dt.timedelta(hours=2)), minutes=45,
         place="office", method="listening_support", sub_kind="listening_ear", domains=["housing"],
         interpreter={"language": "ar", "kind": "present"}, note="confidential", next_steps="call the landlord")
    call("guidance", "recommend_psychologist", WORKER, **case, reason="anxiety")
    condition = call("guidance", "record_condition", WORKER, **case, kind="prohibition",
                     description="no contact with the victim", starts=iso(today),
                     ends=iso(today + dt.timedelta(days=45)), authority="sentence_enforcement_court")["condition_id"]
    call("guidance", "record_condition", WORKER, **case, kind="condition", description="follow a treatment",
         starts=iso(today), authority="court")
    call("guidance", "support_condition", WORKER, **case, condition_id=condition, support="explained it", on=iso(today))
    held = call("guidance", "plan_appointment", WORKER, **case, at=iso(start - dt.timedelta(hours=1)),
                with_actor="lawyer", purpose="prepare the hearing", accompanied_by="apo-sa-1")["appointment_id"]
    call("guidance", "record_appointment_outcome", WORKER, **case, appointment_id=held, outcome="held")
    permit = {"from": iso(start + dt.timedelta(days=2)), "until": iso(start + dt.timedelta(days=4))}
    call("guidance", "plan_appointment", WORKER, **case, at=iso(start + dt.timedelta(days=3)),
         with_actor="ocmw_cpas", purpose="income", leave_permit=permit)
    member = call("guidance", "add_network_member", WORKER, **case, relation="sibling", known_as="the brother")
    call("guidance", "record_network_contact", WORKER, **case, member_id=member["member_id"], on=iso(today),
         kind="phone", note="willing to help")
    call("guidance", "prepare_return_home", WORKER, **case, member_id=member["member_id"], leave_permit=permit,
         note="a room is ready")
    procedure = call("guidance", "start_procedure", WORKER, **case, kind="rehabilitation", on=iso(today))
    call("guidance", "record_procedure_step", WORKER, **case, procedure_id=procedure["procedure_id"],
         step="request filed", on=iso(today))
    call("guidance", "end_procedure", WORKER, **case, procedure_id=procedure["procedure_id"], outcome="granted",
         on=iso(today))
    call("guidance", "issue_attendance_certificate", WORKER, **case, language="fr", recipient="justice_assistant",
         person_name="Samira Testperson", **{"from": iso(today - dt.timedelta(days=1)), "until": iso(today)})
    call("guidance", "activity", COORDINATOR, **{"from": iso(today - dt.timedelta(days=1)), "until": iso(today)})
    call.sync()

    # -- referrals ------------------------------------------------------------------
    referral = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["housing"],
                    reason="a supported home")["referral_id"]
    for step in ("sent", "acknowledged", "accepted", "started"):
        call("referrals", "record_referral_step", WORKER, referral_id=referral, step=step)
    call("referrals", "record_referral_step", WORKER, referral_id=referral, step="completed", outcome="effective")
    refused = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["addiction"],
                   reason="day programme")["referral_id"]
    for step in ("sent", "acknowledged"):
        call("referrals", "record_referral_step", WORKER, referral_id=refused, step=step)
    call("referrals", "record_referral_step", WORKER, referral_id=refused, step="declined", reason="full")
    kept = call("referrals", "add_coordination_actor", WORKER, **case, role="lawyer", organisation="Bar",
                contact="+32 2 000 00 00", does="the hearing")
    gone = call("referrals", "add_coordination_actor", WORKER, **case, role="employer", organisation="Shop",
                does="a trial job")
    call("referrals", "remove_coordination_actor", WORKER, **case, actor_id=gone["actor_id"])
    assert kept["actor_id"] != gone["actor_id"]
    conference = call("referrals", "hold_case_conference", WORKER, **case, on=iso(today),
                      participants=["apo-sa-1", "lawyer"], decisions=["apply for housing"],
                      actions=[{"action": "file the form", "owner": "apo-sa-1", "due": iso(today)},
                               {"action": "call back", "owner": "lawyer", "due": iso(today)}])
    call("referrals", "complete_conference_action", WORKER, conference_id=conference["conference_id"], index=0,
         on=iso(today))
    call("referrals", "coordination", WORKER, **case)
    call("referrals", "partners")
    call("referrals", "partner_figures", WORKER, **{"from": iso(today - dt.timedelta(days=1)),
                                                     "until": iso(today + dt.timedelta(days=1))})
    call.sync()

    # -- time passes: gaps, ending conditions, stalled referrals, undelivered mail ------
    clock.now = start + dt.timedelta(days=40)
    call("guidance", "check_time", COORDINATOR)
    call("referrals", "check_time", COORDINATOR)
    call.sync()
    call.notifications.deliver_due()
    call("intake", "reassign_client", COORDINATOR, client_id=client, worker="apo-crim-1",
         interpreter={"language": "fr", "kind": "present"})
    call.sync()
    call("guidance", "close_trajectory", COORDINATOR, **case, reason="goals_reached", summary="housed")
    call("guidance", "reopen_trajectory", COORDINATOR, **case, reason="lost the home")
    call("guidance", "caseload", COORDINATOR)
    call("guidance", "trajectory", WORKER, **case)  # on the case: reads the notes
    call("guidance", "trajectory", NOT_ON_THE_CASE, **case)  # does not
    call("referrals", "referral_history", WORKER, **case)
    call("intake", "client_file", COORDINATOR, client_id=client)
    call("intake", "client_file", SAB_COORDINATOR, client_id=waiting)
    call("intake", "search_clients", WORKER, name="testperson")

    # -- notifications and audit ------------------------------------------------------
    inbox = call("notifications", "inbox", WORKER)
    call("notifications", "mark_read", WORKER, notification_id=inbox[0]["notification_id"])
    call("notifications", "inbox", WORKER)
    call("notifications", "dead_letters", ADMIN)
    call.sync()
    window = {"since": iso(start - dt.timedelta(minutes=1)), "until": iso(clock.now + dt.timedelta(minutes=1))}
    call("audit", "timeline", AUDITOR, **case, purpose="yearly audit")
    call("audit", "replay", AUDITOR, **case, purpose="yearly audit", at=iso(clock.now))
    call("audit", "changes", AUDITOR, **case, purpose="yearly audit", **window)
    call("audit", "export", AUDITOR, **case, purpose="yearly audit", **window)
    call("audit", "export_report", AUDITOR, **case, purpose="yearly audit", **window)
    return dict(call.answers)


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
    history = answers["referrals.referral_history"][-1]
    assert {r["state"] for r in history} >= {"completed", "declined", "proposed"}
    assert any(r["stalled"] for r in history)
    transferred = answers["intake.client_file"][-1]
    assert transferred["worker"] is None and transferred["decisions"][-1]["decision"] == "transferred"
    assert answers["notifications.dead_letters"][-1]
    assert any(c["before"] is None for c in answers["audit.changes"][-1]["changes"])


def test_an_answer_that_strays_from_its_schema_is_caught_by_both(answers, doc):
    route = next(r for r in ROUTES if r.operation_id == "intake.client_file")
    strayed = {**answers["intake.client_file"][0], "status": "lost", "nickname": "Sam"}
    assert set(route.answer().validate(strayed)) == {"status", "nickname"}
    assert len(list(success_schema(doc, route).iter_errors(strayed))) == 2
