"""Who is asking: users sign in with a password (argon2 hashes in a users file) and
get a signed, expiring bearer token (JWT, HS256) that carries their user id, role
and agency. The gateway takes the actor of every command from that token only;
the services still check what the actor may do.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from marshmallow import ValidationError

from shared.config import ConfigError
from shared.contracts.base import ActorSchema

from services.gateway import problems

ISSUER = "jww-gateway"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class User:
    username: str
    user_id: str
    role: str
    agency: str
    password_hash: str

    @property
    def actor(self) -> dict:
        return {"user_id": self.user_id, "role": self.role, "agency": self.agency}


class Users:
    """The users file: ``{"users": [{"username", "user_id", "role", "agency",
    "password_hash"}]}``; ``"sample": true`` marks invented ones."""

    def __init__(self, users: list[User], sample: bool = False):
        self.by_name = {user.username: user for user in users}
        self.sample = sample
        self.hasher = PasswordHasher()
        # Checked when the name is unknown, so a wrong name takes as long as a wrong password.
        self.decoy = self.hasher.hash("no such user")

    @classmethod
    def load(cls, path: Path) -> "Users":
        try:
            content = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"no users file at {path}") from None
        users = []
        for entry in content["users"]:
            try:
                ActorSchema().load({"user_id": entry["user_id"], "role": entry["role"], "agency": entry["agency"]})
            except ValidationError as error:
                raise ConfigError(f"user {entry.get('username')!r} in {path}: {error.messages}") from None
            users.append(User(entry["username"], entry["user_id"], entry["role"], entry["agency"],
                              entry["password_hash"]))
        return cls(users, sample=bool(content.get("sample")))

    def authenticate(self, username: str, password: str) -> User | None:
        user = self.by_name.get(username)
        try:
            self.hasher.verify(user.password_hash if user else self.decoy, password)
        except (VerificationError, InvalidHashError):
            return None
        return user


class Tokens:
    def __init__(self, key: bytes, lifetime: dt.timedelta,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)):
        self.key = key
        self.lifetime = lifetime
        self.clock = clock

    def issue(self, user: User) -> dict:
        now = self.clock()
        claims = {"iss": ISSUER, "sub": user.user_id, "role": user.role, "agency": user.agency,
                  "iat": now, "exp": now + self.lifetime}
        return {"access_token": jwt.encode(claims, self.key, algorithm=ALGORITHM), "token_type": "Bearer",
                "expires_in": int(self.lifetime.total_seconds())}

    def actor(self, authorization: str | None) -> dict:
        """The actor a request's ``Authorization`` header proves, or a 401 problem."""
        scheme, _, token = (authorization or "").partition(" ")
        if not authorization:
            raise problems.unauthenticated("sign in first: POST /auth/token, then send "
                                           "'Authorization: Bearer <token>'", error=None)
        if scheme.lower() != "bearer" or not token.strip():
            raise problems.unauthenticated("send 'Authorization: Bearer <token>'", error="invalid_request")
        try:
            claims = jwt.decode(token.strip(), self.key, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "iat", "iss", "sub"]})
        except jwt.ExpiredSignatureError:
            raise problems.unauthenticated("the token has expired; sign in again") from None
        except jwt.InvalidTokenError:
            raise problems.unauthenticated("the token is not valid; sign in again") from None
        try:
            return ActorSchema().load({"user_id": claims["sub"], "role": claims.get("role"),
                                       "agency": claims.get("agency")})
        except ValidationError:
            raise problems.unauthenticated("the token does not name a valid actor; sign in again") from None
