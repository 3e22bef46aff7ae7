"""Contracts of the intake service: its commands and the integration events it publishes.

Names, national register numbers, contact details and the client's own words stay
inside intake; what crosses the boundary is what other services need to act.
"""
from marshmallow import fields, validate

from shared.contracts.base import ActorSchema, CommandSchema, EventSchema, integration_event

LEGAL_POSITIONS = ("suspect", "convicted", "interned")
LANGUAGE = validate.Regexp(r"^[a-z]{2,3}$", error="must be an ISO 639 language code such as 'nl'")


class RegisterClient(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    legal_position = fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS))
    languages = fields.List(fields.String(validate=LANGUAGE), required=True, validate=validate.Length(min=1))
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(load_default=False)


@integration_event("intake", "client-registered", 1)
class ClientRegisteredV1(EventSchema):
    client_id = fields.UUID(required=True)
    agency = fields.String(required=True)
    legal_position = fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS))
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(required=True)


class RecordLanguages(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)
    expected_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    languages = fields.List(fields.String(validate=LANGUAGE), required=True, validate=validate.Length(min=1))
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(required=True)


@integration_event("intake", "client-languages-recorded", 1)
class ClientLanguagesRecordedV1(EventSchema):
    client_id = fields.UUID(required=True)
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(required=True)
