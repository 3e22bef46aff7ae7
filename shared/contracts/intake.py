"""Contracts of the intake service: its commands, its queries and the integration
events it publishes.

Names, national register numbers, contact details and the client's own words stay
inside intake; what crosses the boundary is what other services need to act.
"""
from marshmallow import fields, validate, validates_schema, ValidationError

from shared.contracts.base import ActorSchema, CommandSchema, EventSchema, FileReadData, Purpose, integration_event
from shared.contracts.reference import intervention_domains

LEGAL_POSITIONS = ("suspect", "convicted", "interned")
SITUATIONS = (
    "at_liberty_under_conditions",  # suspect awaiting trial, free under conditions
    "at_liberty_awaiting_trial",
    "probation",
    "conditional_release",
    "electronic_monitoring",
    "limited_detention",
    "prison_leave",
    "leave_permit",
    "released_internee_on_trial",
    "internee_on_leave",
    "sentence_served",
    "other",
)
MANDATING_ACTORS = (
    "justice_assistant", "court", "sentence_enforcement_court", "internment_chamber", "public_prosecutor", "other",
)
REQUEST_SOURCES = ("self", "lawyer", "justice_assistant", "prison_psychosocial_service", "ocmw_cpas", "family", "other")
URGENCIES = ("low", "normal", "high", "urgent")
CONSENT_PURPOSES = ("transfer", "referral", "coordination", "family_involvement", "judicial_information")
SHARED_DATA = ("identity", "contact", "legal_situation", "help_request", "guidance_progress", "attendance")
DECLINE_REASONS = ("outside_target_group", "better_served_elsewhere", "client_withdrew", "not_reachable", "other")
INTERPRETER_KINDS = ("telephone", "present")
LANGUAGE = validate.Regexp(r"^[a-z]{2,3}$", error="must be an ISO 639 language code such as 'nl'")
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", error="must be a short lower-case code")
TEXT = validate.Length(min=1, max=200)


def _languages(required=True):
    return fields.List(fields.String(validate=LANGUAGE), required=required, validate=validate.Length(min=1, max=10))


class ContactSchema(CommandSchema):
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9 ./()-]{6,20}$", error="is not a phone number"))
    email = fields.Email()
    address = fields.String(validate=validate.Length(min=3, max=300))


class MandatingActorSchema(CommandSchema):
    kind = fields.String(required=True, validate=validate.OneOf(MANDATING_ACTORS))
    name = fields.String(validate=TEXT)
    organisation = fields.String(validate=TEXT)


class InterpreterSchema(CommandSchema):
    language = fields.String(required=True, validate=LANGUAGE)
    kind = fields.String(required=True, validate=validate.OneOf(INTERPRETER_KINDS))


class RegisterClient(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    given_names = fields.String(required=True, validate=validate.Length(min=1, max=100))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    birth_date = fields.Date(required=True)
    national_number = fields.String(load_default=None, validate=validate.Length(min=11, max=20))
    contact = fields.Nested(ContactSchema, load_default=dict)
    legal_position = fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS))
    situation = fields.String(required=True, validate=validate.OneOf(SITUATIONS))
    mandating_actor = fields.Nested(MandatingActorSchema, load_default=None)
    languages = _languages()
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(load_default=False)

    @validates_schema
    def preferred_is_spoken(self, data, **kwargs):
        if data.get("preferred_language") and data.get("languages") and data["preferred_language"] not in data["languages"]:
            raise ValidationError("must be one of the languages spoken", "preferred_language")


class ClientCommand(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    client_id = fields.UUID(required=True)


class RecordLanguages(ClientCommand):
    expected_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    languages = _languages()
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(required=True)


class ReceiveHelpRequest(ClientCommand):
    source = fields.String(required=True, validate=validate.OneOf(REQUEST_SOURCES))
    domains = fields.List(
        fields.String(validate=validate.OneOf(tuple(intervention_domains()))),
        required=True, validate=validate.Length(min=1),
    )
    question = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(URGENCIES))


class GiveConsent(ClientCommand):
    recipient = fields.String(required=True, validate=CODE)
    purpose = fields.String(required=True, validate=validate.OneOf(CONSENT_PURPOSES))
    scope = fields.List(
        fields.String(validate=validate.OneOf(SHARED_DATA)), required=True, validate=validate.Length(min=1)
    )


class WithdrawConsent(ClientCommand):
    recipient = fields.String(required=True, validate=CODE)
    purpose = fields.String(required=True, validate=validate.OneOf(CONSENT_PURPOSES))


class AcceptIntake(ClientCommand):
    worker = fields.String(required=True, validate=validate.Length(min=1, max=64))
    interpreter = fields.Nested(InterpreterSchema, load_default=None)


class DeclineIntake(ClientCommand):
    reason = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class WaitlistIntake(ClientCommand):
    pass


