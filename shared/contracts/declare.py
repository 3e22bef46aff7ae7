"""Each fact declared once (WAVE2 1).

A *fact* is a marshmallow schema whose fields carry their properties in the
field's metadata, set with ``declared``:

- ``published``: crosses the service's boundary in its integration event, or stays private;
- ``personal``: says something about the person (encrypted per client, erased with the client);
- ``category``: the consent category it belongs to (``CATEGORIES``), None for what is
  not about a client (a staff directory, an id the platform made);
- ``retention``: its retention class (``RETENTION_CLASSES``);
- ``since``: the version of the integration event that first carried it;
- ``given``: the caller gives it in the command that records the fact (else the
  service sets it: an id, who acted);
- ``third_party``: it says who another person is, or what they said: withheld from
  the client's own copy of their data (shared.subject_access).

What crosses a boundary or is shown is derived from the declaration, never written
again: the command that records the fact (``command_fields``), each published
version of its integration event (``published_version``) and the answer that shows
it (``answer_fields``). Encryption, erasure and consent filtering read the same
properties (``personal_fields``, ``fields_in``).
"""
from __future__ import annotations

import copy
from typing import Iterable

from marshmallow import Schema, fields, validate
from marshmallow.utils import missing

CATEGORIES = (
    "identity", "contact", "languages", "legal_situation", "help_request", "trajectory_summary",
    "interventions", "appointments", "referrals", "conditions", "attendance",
)
# How long a client's data is kept is decided per class; each class has its own data
# key per client, so a class falls due by destroying one key (WAVE2 10).
RETENTION_CLASSES = (
    "case_file",  # the file itself: kept for the years after closing the law asks
    "case_notes",  # confidential conversation notes: the shortest
    "access_log",  # who read what: kept as long as an auditor may ask
    "directory",  # staff and partners: not about a client, kept while they work here
)
# What a published version promises about a value: its kind, the values allowed, its
# pattern. Sizes (lengths, ranges) bind the caller of a command, not a consumer.
_PROMISED = (validate.OneOf, validate.Regexp, validate.Equal)


class Unpromised(validate.Validator):
    """A rule that binds the caller of a command but that no published version
    promises (``_promised`` keeps only ``_PROMISED`` rules): codes from lists that grow
    without a new event version (the reference domains, staff profiles) and the
    shape of a directory code, where version 1 promised a plain string. The API
    document still shows the rule, since it reads ``choices`` and ``regex`` from any
    validator."""

    def __init__(self, rule: validate.OneOf | validate.Regexp):
        self.rule = rule
        for shown in ("choices", "regex"):
            if hasattr(rule, shown):
                setattr(self, shown, getattr(rule, shown))

    def __call__(self, value):
        return self.rule(value)

    def _repr_args(self) -> str:
        return repr(self.rule)


def declared(
    field: fields.Field, *, category: str | None, published: bool = True, personal: bool = False,
    retention: str = "case_file", since: int = 1, given: bool = True, third_party: bool = False,
) -> fields.Field:
    """``field`` with its properties; refuses a category or class that does not exist."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown consent category {category!r}")
    if retention not in RETENTION_CLASSES:
        raise ValueError(f"unknown retention class {retention!r}")
    if personal and category is None:
        raise ValueError("a personal field belongs to a consent category")
    field.metadata.update(
        published=published, personal=personal, category=category, retention=retention, since=since, given=given,
    )
    if third_party:  # read by shared.subject_access alone
        field.metadata["third_party"] = True
    return field


def properties(field: fields.Field) -> dict:
    """A field's declared properties (a field declared without them is a plain, published,
    non-personal one: an id or a code)."""
    found = {"published": True, "personal": False, "category": None, "retention": "case_file", "since": 1,
             "given": True}
    found.update({key: field.metadata[key] for key in found if key in field.metadata})
    return found


class Fact(Schema):
    """The declaration of one fact: every field it holds, published or private."""

    # The field that names the fact's own record (its aggregate's id), if it has one.
    identity: str | None = None


def _fields(fact: type[Schema]) -> dict[str, fields.Field]:
    return dict(fact._declared_fields)


def personal_fields(fact: type[Schema]) -> list[str]:
    return [name for name, field in _fields(fact).items() if properties(field)["personal"]]


def fields_in(fact: type[Schema], categories: Iterable[str]) -> list[str]:
    """The fields of ``fact`` that belong to any of ``categories``."""
    wanted = set(categories)
    return [name for name, field in _fields(fact).items() if properties(field)["category"] in wanted]


def _copy(field: fields.Field, **changes) -> fields.Field:
    field = copy.deepcopy(field)
    for name, value in changes.items():
        setattr(field, name, value)
    return field


def _promised(field: fields.Field) -> fields.Field:
    """A field as a published version promises it: always present (null where the
    fact allows none), with its kind and allowed values but not input sizes."""
    field = _copy(field, required=True, load_default=missing)
    field.validators = [rule for rule in field.validators if isinstance(rule, _PROMISED)]
    if isinstance(field, fields.List):
        # marshmallow copies a field shallowly: the items need a copy of their own,
        # or the fact (and its command) would lose their rules too.
        field.inner = copy.copy(field.inner)
        field.inner.validators = [rule for rule in field.inner.validators if isinstance(rule, _PROMISED)]
    return field


def published_version(fact: type[Schema], version: int, base: type[Schema]) -> type[Schema]:
    """The schema of version ``version`` of the fact's integration event: its published
    fields that existed by then."""
    chosen = {
        name: _promised(field) for name, field in _fields(fact).items()
        if properties(field)["published"] and properties(field)["since"] <= version
    }
    return type(f"{fact.__name__}V{version}", (base,), {**chosen, "__doc__": fact.__doc__,
                                                         "__module__": fact.__module__})


def command_fields(fact: type[Schema]) -> dict[str, fields.Field]:
    """The fields a caller gives to record the fact, with their input rules; a command
    schema is ``type(name, (base,), command_fields(Fact))`` or a class using them."""
    return {name: copy.deepcopy(field) for name, field in _fields(fact).items() if properties(field)["given"]}


def answer_fields(
    fact: type[Schema], withheld: Iterable[str] = (), omit: Iterable[str] = (), only: Iterable[str] | None = None,
) -> dict[str, fields.Field]:
    """The fields of the fact as an answer shows them (``only`` these, when given),
    always present; a ``withheld`` field is null for a reader who may not see it,
    a personal one once it is erased;
    ``omit``: what the answer around it already says (the client, the trajectory)."""
    withheld, omit = set(withheld), set(omit)
    only = None if only is None else set(only)
    out = {}
    for name, field in _fields(fact).items():
        if name in omit or (only is not None and name not in only):
            continue
        shown = _copy(field, required=True, load_default=missing)
        if name == getattr(fact, "identity", None):
            shown.attribute = "id"  # shown from the record itself: its id
        # A personal field reads as None once its client's data is erased (shared.sealing).
        if name in withheld or properties(field)["personal"]:
            shown.allow_none = True
        out[name] = shown
    return out
