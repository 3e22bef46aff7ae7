"""The words of intake: the closed lists and the shapes its commands, facts and
answers use, and the fields several of its facts declare alike."""

from marshmallow import fields, validate

from shared.contracts.base import ActorSchema
from shared.contracts.declare import declared
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
# The staff profiles the directory keeps (shared.contracts.base.ROLES less auditor, admin and the
# data-protection officer, who work for the platform).
STAFF_PROFILES = ("social_assistant", "criminologist", "jurist", "coordinator")
DOMAINS = tuple(intervention_domains())

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}$", error="must be an ISO 639 language code such as 'nl'")
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", error="must be a short lower-case code")
TEXT = validate.Length(min=1, max=200)
NAME = validate.Length(min=1, max=100)
USER_ID = validate.Length(min=1, max=64)


def spoken_languages() -> fields.List:
    """Languages someone speaks: a client, an agency's staff, a staff member."""
    return fields.List(fields.String(validate=LANGUAGE), required=True, validate=validate.Length(min=1, max=10))


def who_acted() -> fields.Field:
    """A staff member (the service sets it from the verified actor): directory data,
    not about the client, published in the envelope (actor, role), never in the data."""
    return declared(fields.Nested(ActorSchema, required=True), category=None, published=False,
                    retention="directory", given=False)
