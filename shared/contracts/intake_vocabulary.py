"""The words of intake: the closed lists and the shapes its commands, facts and
answers use, and the fields several of its facts declare alike."""

from marshmallow import fields, validate

from shared.contracts.base import ActorSchema
from shared.contracts.declare import CATEGORIES, declared
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
# Version 1 of consent-given named what it shares with these scopes; version 2 with
# the consent categories of every published field (shared.contracts.declare.CATEGORIES,
# WAVE2 9). The one mapping between them, both ways:
SHARED_DATA = ("identity", "contact", "legal_situation", "help_request", "guidance_progress", "attendance")
# A version 1 scope -> the categories it covers. ``identity`` covered what the client
# speaks too (the registration published both under it).
V1_SCOPES = {
    "identity": ("identity", "languages"),
    "contact": ("contact",),
    "legal_situation": ("legal_situation",),
    "help_request": ("help_request",),
    "guidance_progress": ("trajectory_summary", "interventions", "appointments", "referrals", "conditions"),
    "attendance": ("attendance",),
}
# A category -> the version 1 scope that covered it (what consent-given.v1 still says).
V1_SCOPE_OF = {category: scope for scope, categories in V1_SCOPES.items() for category in categories}


def categories_of(scope: list[str]) -> list[str]:
    """The categories a consent's scope names: a category stands for itself, a version 1
    scope (``guidance_progress``) for what it covered. In the order of CATEGORIES."""
    named = {category for name in scope for category in
             (V1_SCOPES[name] if name in V1_SCOPES and name not in CATEGORIES else (name,))}
    return [category for category in CATEGORIES if category in named]


def v1_scope_of(categories: list[str]) -> list[str]:
    """What version 1 calls these categories: each one's scope, once, in SHARED_DATA order."""
    named = {V1_SCOPE_OF[category] for category in categories}
    return [scope for scope in SHARED_DATA if scope in named]


def v1_categories_of(scope: list[str]) -> list[str]:
    """The categories a version 1 scope covered (a stored or published v1 fact): its
    ``identity`` covered the languages too."""
    named = {category for name in scope for category in V1_SCOPES[name]}
    return [category for category in CATEGORIES if category in named]
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
