"""The published catalogue of integration events, as another agency would use it."""
import json

import jsonschema
from cloudevents.core.formats.json import JSONFormat

from shared.contracts import CATALOGUE, encode
from shared.contracts import catalogue
from shared.contracts.base import STREAMS
from shared.outbox import Outbox
from shared.config import DEPLOY_DIR
from tests.support.samples import COORDINATOR, WORKER
from tests.support import fakes


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
    app.client_file({**WORKER, "agency": "dsr", "user_id": "dsr-sa-1"}, client, "court_request", "2026/17")
    dpo = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
    app.place_legal_hold(dpo, waiting, "legal_claims", "court case 2026/17")
    app.lift_legal_hold(dpo, waiting, "the case is closed")
    erased = fakes.register(app)  # what it published before now reads as fact-erased
    app.request_erasure(COORDINATOR, erased, "no_longer_necessary")
    app.approve_erasure(dpo, erased)
    return Outbox(app).read(after=0, limit=100, streams=STREAMS)


def test_the_realistic_run_publishes_every_intake_type():
    assert {e["type"] for e in published_events()} == {t for t in CATALOGUE if t.startswith("be.jww.intake.")}


def test_what_we_publish_fits_the_asyncapi_document():
    messages = catalogue.asyncapi()["components"]["messages"]
    for event in published_events():
        jsonschema.validate(json.loads(encode(event)), messages[event["type"]]["payload"])


def test_a_stock_cloudevents_sdk_reads_our_messages():
    for event in published_events():
        read = JSONFormat().read(None, encode(event))
        assert read.get_type() == event["type"]
        assert read.get_source() == "/jww/intake"
        assert read.get_subject() == event["subject"]
        assert read.get_extension("jwwposition") == event["jwwposition"]
        assert read.get_data() == event["data"]
