"""What tests of the declarations (shared/contracts/declare.py) read off a domain
event and a declared fact."""
import dataclasses

from shared.contracts.declare import properties

# What eventsourcing and the platform add to every event: not part of any fact.
ENVELOPE_ONLY = {"originator_id", "originator_version", "timestamp", "correlation_id", "chain", "originator_topic"}


def event_fields(event_class) -> set[str]:
    return {f.name for f in dataclasses.fields(event_class)} - ENVELOPE_ONLY


def declared_names(fact, but=()) -> set[str]:
    """The fact's fields, less the one that is its record's own id."""
    return set(fact._declared_fields) - {fact.identity} - set(but)


def names_where(fact, **wanted) -> set[str]:
    """The fact's fields whose properties are as ``wanted`` (published=True, ...)."""
    return {n for n, f in fact._declared_fields.items() if all(properties(f)[k] == v for k, v in wanted.items())}
