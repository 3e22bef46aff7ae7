"""Contracts of the accounts service (WAVE2 7): who may sign in, and the sessions,
sign-outs and bars the gateway needs to accept or refuse a bearer token.

Accounts publishes no fact: nothing here crosses to another service except through
these RPCs, which only the gateway calls (as its system actor). An account is
directory data, never about a client: its fields are declared with the directory's
retention. No password, hash, refresh token or username is ever logged.
"""
from marshmallow import fields, validate

from shared.contracts.base import ROLES, AnswerSchema, CommandSchema
from shared.contracts.declare import Fact, declared

USERNAME = validate.Length(min=1, max=64)
# A client address as the gateway saw it (an IP address, at most IPv6 with a zone).
CLIENT = validate.Length(max=64)
TOTP = validate.Regexp(r"^([0-9]{6})?$", error="six digits, from your authenticator app")
# A sign-in's outcome, also the metric's label values; "code_required": the password
# was right, the account's one-time code is missing.
OUTCOMES = ("signed_in", "refused", "throttled", "busy", "code_required")  # a sign-in's outcome, also the metric's label values


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
    source = _account(fields.String(required=True, validate=validate.OneOf(("directory", "file"))))
    password_hash = _account(fields.String(allow_none=True))  # argon2; None until one is set
    totp_seed = _account(fields.String(allow_none=True))  # RFC 6238 seed (base32); None until enrolled


class AccountActivity(Fact):
    """A directory member deactivated (cannot sign in; their tokens are refused) or active again."""

    active = _account(fields.Boolean(required=True))
    at = _account(fields.String(required=True))


class SecondFactor(Fact):
    """A second factor enrolled: the seed of the person's authenticator app."""

    totp_seed = _account(fields.String(required=True))


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


class RevocationsAnswer(AnswerSchema):
    """What the gateway refuses: the tokens of a barred user issued before ``since``
    (deactivated, or signed out everywhere), and signed-out tokens by ``jti`` until they expire."""

    users = fields.Dict(keys=fields.String(), values=fields.String(), required=True)  # user_id -> since (ISO 8601)
    tokens = fields.Dict(keys=fields.String(), values=fields.String(), required=True)  # jti -> until (ISO 8601)
