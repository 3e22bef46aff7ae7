"""The machine-readable catalogue of integration events (AsyncAPI 2.6), generated
from the marshmallow schemas, so an agency on another stack can read our events
without reading our code.

``published.json`` beside this file records every version ever published. A
published version never changes: the tests compare it with what the schemas
generate now and fail on any difference; a new need is a new version. After adding
an event type or version, record it with ``jww catalogue --publish``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

from shared.contracts.base import ACCESS, CATALOGUE, EVENTS
from shared.signing import SIGNED
from shared.contracts.envelope import CONTENT_TYPE, EnvelopeSchema

PUBLISHED = Path(__file__).with_name("published.json")

# Versions no longer published. Their record stays, unchanged, so that whoever holds
# old messages can still read them and no new schema takes their name.
RETIRED = {
    f"be.jww.{service}.client-file-read.v1": "replaced by v2, whose purpose is a code, published on the "
                                             "access stream that only audit reads"
    for service in ("intake", "guidance", "referrals")
}

_TYPES: list[tuple[type, dict]] = [
    (fields.UUID, {"type": "string", "format": "uuid"}),
    (fields.AwareDateTime, {"type": "string", "format": "date-time"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.String, {"type": "string"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Dict, {"type": "object"}),
]


def field_schema(field: fields.Field) -> dict[str, Any]:
    if isinstance(field, fields.List):
        out: dict[str, Any] = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.Nested):
        out = object_schema(field.nested if isinstance(field.nested, type) else type(field.nested))
    else:
        out = next(dict(js) for cls, js in _TYPES if isinstance(field, cls))
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            out["enum"] = list(rule.choices)
        elif isinstance(rule, validate.Equal):
            out["const"] = rule.comparable
        elif isinstance(rule, validate.Regexp):
            out["pattern"] = rule.regex.pattern
        elif isinstance(rule, validate.Length):
            prefix = "Items" if out["type"] == "array" else "Length"
            if rule.min is not None:
                out[f"min{prefix}"] = rule.min
            if rule.max is not None:
                out[f"max{prefix}"] = rule.max
        elif isinstance(rule, validate.Range):
            if rule.min is not None:
                out["minimum"] = rule.min
            if rule.max is not None:
                out["maximum"] = rule.max
    if field.allow_none:
        out["type"] = [out["type"], "null"]
    return out


def object_schema(schema: type[Schema]) -> dict[str, Any]:
    declared = schema._declared_fields
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: field_schema(f) for name, f in declared.items()},
        "required": sorted(name for name, f in declared.items() if f.required),
    }


def event_messages() -> dict[str, dict]:
    """One AsyncAPI message per catalogued type: the envelope with that type's data."""
    messages = {}
    for name, data_schema in sorted(CATALOGUE.items()):
        envelope = object_schema(EnvelopeSchema)
        envelope["additionalProperties"] = True  # CloudEvents lets producers add extensions
        envelope["properties"]["type"] = {"type": "string", "const": name}
        envelope["properties"]["data"] = object_schema(data_schema)
        messages[name] = {
            "name": name,
            "title": f"{data_schema.fact} (version {data_schema.version})",
            "contentType": CONTENT_TYPE,
            "payload": envelope,
        }
    return messages


CHANNELS = {
    EVENTS: "Integration events published by the {service} service.",
    ACCESS: "Who read a client's file in the {service} service, and why: read by the platform's audit "
            "service only.",
}


def asyncapi() -> dict[str, Any]:
    messages = event_messages()
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "Judicial welfare case platform: integration events",
            "version": "1",
            "description": "CloudEvents 1.0 in JSON structured mode, one durable topic exchange "
            "per publishing service, routing key = the event type. Every event is signed by its "
            "publisher: see x-jww-signature.",
        },
        "x-jww-signature": {
            "attribute": "jwwsignature",
            "format": "JWS compact serialization with a detached, unencoded payload (RFC 7515 appendix F, "
                      "RFC 7797: header b64=false, crit [b64]), alg Ed25519, kid in the header",
            "payload": "RFC 8785 canonical JSON of the event's attributes " + ", ".join(SIGNED),
            "keys": "/.well-known/jwks.json on the deployment's gateway (the current and previous key of "
                    "each publishing service; the member jww:key names it)",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": {
            f"jww.{service}.{stream}": {
                "description": CHANNELS[stream].format(service=service),
                "bindings": {"amqp": {"is": "routingKey", "exchange": {
                    "name": f"jww.{service}.{stream}", "type": "topic", "durable": True, "autoDelete": False,
                }}},
                "subscribe": {"message": {"oneOf": [
                    {"$ref": f"#/components/messages/{name}"}
                    for name in messages if (CATALOGUE[name].service, CATALOGUE[name].stream) == (service, stream)
                ]}},
            }
            for service, stream in sorted({(s.service, s.stream) for s in CATALOGUE.values()})
        },
        "components": {"messages": messages},
    }


def data_schemas() -> dict[str, dict]:
    """What each version promises about its ``data``: the part that never changes."""
    return {name: object_schema(schema) for name, schema in sorted(CATALOGUE.items())}


def published() -> dict[str, dict]:
    return json.loads(PUBLISHED.read_text()) if PUBLISHED.exists() else {}


def changed_since_published() -> list[str]:
    """Published versions that the code no longer generates as recorded (a retired
    one that the code generates again counts too)."""
    record, current = published(), data_schemas()
    return [name for name in record
            if (name in current if name in RETIRED else current.get(name) != record[name])]


def publish() -> list[str]:
    """Record the versions not yet published; refuse to alter (or drop) one that was."""
    changed = changed_since_published()
    if changed:
        raise ValueError(f"published versions cannot change; add a new version instead: {changed}")
    record, current = published(), data_schemas()
    added = [name for name in current if name not in record]
    record.update({name: current[name] for name in added})
    PUBLISHED.write_text(json.dumps(dict(sorted(record.items())), indent=2) + "\n")
    return added
