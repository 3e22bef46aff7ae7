"""Fail closed in production (issue 17, WAVE2 8).

``JWW_ENV`` says where a process runs: ``development`` (the default: ``make run``
and the tests, where keys are generated under ``var/`` and the sample files load)
or ``production`` (the image, compose and Kubernetes). In production each process
(``jww serve <service>``, ``jww relay <service>``, ``jww serve gateway``) checks,
before it connects to anything, that every secret it needs is a mounted file that
is there, long enough and not a published development value, that no secret sits
in a plain environment variable, and that no file it loads (intake's staff
directory, referrals' partners, accounts' users) is marked ``"sample": true``. The first problem stops it with one sentence naming the
setting (``Refused``, a ``ConfigError``: ``jww`` prints it and exits 2).

Nothing here generates a key: in production a missing key is a refusal.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

from shared import config, datakeys, keys

SETTING = "JWW_ENV"
DEVELOPMENT, PRODUCTION = "development", "production"
MIN_KEY_BYTES = 32  # HMAC-SHA256 keys: the token key and the national-number key

# Each secret's plain setting and the file setting production reads it from.
PLAIN_SECRETS = {
    "JWW_AMQP_PASSWORD": "JWW_AMQP_PASSWORD_FILE",
    "PGPASSWORD": "PGPASSWORD_FILE",
    "JWW_GATEWAY_TOKEN_KEY": "JWW_GATEWAY_TOKEN_KEY_FILE",
    "JWW_INTAKE_NATIONAL_NUMBER_KEY": "JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE",
    "JWW_ACCOUNTS_LOG_KEY": "JWW_ACCOUNTS_LOG_KEY_FILE",
}
# The files a service loads at start that may be sample data: (option of its own
# section, the setting that overrides it). Accounts' users file holds who may sign in
# and their password hashes (the gateway holds none: WAVE2 7).
SAMPLE_FILES = {
    "intake": ("sample_directory", "JWW_INTAKE_SAMPLE_DIRECTORY"),
    "referrals": ("sample_partners", "JWW_REFERRALS_SAMPLE_PARTNERS"),
    "accounts": ("users", "JWW_ACCOUNTS_USERS"),
}
# Of those, the files a service cannot do without: production mounts the real one,
# never leaves the setting empty (without accounts' users file nobody signs in).
REQUIRED_FILES = frozenset({"accounts"})


class Refused(config.ConfigError):
    """A production process that will not start; the message names the setting."""


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def environment(env: Mapping[str, str] | None = None) -> str:
    value = _env(env).get(SETTING) or DEVELOPMENT
    if value not in (DEVELOPMENT, PRODUCTION):
        raise Refused(f"{SETTING} must be {DEVELOPMENT} or {PRODUCTION}, not {value!r}")
    return value


def in_production(env: Mapping[str, str] | None = None) -> bool:
    return environment(env) == PRODUCTION


# -- the rules ------------------------------------------------------------------------

def no_plain_secrets(env: Mapping[str, str]) -> None:
    """WAVE2 8: a secret in a plain variable shows in ``ps e``, ``docker inspect`` and
    crash dumps; production takes it from a file only."""
    for plain, file_setting in PLAIN_SECRETS.items():
        if env.get(plain):
            raise Refused(f"{plain} is set: in production this secret comes from a mounted file, "
                          f"named by {file_setting}, never from a plain environment variable")
    # Each address of a failover list (shared/config.py), not only the first.
    if any(urlparse(address).password for address in env.get("AMQP_URI", "").split(config.FAILOVER_SEPARATOR)):
        raise Refused("AMQP_URI carries a password: in production the broker password comes from "
                      "the file named by JWW_AMQP_PASSWORD_FILE only")


def secret_file(env: Mapping[str, str], setting: str, min_bytes: int = 1, development: str = "") -> bytes:
    """The secret in the file ``setting`` names, refused when unset, unreadable,
    shorter than ``min_bytes`` or equal to the published ``development`` value."""
    path = env.get(setting)
    if not path:
        raise Refused(f"{setting} is not set: production reads this secret from a mounted file")
    try:
        value = Path(path).read_bytes().strip()
    except OSError as error:
        raise Refused(f"{setting}: cannot read the secret at {path} ({error.strerror})") from None
    if development and value == development.encode():
        raise Refused(f"{setting}: the secret at {path} is the published development key")
    if len(value) < min_bytes:
        raise Refused(f"{setting}: the secret at {path} is shorter than {min_bytes} bytes")
    return value


def not_sample(path: Path | str, setting: str, env: Mapping[str, str] | None = None) -> None:
    """Refuse, in production, a users file, staff directory or partner file marked
    ``"sample": true`` (invented people, published passwords). ``check_service``
    calls it for each file in ``SAMPLE_FILES``; a no-op in development."""
    if not in_production(env):
        return
    try:
        content = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise Refused(f"{setting} names {path}, which does not exist") from None
    except (OSError, ValueError) as error:
        raise Refused(f"{setting} names {path}, which cannot be read as JSON ({error})") from None
    if isinstance(content, dict) and content.get("sample"):
        raise Refused(f"{setting} names {path}, which is marked sample (invented data, published "
                      "passwords): mount the real file, or leave the setting empty")


def keys_mounted(env: Mapping[str, str], private: list[str], public: list[str] = ()) -> None:
    """The signing keys are mounted, never the development folder under ``var/``."""
    if not env.get("JWW_KEYS_DIR"):
        raise Refused("JWW_KEYS_DIR is not set: production reads its signing keys from a mounted folder, "
                      "never generates them under var/keys")
    try:
        for name in private:
            keys.signing_key(name)
        for name in public:
            keys.public_keys(name)
    except keys.KeyMissing as error:
        raise Refused(f"JWW_KEYS_DIR: {error}") from None


def kek_mounted(service: str, env: Mapping[str, str]) -> None:
    if not env.get("JWW_DATA_KEK_FILE"):
        raise Refused("JWW_DATA_KEK_FILE is not set: production reads the service's data key-encryption "
                      "key from a mounted file, never generates it under var/keys")
    try:
        datakeys.load_keks(service, env)
    except keys.KeyMissing as error:
        raise Refused(f"JWW_DATA_KEK_FILE: {error}") from None


# -- per process ---------------------------------------------------------------------

def secret_files(service: str, role: str, settings: config.Settings | config.GatewaySettings) -> dict:
    """The file settings of the secrets the process reads, each with (the least
    bytes, the published development value): what a deployment must mount
    (tests/unit/test_deploy_keys.py checks compose and Kubernetes against it)."""
    files = {"JWW_AMQP_PASSWORD_FILE": (1, "")}
    if service == config.GATEWAY:
        files["JWW_GATEWAY_TOKEN_KEY_FILE"] = (MIN_KEY_BYTES, config.DEVELOPMENT_TOKEN_KEY)
        return files
    if settings.store.kind == "postgres":
        files["PGPASSWORD_FILE"] = (1, "")
    if (service, role) == ("intake", "serve"):  # only its workers hash national numbers
        from services.intake.application import DEVELOPMENT_KEY

        files["JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE"] = (MIN_KEY_BYTES, DEVELOPMENT_KEY)
    if (service, role) == ("accounts", "serve"):  # keys the usernames' hash in failed sign-ins' logs
        from services.accounts.application import DEVELOPMENT_LOG_KEY

        files["JWW_ACCOUNTS_LOG_KEY_FILE"] = (MIN_KEY_BYTES, DEVELOPMENT_LOG_KEY.decode())
    return files


def check_service(settings: config.Settings, role: str, env: Mapping[str, str] | None = None) -> None:
    """``jww serve <service>`` (role ``serve``) or ``jww relay <service>`` (``relay``)."""
    env = _env(env)
    if not in_production(env):
        return
    service = settings.service
    no_plain_secrets(env)
    for setting, (min_bytes, development) in secret_files(service, role, settings).items():
        secret_file(env, setting, min_bytes, development)
    private = [keys.events_key_name(service)]
    if role == "serve" and settings.follows:
        private.append(keys.actors_key_name(service))  # signs its pulls
    keys_mounted(env, private)
    kek_mounted(service, env)
    if role == "serve" and service in SAMPLE_FILES:
        option, setting = SAMPLE_FILES[service]
        path = settings.options.get(option)
        if path:
            not_sample(settings.resolve(path), setting, env)
        elif service in REQUIRED_FILES:
            raise Refused(f"{setting} is empty: production reads this file from a mounted secret")


def check_gateway(settings: config.GatewaySettings, env: Mapping[str, str] | None = None) -> None:
    """``jww serve gateway``."""
    env = _env(env)
    if not in_production(env):
        return
    no_plain_secrets(env)
    for setting, (min_bytes, development) in secret_files(config.GATEWAY, "serve", settings).items():
        secret_file(env, setting, min_bytes, development)
    # Its actor key signs every call; the JWKS document lists every public key.
    keys_mounted(env, [keys.actors_key_name("gateway")], keys.platform_key_names())


def no_development_keys(env: Mapping[str, str] | None = None) -> None:
    """Development keys are made by ``jww run`` and the tests only, never in production."""
    if in_production(env):
        raise Refused(f"{SETTING}=production: development keys are never generated in production; "
                      "mount the keys (deploy/README.md), and start each process with jww serve / jww relay")
