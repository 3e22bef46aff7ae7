import uuid
from datetime import datetime, timezone

import pytest

from shared.contracts import CATALOGUE, DecodeError, decode, encode, envelope, event_type, validate_command
from shared.contracts.intake import RegisterClient
from shared.errors import InvalidInput


def registered(**data_overrides):
    return envelope(
        service="intake",
        type_=event_type("intake", "client-registered", 1),
        subject=str(uuid.uuid4()),
        time=datetime.now(timezone.utc),
        data={
            "client_id": str(uuid.uuid4()),
            "agency": "apo",
            "legal_position": "interned",
            "languages": ["nl"],
            "preferred_language": "nl",
            "interpreter_needed": False,
            **data_overrides,
        },
        position=7,
        prev_position=3,
        aggregate_id=uuid.uuid4(),
        aggregate_version=1,
        agency="apo",
        actor="sa-1",
        actor_role="social_assistant",
    )


def test_an_envelope_round_trips_as_cloudevents_structured_json():
    event = registered()
    decoded = decode(encode(event))
    assert decoded["specversion"] == "1.0"
    assert decoded["type"] == "be.jww.intake.client-registered.v1"
    assert decoded["source"] == "/jww/intake"
    assert (decoded["jwwposition"], decoded["jwwprevposition"]) == (7, 3)
    assert str(decoded["data"]["client_id"]) == event["data"]["client_id"]


def test_the_same_stored_event_always_gets_the_same_id():
    aggregate_id = uuid.uuid4()
    ids = {
        envelope(service="intake", type_="t", subject="s", time=datetime.now(timezone.utc), data={},
                 position=1, prev_position=0, aggregate_id=aggregate_id, aggregate_version=1)["id"]
        for _ in range(2)
    }
    assert len(ids) == 1


@pytest.mark.parametrize(
    "body, reason, field",
    [
        (b"\xff not json", "not JSON", None),
        (b"[1, 2]", "not a JSON object", None),
        (encode({**registered(), "type": "be.jww.intake.client-vanished.v1"}), "unknown type", "type"),
        (encode(registered(legal_position="guilty")), "schema violation", "data.legal_position"),
        (encode({k: v for k, v in registered().items() if k != "jwwposition"}), "invalid envelope", "jwwposition"),
        (encode({**registered(), "specversion": "0.3"}), "invalid envelope", "specversion"),
        (encode({**registered(), "jwwposition": "7"}), "invalid envelope", "jwwposition"),
    ],
)
def test_decoding_names_what_is_wrong(body, reason, field):
    with pytest.raises(DecodeError) as error:
        decode(body)
    assert error.value.reason.startswith(reason)
    if field:
        assert field in error.value.fields


def test_a_command_is_refused_naming_every_bad_field():
    with pytest.raises(InvalidInput) as refused:
        validate_command(
            RegisterClient,
            {"actor": {"user_id": "u", "role": "judge", "agency": "apo"}, "languages": ["Dutch"], "colour": "red"},
        )
    assert set(refused.value.details) == {
        "actor.role", "languages.0", "legal_position", "preferred_language", "colour",
        "given_names", "family_name", "birth_date", "situation",
    }


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidInput):
        validate_command(RegisterClient, ["not", "an", "object"])


def test_every_catalogued_type_is_versioned_and_named_after_its_service():
    for name, schema in CATALOGUE.items():
        assert name == f"be.jww.{schema.service}.{schema.fact}.v{schema.version}"