class ReassignClient(ClientCommand):
    worker = fields.String(required=True, validate=validate.Length(min=1, max=64))
    interpreter = fields.Nested(InterpreterSchema, load_default=None)


class TransferClient(ClientCommand):
    to_agency = fields.String(required=True, validate=CODE)
    worker = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    interpreter = fields.Nested(InterpreterSchema, load_default=None)


class GetClientFile(ClientCommand):
    purpose = Purpose()


class SearchClients(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    name = fields.String(validate=validate.Length(min=2, max=100))
    national_number = fields.String(validate=validate.Length(min=11, max=20))
    purpose = Purpose()

    @validates_schema
    def something_to_search(self, data, **kwargs):
        if not data.get("name") and not data.get("national_number"):
            raise ValidationError("give a name or a national number to search for", "name")


class Waitlist(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    agency = fields.String(required=True, validate=CODE)


class RegisterAgency(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=TEXT)
    languages = _languages()
    telephone_interpreters = fields.Boolean(required=True)
    sample = fields.Boolean(load_default=False)


class AddStaffMember(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    agency = fields.String(required=True, validate=CODE)
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    display_name = fields.String(required=True, validate=TEXT)
    profile = fields.String(
        required=True, validate=validate.OneOf(("social_assistant", "criminologist", "jurist", "coordinator"))
    )
    languages = _languages()


class ChangeStaffMember(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    agency = fields.String(required=True, validate=CODE)
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


# -- integration events ---------------------------------------------------------------

class ClientEvent(EventSchema):
    client_id = fields.UUID(required=True)


@integration_event("intake", "client-registered", 1)
class ClientRegisteredV1(ClientEvent):
    agency = fields.String(required=True)
    legal_position = fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS))
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(required=True)


@integration_event("intake", "client-languages-recorded", 1)
class ClientLanguagesRecordedV1(ClientEvent):
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter_needed = fields.Boolean(required=True)


@integration_event("intake", "help-request-received", 1)
class HelpRequestReceivedV1(ClientEvent):
    request_id = fields.UUID(required=True)
    agency = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(REQUEST_SOURCES))
    domains = fields.List(fields.String(), required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))


@integration_event("intake", "intake-accepted", 1)
class IntakeAcceptedV1(ClientEvent):
    agency = fields.String(required=True)
    worker = fields.String(required=True)
    legal_position = fields.String(required=True, validate=validate.OneOf(LEGAL_POSITIONS))
    situation = fields.String(required=True)
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)
    preferred_language = fields.String(required=True, validate=LANGUAGE)
    interpreter = fields.Nested(InterpreterSchema, required=True, allow_none=True)
    domains = fields.List(fields.String(), required=True)


@integration_event("intake", "intake-declined", 1)
class IntakeDeclinedV1(ClientEvent):
    agency = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))


@integration_event("intake", "intake-waitlisted", 1)
class IntakeWaitlistedV1(ClientEvent):
    agency = fields.String(required=True)


@integration_event("intake", "consent-given", 1)
class ConsentGivenV1(ClientEvent):
    consent_id = fields.UUID(required=True)
    recipient = fields.String(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(CONSENT_PURPOSES))
    scope = fields.List(fields.String(validate=validate.OneOf(SHARED_DATA)), required=True)


@integration_event("intake", "consent-withdrawn", 1)
class ConsentWithdrawnV1(ClientEvent):
    consent_id = fields.UUID(required=True)
    recipient = fields.String(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(CONSENT_PURPOSES))


@integration_event("intake", "client-reassigned", 1)
class ClientReassignedV1(ClientEvent):
    agency = fields.String(required=True)
    from_worker = fields.String(required=True, allow_none=True)
    worker = fields.String(required=True)
    interpreter = fields.Nested(InterpreterSchema, required=True, allow_none=True)


@integration_event("intake", "client-transferred", 1)
class ClientTransferredV1(ClientEvent):
    from_agency = fields.String(required=True)
    agency = fields.String(required=True)
    worker = fields.String(required=True, allow_none=True)


@integration_event("intake", "staff-member-added", 1)
class StaffMemberAddedV1(EventSchema):
    """The directory, for services that address staff (notifications): who works
    where, in which profile, speaking which languages."""

    agency = fields.String(required=True)
    user_id = fields.String(required=True)
    profile = fields.String(required=True)
    languages = fields.List(fields.String(validate=LANGUAGE), required=True)


@integration_event("intake", "staff-member-active-changed", 1)
class StaffMemberActiveChangedV1(EventSchema):
    agency = fields.String(required=True)
    user_id = fields.String(required=True)
    active = fields.Boolean(required=True)


@integration_event("intake", "client-file-read", 1)
class ClientFileReadV1(FileReadData):
    pass
