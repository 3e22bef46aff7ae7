"""The users file: ``{"sample": bool, "users": [{"username", "user_id", "role",
"agency", "password_hash", "totp_seed" (optional)}]}``.

It gives the accounts of the roles intake's directory holds no one in (auditor,
admin, data-protection officer, funder, partner users), and the password hashes of
directory members (their role and agency come from the directory, never from here:
an entry whose user id the directory never named cannot sign in). ``"sample": true``
marks invented users whose passwords are published (development and tests only).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError

from shared.config import ConfigError
from shared.contracts.base import ActorSchema
from shared.contracts.intake_vocabulary import STAFF_PROFILES

DIRECTORY_ROLES = frozenset(STAFF_PROFILES)  # held by intake's directory, not by the file


@dataclass(frozen=True)
class FileUser:
    username: str
    user_id: str
    role: str
    agency: str
    password_hash: str
    totp_seed: str | None = None  # base32; the second factor (services/accounts/second_factor.py)

    @property
    def actor(self) -> dict:
        return {"user_id": self.user_id, "role": self.role, "agency": self.agency}

    @property
    def in_directory(self) -> bool:
        return self.role in DIRECTORY_ROLES


@dataclass(frozen=True)
class UsersFile:
    users: tuple[FileUser, ...]
    sample: bool

    @classmethod
    def load(cls, path: Path) -> "UsersFile":
        try:
            content = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"no users file at {path} ([accounts] users, JWW_ACCOUNTS_USERS)") from None
        users = []
        for entry in content["users"]:
            try:
                ActorSchema().load({"user_id": entry["user_id"], "role": entry["role"], "agency": entry["agency"]})
            except ValidationError as error:
                raise ConfigError(f"user {entry.get('username')!r} in {path}: {error.messages}") from None
            users.append(FileUser(entry["username"], entry["user_id"], entry["role"], entry["agency"],
                                  entry["password_hash"], entry.get("totp_seed")))
        return cls(tuple(users), sample=bool(content.get("sample")))

    @property
    def by_name(self) -> dict[str, FileUser]:
        return {user.username: user for user in self.users}

    def by_user_id(self) -> dict[str, FileUser]:
        return {user.user_id: user for user in self.users}
