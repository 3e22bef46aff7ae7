"""Contracts of the audit service: its queries. Every query is a read of a client's
file (``shared.contracts.base.FileRead``): it names whose, and states its purpose."""
from marshmallow import ValidationError, fields, validates_schema

from shared.contracts.base import ActorSchema, CommandSchema, FileRead
from shared.contracts.declare import Fact, command_fields, declared


class TimelineEntry(Fact):
    """A published fact as audit keeps it on the client's timeline: the fields its
    own contract declares personal are kept apart from the rest, sealed as one, so
    that the rest still counts once they are erased. They belong to several consent
    categories; as a whole they summarise the client's file, and they are kept as
    long as the file."""

    about_the_client = declared(fields.Dict(required=True), category="trajectory_summary", personal=True,
                                published=False, retention="case_file")


class AuditQuery(type("FileReadGiven", (CommandSchema,), command_fields(FileRead))):
    actor = fields.Nested(ActorSchema, required=True)


class Window(AuditQuery):
    """A time window ``(since, until]``."""

    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)

    @validates_schema
    def since_before_until(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("must be after since", "until")


class Timeline(Window):
    """The whole timeline, or a window of it."""

    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class Replay(AuditQuery):
    # Audit's clock, not the contract, knows what is in the future: the application
    # refuses a later instant, and one before the client's first fact finds no file.
    at = fields.AwareDateTime(required=True, metadata={
        "description": "the instant: up to now (a later one is invalid input, 422), and once the client's "
                       "file exists (before its first fact: not found, 404)"})


Changes = Window
Export = Window
