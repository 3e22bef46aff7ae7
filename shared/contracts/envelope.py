"""CloudEvents 1.0 envelope in JSON structured mode (content type
``application/cloudevents+json``), readable with a stock CloudEvents SDK.

Extension attributes (lower-case letters and digits only, as the spec requires):

- ``jwwposition``: the event's position in its service's log;
- ``jwwprevposition``: the position of the previous event that service published
  (0 for its first), so a consumer can tell a lost message from a position that
  holds only a private event or never held one;
- ``jwwaggregateversion``: the version of the aggregate after this event;
- ``jwwagency``, ``jwwactor``, ``jwwactorrole``: who did it, in which agency;
- ``jwwcorrelation``: the correlation id of the command that caused it;
- ``jwwsignature``: the publisher's signature (shared/signing.py), a JWS with a
  detached payload whose header names the key of the JWKS document;
- ``jwwrecipient``, ``jwwsequence``: on an organisation's feed entry (services/sharing),
  the organisation and the entry's number in its feed (1, 2, 3...: a gap is a loss).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.contracts.base import CATALOGUE, _flatten

CONTENT_TYPE = "application/cloudevents+json"
_ID_NAMESPACE = uuid.UUID("5b0f3c1e-5d1c-4a8e-9d59-0c3c1d6a7e21")


class DecodeError(Exception):
    """A message that is not a valid integration event; ``reason`` says why, by field."""

    def __init__(self, reason: str, fields_: dict[str, list[str]] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.fields = fields_ or {}

    def describe(self) -> str:
        if not self.fields:
            return self.reason
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(self.fields.items()))
        return f"{self.reason} ({detail})"


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    specversion = fields.String(required=True, validate=validate.Equal("1.0"))
    id = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1))
    type = fields.String(required=True, validate=validate.Length(min=1))
    subject = fields.String(required=True, validate=validate.Length(min=1))
    time = fields.AwareDateTime(required=True, format="iso")
    datacontenttype = fields.String(validate=validate.Equal("application/json"))
    data = fields.Dict(required=True)
    jwwposition = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    jwwprevposition = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    jwwaggregateversion = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    jwwagency = fields.String(load_default=None, allow_none=True)
    jwwactor = fields.String(load_default=None, allow_none=True)
    jwwactorrole = fields.String(load_default=None, allow_none=True)
    jwwcorrelation = fields.String(load_default=None, allow_none=True)
    jwwsignature = fields.String(load_default=None, allow_none=True)
    # A feed entry's recipient organisation and its place in that organisation's feed
    # (services/sharing): what routes it, and how a partner sees a gap.
    jwwrecipient = fields.String(load_default=None, allow_none=True)
    jwwsequence = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1))


_envelope_schema = EnvelopeSchema()


def envelope(
    *,
    service: str,
    type_: str,
    subject: str,
    time: datetime,
    data: dict,
    position: int,
    prev_position: int,
    aggregate_id: uuid.UUID,
    aggregate_version: int,
    agency: str | None = None,
    actor: str | None = None,
    actor_role: str | None = None,
    correlation_id: str | None = None,
    recipient: str | None = None,
    sequence: int | None = None,
) -> dict[str, Any]:
    """Build an envelope. Its id is derived from the stored event's identity, so
    publishing the same event again yields the same id. Extensions without a value
    are left out rather than sent as null, as CloudEvents expects."""
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid5(_ID_NAMESPACE, f"{service}/{aggregate_id}/{aggregate_version}")),
        "source": f"/jww/{service}",
        "type": type_,
        "subject": subject,
        "time": time.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
        "jwwposition": position,
        "jwwprevposition": prev_position,
        "jwwaggregateversion": aggregate_version,
        "jwwagency": agency,
        "jwwactor": actor,
        "jwwactorrole": actor_role,
        "jwwcorrelation": correlation_id or None,
        "jwwrecipient": recipient,
        "jwwsequence": sequence,
    }
    return {key: value for key, value in event.items() if value is not None}


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def decode(body: bytes | str | dict) -> dict[str, Any]:
    """Parse and validate an envelope and its data against the catalogue.

    Returns the envelope as a dict (``time`` as a datetime, ``data`` loaded by its
    schema). Raises DecodeError naming what is wrong.
    """
    if isinstance(body, dict):
        raw = body
    else:
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise DecodeError(f"not JSON: {error.__class__.__name__}") from None
    if not isinstance(raw, dict):
        raise DecodeError("not a JSON object")
    try:
        event = _envelope_schema.load(raw)
    except ValidationError as error:
        raise DecodeError("invalid envelope", _flatten(error.messages)) from None
    schema = CATALOGUE.get(event["type"])
    if schema is None:
        raise DecodeError("unknown type", {"type": [f"{event['type']} is not in the catalogue"]})
    try:
        event["data"] = schema().load(event["data"])
    except ValidationError as error:
        raise DecodeError("schema violation", _flatten(error.messages, "data")) from None
    return event
