"""What a new agency reads of a client's earlier file after a transfer: the
categories the client's transfer consent names, and nothing else (issue 16, item 5).

One rule for every service's answer: a field whose declared category (the
``category`` of its metadata, set by ``shared.contracts.declare.declared`` or
written on an answer's own field) is not consented reads as null, and the answer's
``withheld`` names it (dotted, for a field inside a nested answer) with why. A field
that declares no category and holds a nested answer is looked into field by field
(who the person is holds identity and contact); any other field without a category
is not about the client (an id, a code, who acted) and is shown.

Not to be confused with ``shared.subject_access``, which withholds what is about
another person from the client's own copy.
"""
from __future__ import annotations

from typing import Iterable

from marshmallow import Schema, fields

NOT_CONSENTED = "not in the transfer consent's categories"


def _schema(field: fields.Field) -> Schema | None:
    if isinstance(field, fields.Nested):
        return field.schema
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        return field.inner.schema
    return None


def category_of(field: fields.Field) -> str | None:
    return field.metadata.get("category")


def withhold(answer: dict, schema: type[Schema] | Schema, categories: Iterable[str],
             reason: str = NOT_CONSENTED) -> dict:
    """``answer`` (as ``schema`` shows it) with each field of a category not in
    ``categories`` null, and ``withheld``: ``{field: reason}`` (what it held already kept)."""
    allowed = set(categories)
    withheld: dict[str, str] = dict(answer.get("withheld") or {})
    shown = _filter(answer, schema if isinstance(schema, Schema) else schema(), allowed, withheld, "", reason)
    return {**shown, "withheld": withheld}


def _filter(value: dict, schema: Schema, allowed: set[str], withheld: dict, prefix: str, reason: str) -> dict:
    out = dict(value)
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in out or key == "withheld":
            continue
        category = category_of(field)
        if category is not None:
            if category not in allowed:
                if out[key] is not None:
                    withheld[prefix + key] = reason
                out[key] = None
            continue
        inner = _schema(field)
        if inner is None or out[key] is None:
            continue
        if isinstance(out[key], list):
            out[key] = [_filter(item, inner, allowed, withheld, f"{prefix}{key}.", reason) for item in out[key]]
        else:
            out[key] = _filter(out[key], inner, allowed, withheld, f"{prefix}{key}.", reason)
    return out


def uncategorised(schema: type[Schema] | Schema, prefix: str = "") -> list[str]:
    """The fields of an answer that declare no category, not even none (``category``
    absent from their metadata), looked into where they hold a nested answer: a test
    keeps the answers read across a transfer free of them, so that a field added
    later cannot slip through unfiltered."""
    schema = schema if isinstance(schema, Schema) else schema()
    missing = []
    for name, field in schema.fields.items():
        if "category" in field.metadata:
            continue
        inner = _schema(field)
        if inner is not None:
            missing += uncategorised(inner, f"{prefix}{name}.")
        else:
            missing.append(prefix + name)
    return missing
