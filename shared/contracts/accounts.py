"""Contracts of the accounts service (WAVE2 7): who may sign in, and the sessions,
sign-outs and bars the gateway needs to accept or refuse a bearer token.

Accounts publishes no fact: nothing here crosses to another service except through
these RPCs, which only the gateway calls (as its system actor). An account is
directory data, never about a client: its fields are declared with the directory's
retention. No password, hash, refresh token or username is ever logged.
"""
from marshmallow import fields, validate

from shared.contracts.base import ROLES, ActorSchema, AnswerSchema, CommandSchema
from shared.contracts.declare import Fact, declared

USERNAME = validate.Length(min=1, max=64)
# A client address as the gateway saw it (an IP address, at most IPv6 with a zone).
CLIENT = validate.Length(max=64)
TOTP = validate.Regexp(r"^([0-9]{6})?$", error="six digits, from your authenticator app")
# A sign-in's outcome, also the metric's label values; "code_required": the password
# was right, the account's one-time code is missing.
OUTCOMES = ("signed_in", "refused", "throttled", "busy", "code_required")
ENROLMENT_OUTCOMES = ("enrolled", "refused", "throttled", "busy")
# A password its owner chose: long rather than clever (NIST SP 800-63B: at least 8, we ask 12).
PASSWORD = validate.Length(min=12, max=200, error="between 12 and 200 characters")
# An enrolment code as an admin handed it over: 20 letters and digits, dashes and spaces as typed.
ENROLMENT_CODE = validate.Regexp(r"^[A-Za-z0-9 -]{20,40}$", error="the code your admin gave you: 20 letters and digits")
# The languages the pages speak: a person's choice, kept with their account.
INTERFACE_LANGUAGES = ("nl", "fr", "en")


def _account(field: fields.Field, **properties) -> fields.Field:
    return declared(field, category=None, retention="directory", published=False, **properties)


class Account(Fact):
    """Someone who may sign in: a staff member of intake's directory (their user id is
    their username, their profile their role) or a role the directory holds no one in
    (auditor, admin, data-protection officer, funder, partner user), from the users file."""

    username = _account(fields.String(required=True, validate=USERNAME))
    user_id = _account(fields.String(required=True))
    role = _account(fields.String(required=True, validate=validate.OneOf(ROLES)))
    agency = _account(fields.String(required=True))
    source = _account(fields.String(required=True, validate=validate.OneOf(("directory", "file", "admin"))))
    password_hash = _account(fields.String(allow_none=True))  # argon2; None until one is set
    totp_seed = _account(fields.String(allow_none=True))  # RFC 6238 seed (base32); None until enrolled


class AccountActivity(Fact):
    """A directory member deactivated (cannot sign in; their tokens are refused) or active again."""

    active = _account(fields.Boolean(required=True))
    at = _account(fields.String(required=True))


class SecondFactor(Fact):
    """A second factor enrolled: the seed of the person's authenticator app."""

    totp_seed = _account(fields.String(required=True))


class Enrolment(Fact):
    """A one-time enrolment code issued (kept as a digest only), by an admin or by
    ``jww bootstrap-admin``; until it is used the account cannot sign in."""

    digest = _account(fields.String(required=True))
    expires = _account(fields.String(required=True))
    by = _account(fields.String(required=True))  # the admin's user id, or "bootstrap"


class Enrolled(Fact):
    """The person chose their password (and got a new second factor's seed) with their code."""

    password_hash = _account(fields.String(required=True))
    totp_seed = _account(fields.String(allow_none=True))
    at = _account(fields.String(required=True))


class PasswordChanged(Fact):
    """A signed-in person changed their own password."""

    password_hash = _account(fields.String(required=True))
    at = _account(fields.String(required=True))


class LanguageChosen(Fact):
    """A signed-in person chose the language the pages speak to them, on any browser."""

    language = _account(fields.String(required=True, validate=validate.OneOf(INTERFACE_LANGUAGES)))
    at = _account(fields.String(required=True))


class FirstAdmin(Fact):
    """That the platform's first admin was named (``jww bootstrap-admin``, once)."""

    username = _account(fields.String(required=True, validate=USERNAME))


class CalendarFeedTurnedOn(Fact):
    """A person turned their calendar feed on (or renewed its address): which address
    is current, and the key of its client aliases."""

    feed_id = _account(fields.String(required=True))
    alias_key = _account(fields.String(required=True))
    at = _account(fields.String(required=True))


class CalendarFeedTurnedOff(Fact):
    """A person turned their calendar feed off."""

    at = _account(fields.String(required=True))


class CalendarFeedAddress(Fact):
    """A calendar feed's secret address, kept as a digest only, and whose it is."""

    secret_digest = _account(fields.String(required=True))
    username = _account(fields.String(required=True, validate=USERNAME))
    at = _account(fields.String(required=True))


class CalendarFeedRevocation(Fact):
    """A calendar feed's address answers no more (renewed, or the feed turned off)."""

    at = _account(fields.String(required=True))


