"""Fail closed in production (shared/production.py): one test per rule, each against
a production setting that otherwise starts, so a refusal is the rule's own."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from jww import processes
from services.accounts.application import DEVELOPMENT_LOG_KEY
from shared import config, datakeys, keys, production
from shared.production import Refused

SAMPLE_USERS = config.DEPLOY_DIR / "accounts" / "sample-users.json"
ROLES = [(service, role) for service in config.SERVICES for role in ("serve", "relay")]


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.fixture
def ops(tmp_path_factory) -> Path:
    """Secrets as ops make them: keys, KEKs, passwords and keys of 48 random bytes."""
    folder = tmp_path_factory.mktemp("ops")
    keys.ensure_development_keys(keys.platform_key_names(), folder / "keys")
    datakeys.ensure_development_keks(list(config.SERVICES), folder / "data-keks")
    for name in ("broker-password", "pgpassword", "token-key", "national-number-key", "log-key"):
        write(folder / name, secrets.token_urlsafe(48) + "\n")
    users = json.loads(SAMPLE_USERS.read_text())
    users["sample"] = False  # the real users file: what an ops team mounts
    write(folder / "users.json", json.dumps(users))
    return folder


@pytest.fixture
def env(ops, monkeypatch) -> dict:
    """A production process's environment (os.environ too: the key folder is read there)."""
    for plain in (*production.PLAIN_SECRETS, "AMQP_URI", "JWW_DATA_KEK_PREVIOUS_FILE"):
        monkeypatch.delenv(plain, raising=False)
    values = {
        "JWW_ENV": "production",
        "AMQP_URI": "amqp://rabbitmq:5672/",
        "JWW_AMQP_PASSWORD_FILE": str(ops / "broker-password"),
        "JWW_KEYS_DIR": str(ops / "keys"),
        "JWW_STORE_KIND": "postgres",
        "PGPASSWORD_FILE": str(ops / "pgpassword"),
        "JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE": str(ops / "national-number-key"),
        "JWW_INTAKE_SAMPLE_DIRECTORY": "",
        "JWW_REFERRALS_SAMPLE_PARTNERS": "",
        "JWW_GATEWAY_TOKEN_KEY_FILE": str(ops / "token-key"),
        "JWW_ACCOUNTS_USERS": str(ops / "users.json"),
        "JWW_ACCOUNTS_LOG_KEY_FILE": str(ops / "log-key"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def check(service: str, role: str, env: dict, kek_dir: Path | None = None) -> None:
    """What ``jww serve``/``jww relay`` check before they start."""
    if service == config.GATEWAY:
        production.check_gateway(config.load(service, env), env)
        return
    if kek_dir and "JWW_DATA_KEK_FILE" not in env:
        env = {**env, "JWW_DATA_KEK_FILE": str(kek_dir / datakeys.kek_name(service))}
    production.check_service(config.load(service, env), role, env)


def refused(service: str, role: str, env: dict, ops: Path, *words: str) -> str:
    with pytest.raises(config.ConfigError) as raised:  # Refused, or loading the settings refused already
        check(service, role, env, ops / "data-keks")
    message = str(raised.value)
    assert "\n" not in message and message.count(". ") == 0, message  # one sentence
    for word in words:
        assert word in message, message
    return message


# -- JWW_ENV -------------------------------------------------------------------------

def test_development_is_the_default_and_checks_nothing(monkeypatch):
    monkeypatch.delenv("JWW_ENV", raising=False)
    assert production.environment() == "development" and not production.in_production()
    bare = {"JWW_GATEWAY_TOKEN_KEY": "", "JWW_STORE_KIND": "sqlite"}
    production.check_gateway(config.load(config.GATEWAY, bare), bare)  # the sample users, the development key
    production.check_service(config.load("intake", bare), "serve", bare)


def test_an_unknown_environment_is_refused():
    with pytest.raises(Refused, match="JWW_ENV must be development or production, not 'prod'"):
        production.environment({"JWW_ENV": "prod"})


# -- proper secrets start ------------------------------------------------------------

@pytest.mark.parametrize("service, role", [*ROLES, (config.GATEWAY, "serve")])
def test_proper_secrets_pass(service, role, env, ops):
    check(service, role, env, ops / "data-keks")


# -- secrets in plain settings -------------------------------------------------------

@pytest.mark.parametrize("plain, file_setting", production.PLAIN_SECRETS.items())
def test_a_secret_in_a_plain_setting_is_refused(plain, file_setting, env, ops):
    service = ("intake" if "INTAKE" in plain else config.GATEWAY if "GATEWAY" in plain
               else "accounts" if "ACCOUNTS" in plain else "guidance")
    env = {**env, plain: secrets.token_urlsafe(48)}
    refused(service, "serve", env, ops, plain, file_setting)


def test_a_password_in_the_broker_address_is_refused(env, ops):
    env = {**env, "AMQP_URI": "amqp://jww-intake:s3cret@rabbitmq:5672/"}
    refused("intake", "relay", env, ops, "AMQP_URI", "JWW_AMQP_PASSWORD_FILE")


@pytest.mark.parametrize("setting", ["JWW_AMQP_PASSWORD_FILE", "PGPASSWORD_FILE"])
def test_a_missing_password_file_is_refused(setting, env, ops):
    refused("audit", "relay", {k: v for k, v in env.items() if k != setting}, ops, setting, "not set")
    refused("audit", "serve", {**env, setting: str(ops / "nowhere")}, ops, setting, "cannot read")


def test_sqlite_needs_no_postgres_password(env, ops):
    env = {k: v for k, v in env.items() if k != "PGPASSWORD_FILE"}
    check("audit", "serve", {**env, "JWW_STORE_KIND": "sqlite"}, ops / "data-keks")


# -- keys ----------------------------------------------------------------------------

def test_the_development_key_folder_is_refused(env, ops, monkeypatch):
    monkeypatch.delenv("JWW_KEYS_DIR")
    refused("guidance", "serve", {k: v for k, v in env.items() if k != "JWW_KEYS_DIR"}, ops, "JWW_KEYS_DIR")


@pytest.mark.parametrize("service, role, missing", [
    ("intake", "relay", "intake-events.key.pem"),
    ("guidance", "serve", "guidance-actors.key.pem"),  # guidance follows intake: it signs its pulls
    (config.GATEWAY, "serve", "gateway-actors.key.pem"),
    (config.GATEWAY, "serve", "audit-events.pub.pem"),  # the JWKS document lists it
])
def test_a_missing_signing_key_is_refused(service, role, missing, env, ops):
    (ops / "keys" / missing).unlink()
    refused(service, role, env, ops, "JWW_KEYS_DIR", missing.split(".")[0])


def test_a_missing_data_kek_is_refused(env, ops):
    refused("referrals", "serve", {**env, "JWW_DATA_KEK_FILE": ""}, ops, "JWW_DATA_KEK_FILE", "not set")
    refused("referrals", "relay", {**env, "JWW_DATA_KEK_FILE": str(ops / "nowhere")}, ops, "JWW_DATA_KEK_FILE")


@pytest.mark.parametrize("service, setting, development", [
    ("intake", "JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE", "development only: not a secret"),
    (config.GATEWAY, "JWW_GATEWAY_TOKEN_KEY_FILE", config.DEVELOPMENT_TOKEN_KEY),
    ("accounts", "JWW_ACCOUNTS_LOG_KEY_FILE", DEVELOPMENT_LOG_KEY.decode()),
])
def test_a_missing_short_or_development_key_is_refused(service, setting, development, env, ops):
    refused(service, "serve", {k: v for k, v in env.items() if k != setting}, ops, setting, "not set")
    refused(service, "serve", {**env, setting: write(ops / "short", "k" * 31)}, ops, setting, "32 bytes")
    refused(service, "serve", {**env, setting: write(ops / "dev", development + "\n")}, ops, setting,
            "published development key")


def test_only_intake_serve_hashes_national_numbers(env, ops):
    env = {k: v for k, v in env.items() if k != "JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE"}
    check("intake", "relay", env, ops / "data-keks")


def test_only_accounts_serve_logs_failed_sign_ins(env, ops):
    env = {k: v for k, v in env.items() if k not in ("JWW_ACCOUNTS_LOG_KEY_FILE", "JWW_ACCOUNTS_USERS")}
    check("accounts", "relay", env, ops / "data-keks")


def test_development_keys_are_never_generated_in_production(env, ops, tmp_path):
    with pytest.raises(Refused, match="JWW_ENV=production"):
        keys.ensure_development_keys(["intake-events"], tmp_path / "keys")
    with pytest.raises(Refused, match="JWW_ENV=production"):
        datakeys.ensure_development_keks(["intake"], tmp_path / "keks")
    with pytest.raises(Refused, match="JWW_ENV=production"):
        processes.run(["intake"])
    assert not (tmp_path / "keys").exists() and not (tmp_path / "keks").exists()


# -- sample files --------------------------------------------------------------------

@pytest.mark.parametrize("service, setting", [
    ("accounts", "JWW_ACCOUNTS_USERS"),
    ("intake", "JWW_INTAKE_SAMPLE_DIRECTORY"),
    ("referrals", "JWW_REFERRALS_SAMPLE_PARTNERS"),
])
def test_a_sample_file_is_refused(service, setting, env, ops):
    unset = {k: v for k, v in env.items() if k != setting}  # the default: the sample file in deploy/
    refused(service, "serve", unset, ops, setting, "sample")
    refused(service, "serve", {**env, setting: str(ops / "nowhere.json")}, ops, setting, "does not exist")


def test_accounts_cannot_start_without_its_users_file(env, ops):
    refused("accounts", "serve", {**env, "JWW_ACCOUNTS_USERS": ""}, ops, "JWW_ACCOUNTS_USERS", "empty")
    check("intake", "serve", env, ops / "data-keks")  # intake's sample directory may stay empty


def test_the_relays_load_no_sample_file(env, ops):
    unset = {k: v for k, v in env.items() if k not in ("JWW_INTAKE_SAMPLE_DIRECTORY", "JWW_REFERRALS_SAMPLE_PARTNERS")}
    check("intake", "relay", unset, ops / "data-keks")
    check("referrals", "relay", unset, ops / "data-keks")


def test_the_sample_users_load_in_development():
    production.not_sample(SAMPLE_USERS, "JWW_ACCOUNTS_USERS", {})
    bare = {"JWW_STORE_KIND": "sqlite"}
    production.check_service(config.load("accounts", bare), "serve", bare)


def test_the_gateway_reads_no_users_file(env, ops):
    """Accounts checks passwords (WAVE2 7): the gateway starts with no users file at all."""
    check(config.GATEWAY, "serve", {k: v for k, v in env.items() if k != "JWW_ACCOUNTS_USERS"})
    assert "JWW_GATEWAY_USERS" not in production.secret_files(config.GATEWAY, "serve", config.load(config.GATEWAY, env))


# -- the secret files are what the code reads ----------------------------------------

def test_the_code_reads_the_secret_files(env, ops):
    assert config.gateway_token_key(env) == (ops / "token-key").read_text().strip().encode()
    from services.accounts.application import AccountsApplication
    from services.accounts.service import configure

    accounts = AccountsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo", **env,
                                        "JWW_DATA_KEK_FILE": str(ops / "data-keks" / "accounts-data.kek")})
    configure(accounts, config.load("accounts", env))
    assert accounts.log_key == (ops / "log-key").read_text().strip().encode()
    from services.intake.application import IntakeApplication

    app = IntakeApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo", **env,
                                 "JWW_DATA_KEK_FILE": str(ops / "data-keks" / "intake-data.kek")})
    assert app.national_number_key == (ops / "national-number-key").read_text().strip().encode()


def test_the_postgres_password_file_is_given_to_this_process_only(ops, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "before")  # restored after the test
    config.export_postgres_password({"PGPASSWORD_FILE": str(ops / "pgpassword")})
    import os

    assert os.environ["PGPASSWORD"] == (ops / "pgpassword").read_text().strip()


def test_ops_commands_read_the_postgres_password_from_its_file(ops, monkeypatch, capsys):
    import os

    from jww.main import main

    monkeypatch.setenv("PGPASSWORD", "")  # restored after the test
    monkeypatch.setenv("PGPASSWORD_FILE", str(ops / "pgpassword"))
    assert main(["totp", "apo-coord"]) == 0  # any command but the processes', which export it after their checks
    assert os.environ["PGPASSWORD"] == (ops / "pgpassword").read_text().strip()
