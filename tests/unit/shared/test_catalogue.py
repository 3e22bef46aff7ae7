"""The published catalogue of integration events, as another agency would use it."""
import datetime as dt
import json
import uuid
from types import SimpleNamespace

import jsonschema
import pytest
from cloudevents.core.formats.json import JSONFormat

from services.intake.service import IntakeService
from shared.contracts import CATALOGUE, encode
from shared.contracts import catalogue
from shared.contracts.base import STREAMS
from shared.errors import Forbidden
from shared.outbox import Outbox
from shared.config import DEPLOY_DIR
from services.intake.domain import DuplicateCheck
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.support import fakes
from tests.support.feeds import GuidanceFeed
from tests.unit.audit.test_timeline_complete import World, run_case


def test_no_published_version_has_changed():
    assert catalogue.changed_since_published() == [], (
        "a published event version changed: publish a new version instead (see shared/contracts/catalogue.py)"
    )


def test_every_event_type_in_the_code_is_in_the_published_catalogue():
    missing = sorted(set(CATALOGUE) - set(catalogue.published()))
    assert missing == [], f"record them with `jww catalogue --publish`: {missing}"


def test_a_change_to_a_published_version_is_caught(monkeypatch):
    schema = CATALOGUE["be.jww.intake.client-registered.v1"]
    field = schema._declared_fields.pop("interpreter_needed")
    try:
        assert catalogue.changed_since_published() == ["be.jww.intake.client-registered.v1"]
    finally:
        schema._declared_fields["interpreter_needed"] = field


def published_events():
    """Every kind of fact intake publishes, from one realistic run."""
    app = fakes.intake()
    app.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    client = fakes.register(app)
    fakes.change_languages(app, client)
    app.receive_help_request(WORKER, client, "lawyer", ["work", "addiction"], "Question", "normal")
    app.accept(COORDINATOR, client, "apo-sa-1")
    app.reassign(COORDINATOR, client, "apo-crim-1", {"language": "fr", "kind": "present"})
    app.give_consent(WORKER, client, "dsr", "transfer", ["identity"])
    app.transfer(COORDINATOR, client, "dsr")
    app.withdraw_consent({**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"}, client, "dsr", "transfer")
    waiting, declined = fakes.register(app), fakes.register(app)
    app.waitlist(COORDINATOR, waiting)
    app.decline(COORDINATOR, declined, "client_withdrew")
    # Corrections (issue 20).
    app.change_legal_situation(WORKER, waiting, app.today(), "the court granted it", situation="conditional_release")
    app.change_contact_details(WORKER, waiting, app.today(), {"phone": "+32 470 00 00 00"}, "a new phone")
    app.reopen_intake(COORDINATOR, declined, "she came back")
    closed = fakes.register(app)
    app.accept(COORDINATOR, closed, "apo-sa-1")
    assert GuidanceFeed(app).closed(closed, uuid.uuid4()) == "applied"
    app.reopen_intake(COORDINATOR, closed, "she asks for help again")
    app.client_file({**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"}, client, "court_request", "2026/17")
    stranger = {**WORKER, "agency": "sab", "user_id": "sab-sa-1"}  # the client never was with sab
    with pytest.raises(Forbidden):  # refused at the RPC edge, which records the attempt
        IntakeService.client_file(SimpleNamespace(app=app), {"actor": stranger, "client_id": str(client)})
    dpo = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
    app.place_legal_hold(dpo, waiting, "legal_claims", "court case 2026/17")
    app.lift_legal_hold(dpo, waiting, "the case is closed")
    erased = fakes.register(app)  # what it published before now reads as fact-erased
    app.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    app.refuse_erasure(dpo, erased, "a court asked to keep the file")
    app.request_erasure(COORDINATOR, erased, "no_longer_necessary")
    app.approve_erasure(dpo, erased)
    # A number on another agency's file: held, then settled by both agencies' coordinators (WAVE2 15).
    app.register_client(WORKER, **registration_args(national_number="85073003328"))
    held = app.register_client({**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"},
                               **registration_args(national_number="85073003328"))
    for coordinator in ({**COORDINATOR, "agency": "dsr", "user_id": "dsr-coord"}, COORDINATOR):
        app.settle_duplicate_check(coordinator, DuplicateCheck.create_id(held), "different_person")
    fakes.take_checkpoint(app)  # as its relay does
    return Outbox(app).read(after=0, limit=100, streams=STREAMS)


def test_the_realistic_run_publishes_every_intake_type():
    assert {e["type"] for e in published_events()} == {t for t in CATALOGUE if t.startswith("be.jww.intake.")}


def test_what_we_publish_fits_the_asyncapi_document():
    messages = catalogue.asyncapi()["components"]["messages"]
    for event in published_events():
        jsonschema.validate(json.loads(encode(event)), messages[event["type"]]["payload"])


# Version 1 of a referral's step allows a null outcome (a step before the end), but its
# published document lists the outcomes without null: a nullable code's enum omits it
# (catalogue.field_schema). Mending the document alters a published version, so that
# waits for a decision; every other event of the case is checked against its document.
NULL_OUTSIDE_ITS_ENUM = "be.jww.referrals.referral-step-recorded.v1"


def test_a_nullable_code_outside_its_enum_is_only_the_known_one():
    def nullable_enums(schema, path=""):
        if isinstance(schema, dict):
            if "null" in (schema.get("type") or []) and None not in schema.get("enum", [None]):
                yield path
            for key, value in schema.items():
                yield from nullable_enums(value, f"{path}/{key}")

    found = [(name, path) for name, schema in catalogue.data_schemas().items() for path in nullable_enums(schema)]
    assert found == [(NULL_OUTSIDE_ITS_ENUM, "/properties/outcome")]


def test_what_every_service_publishes_in_a_realistic_case_fits_the_asyncapi_document():
    """The case that audit's timeline is checked against, whose run stores every kind
    of fact published about a client (tests/unit/audit/test_timeline_complete.py)."""
    world = World(fakes.Clock(dt.datetime.now(dt.timezone.utc)))
    run_case(world)
    messages = catalogue.asyncapi()["components"]["messages"]
    seen = set()
    for app in world.apps.values():
        for event in Outbox(app).read(after=0, limit=10_000, streams=STREAMS):
            seen.add(event["type"])
            if event["type"] == NULL_OUTSIDE_ITS_ENUM and event["data"]["outcome"] is None:
                continue
            jsonschema.validate(json.loads(encode(event)), messages[event["type"]]["payload"])
    assert {"be.jww.guidance.condition-recorded.v1", "be.jww.guidance.plan-reviewed.v1",
            "be.jww.guidance.return-home-prepared.v1", "be.jww.referrals.coordination-actor-added.v1",
            "be.jww.notifications.erasure-carried-out.v1", "be.jww.intake.erasure-refused.v1"} <= seen


def test_a_stock_cloudevents_sdk_reads_our_messages():
    for event in published_events():
        read = JSONFormat().read(None, encode(event))
        assert read.get_type() == event["type"]
        assert read.get_source() == "/jww/intake"
        assert read.get_subject() == event["subject"]
        assert read.get_extension("jwwposition") == event["jwwposition"]
        assert read.get_data() == event["data"]
