"""Command-line options from a command's contract (shared/contracts): each field a
caller gives becomes an option with its type, its choices and whether it is
required, so a field declared there reaches the command line without a copy here.

A list is given by repeating the option in the singular (``--domain housing
--domain work`` for ``domains``); an object, as JSON (``--interpreter
'{"language": "ar", "kind": "telephone"}'``).
"""
from __future__ import annotations

import argparse
import json
from typing import Any, Callable

from marshmallow import fields, validate


def _choices(field: fields.Field) -> list | None:
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            return list(rule.choices)
    return None


def _type(field: fields.Field) -> Callable[[str], Any]:
    if isinstance(field, fields.Integer):
        return int
    if isinstance(field, (fields.Nested, fields.Dict)):
        return json.loads
    return str


def _given(schema, skip) -> dict[str, fields.Field]:
    return {name: field for name, field in schema._declared_fields.items() if name not in skip}


def add_options(parser: argparse.ArgumentParser, schema, skip=("actor", "client_id"),
                defaults: dict[str, Callable[[], Any]] | None = None) -> None:
    """One option per field of ``schema`` the caller gives; ``defaults``: a value made
    when the option is left out (now, for a time)."""
    defaults = defaults or {}
    for name, field in _given(schema, skip).items():
        many = isinstance(field, fields.List)
        flag = name.removesuffix("s") if many else name
        choices = _choices(field.inner if many else field)
        parser.add_argument(
            "--" + flag.replace("_", "-"), dest=name, type=_type(field.inner if many else field), choices=choices,
            action="append" if many else "store", required=field.required and name not in defaults,
            metavar=None if choices else flag.upper(),
            help=("repeat for more; " if many else "")
            + ("default given" if name in defaults else "required" if field.required else "optional"),
        )
    parser.set_defaults(option_defaults=defaults, option_schema=schema, option_skip=skip)


def body_from(args: argparse.Namespace) -> dict:
    """The command's body from the options given (as the contract names its fields)."""
    body = {}
    for name, field in _given(args.option_schema, args.option_skip).items():
        value = getattr(args, name)
        if value is None and name in args.option_defaults:
            value = args.option_defaults[name]()
        if value is not None:
            body[field.data_key or name] = value
    return body
