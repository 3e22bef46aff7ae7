"""Contracts of intake's directory: the agencies, the languages their staff offer,
and their staff. Other services learn who works where from the staff facts.

None of it is about a client: every field is directory data, kept while the agency
and its staff work here. A staff member's display name stays in intake."""
from marshmallow import fields, validate

from shared.contracts.base import ActorSchema, CommandSchema, published_event
from shared.contracts.declare import Fact, Unpromised, command_fields, declared
from shared.contracts.intake_vocabulary import (
    CODE, STAFF_PROFILES, TEXT, USER_ID, spoken_languages, who_acted,
)


def _directory(field: fields.Field, **properties) -> fields.Field:
    return declared(field, category=None, retention="directory", **properties)


class AgencyRegistration(Fact):
    """A judicial-welfare service: its code (which never changes), its name, the
    languages its staff offer and whether it can arrange telephone interpreters."""

    code = _directory(fields.String(required=True, validate=CODE), published=False)
    name = _directory(fields.String(required=True, validate=TEXT), published=False)
    languages = _directory(spoken_languages(), published=False)
    telephone_interpreters = _directory(fields.Boolean(required=True), published=False)
    sample = _directory(fields.Boolean(load_default=False), published=False)  # invented, for development
    registered_by = who_acted()


class AboutAStaffMember(Fact):
    """What names a staff member: their agency's code and their user id."""

    agency = _directory(fields.String(required=True, validate=Unpromised(CODE)))
    user_id = _directory(fields.String(required=True, validate=USER_ID))


class StaffMember(AboutAStaffMember):
    """A staff member added to an agency, in a profile, speaking some languages."""

    display_name = _directory(fields.String(required=True, validate=TEXT), published=False)
    profile = _directory(fields.String(required=True, validate=Unpromised(validate.OneOf(STAFF_PROFILES))))
    languages = _directory(spoken_languages())
    added_by = who_acted()


class StaffMemberActivity(AboutAStaffMember):
    """A staff member deactivated (takes no new clients) or active again."""

    active = _directory(fields.Boolean(required=True), given=False)  # which command was called says it


class DirectoryCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)


RegisterAgency = type("RegisterAgency", (DirectoryCommand,), command_fields(AgencyRegistration))
AddStaffMember = type("AddStaffMember", (DirectoryCommand,), command_fields(StaffMember))
ChangeStaffMember = type("ChangeStaffMember", (DirectoryCommand,), command_fields(StaffMemberActivity))

StaffMemberAddedV1 = published_event("intake", "staff-member-added", 1, StaffMember)
StaffMemberActiveChangedV1 = published_event("intake", "staff-member-active-changed", 1, StaffMemberActivity)