class Session(Fact):
    """A sign-in's session: its refresh token is kept as a digest only."""

    session_id = _account(fields.String(required=True))
    digest = _account(fields.String(required=True))
    expires = _account(fields.String(required=True))


class SignIn(CommandSchema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client = fields.String(load_default="", validate=CLIENT)  # the address the gateway saw
    totp = fields.String(load_default="", validate=TOTP)  # the authenticator app's code, where one is enrolled


class Refresh(CommandSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client = fields.String(load_default="", validate=CLIENT)


class SignOut(CommandSchema):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))  # the token's subject
    jti = fields.String(required=True, validate=validate.Length(min=1, max=64))
    until = fields.DateTime(required=True)  # the token's expiry: the deny-list forgets it after
    session_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class OpenAccount(CommandSchema):
    """An admin opens an account in a role intake's directory holds no one in."""

    actor = fields.Nested(ActorSchema, required=True)
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9._-]{0,63}$", error="lower-case letters, digits, '.', '_' and '-', at most 64"))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    agency = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ResetAccount(CommandSchema):
    """An admin resets an account: a new enrolment code, everything before stops."""

    actor = fields.Nested(ActorSchema, required=True)
    username = fields.String(required=True, validate=USERNAME)


class Enrol(CommandSchema):
    username = fields.String(required=True, validate=USERNAME)
    enrolment_code = fields.String(required=True, validate=ENROLMENT_CODE)
    password = fields.String(required=True, validate=PASSWORD)
    second_factor_wanted = fields.Boolean(load_default=False)  # always given to coordinators, auditors, admins
    client = fields.String(load_default="", validate=CLIENT)


class ChangePassword(CommandSchema):
    actor = fields.Nested(ActorSchema, required=True)
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=PASSWORD)


class ChooseLanguage(CommandSchema):
    """A signed-in person's language for the pages, remembered for their next sign-in."""

    actor = fields.Nested(ActorSchema, required=True)
    language = fields.String(required=True, validate=validate.OneOf(INTERFACE_LANGUAGES))


class CalendarFeedChange(CommandSchema):
    """Turn one's own calendar feed on (a new secret address) or off."""

    actor = fields.Nested(ActorSchema, required=True)


class CalendarFeedOwner(CommandSchema):
    """Whose feed a secret address opens (the gateway asks, for a feed's reader)."""

    secret = fields.String(required=True, validate=validate.Length(min=20, max=100))


class CalendarFeedAnswer(AnswerSchema):
    """Whether the feed is on, and its address (shown once: keep it in a calendar app)."""

    calendar_feed = fields.Boolean(required=True)
    path = fields.String(required=True, allow_none=True)


class EnrolmentAnswer(AnswerSchema):
    """The code to hand to the account's owner, out of band: shown this once."""

    username = fields.String(required=True)
    role = fields.String(required=True)
    enrolment_code = fields.String(required=True)
    expires = fields.String(required=True)


class EnrolAnswer(AnswerSchema):
    """``enrolled`` carries the new second factor's seed and otpauth URI, shown this
    once, where one was given; ``throttled`` and ``busy`` say when to try again."""

    outcome = fields.String(required=True, validate=validate.OneOf(ENROLMENT_OUTCOMES))
    username = fields.String(required=True)
    totp_seed = fields.String(allow_none=True)
    totp_uri = fields.String(allow_none=True)
    retry_after = fields.Integer(allow_none=True)


class PasswordChangedAnswer(AnswerSchema):
    username = fields.String(required=True)
    changed = fields.Boolean(required=True)


class LanguageAnswer(AnswerSchema):
    username = fields.String(required=True)
    language = fields.String(required=True, validate=validate.OneOf(INTERFACE_LANGUAGES))


class ActorAnswer(AnswerSchema):
    user_id = fields.String(required=True)
    role = fields.String(required=True)
    agency = fields.String(required=True)


class SignInAnswer(AnswerSchema):
    """``signed_in`` carries the actor and a refresh token; ``throttled`` and ``busy``
    say after how many seconds to try again; ``refused`` says nothing more (a wrong
    name and a wrong password look alike)."""

    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    actor = fields.Nested(ActorAnswer, allow_none=True)
    session_id = fields.String(allow_none=True)
    refresh_token = fields.String(allow_none=True)
    retry_after = fields.Integer(allow_none=True)
    # ``signed_in`` only: the language the person chose last (None: never chose), for the pages to start in.
    language = fields.String(allow_none=True, validate=validate.OneOf(INTERFACE_LANGUAGES))


class RevocationsAnswer(AnswerSchema):
    """What the gateway refuses: the tokens of a barred user issued before ``since``
    (deactivated, or signed out everywhere), and signed-out tokens by ``jti`` until they expire."""

    users = fields.Dict(keys=fields.String(), values=fields.String(), required=True)  # user_id -> since (ISO 8601)
    tokens = fields.Dict(keys=fields.String(), values=fields.String(), required=True)  # jti -> until (ISO 8601)
