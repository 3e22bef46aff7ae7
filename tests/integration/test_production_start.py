"""With ``JWW_ENV=production`` a process started as ops start it (``python -m jww
serve intake``, ``jww relay intake``, ``jww serve accounts``, ``jww serve gateway``)
refuses the sample files,
a missing key and a development key, each in one sentence naming the setting and
with a non-zero exit, and starts with proper secrets (issue 17, "Done when" 1)."""
from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from services.accounts.application import DEVELOPMENT_LOG_KEY
from services.intake.application import DEVELOPMENT_KEY
from shared import config, datakeys, keys, production
from tests.support.platform import free_port, http
from tests.support.broker import wait_until

SAMPLE_USERS = config.DEPLOY_DIR / "accounts" / "sample-users.json"


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.fixture
def secrets_dir(tmp_path) -> Path:
    """What ops mount: random keys of 48 bytes, the real users file."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    write(folder / "national-number-key", secrets.token_urlsafe(48))
    write(folder / "token-key", secrets.token_urlsafe(48))
    write(folder / "log-key", secrets.token_urlsafe(48))
    users = json.loads(SAMPLE_USERS.read_text())
    users["sample"] = False
    write(folder / "users.json", json.dumps(users))
    return folder


def production_env(platform, service: str, role: str, secrets_dir: Path, **overrides: str) -> dict[str, str]:
    """The platform's environment for the process, as production sets it: no plain
    secret, each secret a file (the session's keys and broker passwords are files already)."""
    env = platform.env(service)
    for plain in production.PLAIN_SECRETS:
        env.pop(plain, None)
    prefix = env["JWW_BROKER_USER_PREFIX"]
    user = config.worker_user(service, prefix) if role == "serve" else config.relay_user(service, prefix)
    env.update(
        JWW_ENV="production",
        JWW_STORE_KIND="sqlite",  # the test's own file: no database password to mount
        JWW_AMQP_PASSWORD_FILE=str(config.broker_secrets_dir(env) / f"{user}.password"),
        JWW_INTAKE_SAMPLE_DIRECTORY="",
        JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE=str(secrets_dir / "national-number-key"),
        JWW_GATEWAY_TOKEN_KEY_FILE=str(secrets_dir / "token-key"),
        JWW_ACCOUNTS_USERS=str(secrets_dir / "users.json"),
        JWW_ACCOUNTS_LOG_KEY_FILE=str(secrets_dir / "log-key"),
    )
    if service != config.GATEWAY:
        env["JWW_DATA_KEK_FILE"] = str(keys.keys_dir() / datakeys.kek_name(service))
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def refusal(env: dict[str, str], role: str, service: str) -> str:
    """The one sentence the process ends with, asserting it did not start."""
    done = subprocess.run([sys.executable, "-m", "jww", role, service], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0, f"{role} {service} started:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("jww: "), done.stderr
    return lines[0]


def test_intake_refuses_then_starts_with_proper_secrets(platform, secrets_dir):
    # (a) the sample staff directory: service.toml's default
    line = refusal(production_env(platform, "intake", "serve", secrets_dir, JWW_INTAKE_SAMPLE_DIRECTORY=None),
                   "serve", "intake")
    assert "JWW_INTAKE_SAMPLE_DIRECTORY" in line and "sample" in line, line
    # (b) a missing key: the national-number key, and (relay) the data KEK
    line = refusal(production_env(platform, "intake", "serve", secrets_dir, JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE=None),
                   "serve", "intake")
    assert "JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE is not set" in line, line
    line = refusal(production_env(platform, "intake", "relay", secrets_dir,
                                  JWW_DATA_KEK_FILE=str(secrets_dir / "nowhere.kek")), "relay", "intake")
    assert "JWW_DATA_KEK_FILE" in line, line
    # (c) the published development key
    development = write(secrets_dir / "development-key", DEVELOPMENT_KEY)
    line = refusal(production_env(platform, "intake", "serve", secrets_dir,
                                  JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE=development), "serve", "intake")
    assert "JWW_INTAKE_NATIONAL_NUMBER_KEY_FILE" in line and "development key" in line, line
    # a password in a plain setting
    line = refusal(production_env(platform, "intake", "serve", secrets_dir, JWW_AMQP_PASSWORD="guessable"),
                   "serve", "intake")
    assert "JWW_AMQP_PASSWORD is set" in line and "JWW_AMQP_PASSWORD_FILE" in line, line
    # (d) proper secrets: it answers health
    log = open(platform.workdir / "intake-serve.log", "ab")
    platform.processes[("intake", "serve")] = subprocess.Popen(
        [sys.executable, "-m", "jww", "serve", "intake"],
        env=production_env(platform, "intake", "serve", secrets_dir), stdout=log, stderr=subprocess.STDOUT)
    assert platform.wait_healthy("intake", timeout=60)["status"] == "ok"


def test_accounts_refuses_then_starts_with_proper_secrets(platform, secrets_dir):
    # (a) the sample users (published passwords): service.toml's default
    line = refusal(production_env(platform, "accounts", "serve", secrets_dir, JWW_ACCOUNTS_USERS=None),
                   "serve", "accounts")
    assert "JWW_ACCOUNTS_USERS" in line and "sample" in line, line
    # (b) a missing key: the usernames' log key
    line = refusal(production_env(platform, "accounts", "serve", secrets_dir, JWW_ACCOUNTS_LOG_KEY_FILE=None),
                   "serve", "accounts")
    assert "JWW_ACCOUNTS_LOG_KEY_FILE is not set" in line, line
    # (c) the published development key
    development = write(secrets_dir / "development-log-key", DEVELOPMENT_LOG_KEY.decode())
    line = refusal(production_env(platform, "accounts", "serve", secrets_dir, JWW_ACCOUNTS_LOG_KEY_FILE=development),
                   "serve", "accounts")
    assert "JWW_ACCOUNTS_LOG_KEY_FILE" in line and "development key" in line, line
    # (d) proper secrets: it answers health
    log = open(platform.workdir / "accounts-serve.log", "ab")
    platform.processes[("accounts", "serve")] = subprocess.Popen(
        [sys.executable, "-m", "jww", "serve", "accounts"],
        env=production_env(platform, "accounts", "serve", secrets_dir), stdout=log, stderr=subprocess.STDOUT)
    assert platform.wait_healthy("accounts", timeout=60)["status"] == "ok"


def test_the_gateway_refuses_then_starts_with_proper_secrets(platform, secrets_dir):
    port = free_port()

    def env(**overrides):
        return production_env(platform, config.GATEWAY, "serve", secrets_dir, JWW_GATEWAY_PORT=str(port), **overrides)

    # (a) no users file at all: accounts checks passwords (WAVE2 7), so nothing to refuse here
    # (b) a missing key: the token key, and its actor key
    line = refusal(env(JWW_GATEWAY_TOKEN_KEY_FILE=None), "serve", config.GATEWAY)
    assert "JWW_GATEWAY_TOKEN_KEY_FILE is not set" in line, line
    empty_keys = secrets_dir / "no-keys"
    empty_keys.mkdir()
    line = refusal(env(JWW_KEYS_DIR=str(empty_keys)), "serve", config.GATEWAY)
    assert "JWW_KEYS_DIR" in line and "gateway-actors" in line, line
    # (c) the published development key
    line = refusal(env(JWW_GATEWAY_TOKEN_KEY_FILE=write(secrets_dir / "dev", config.DEVELOPMENT_TOKEN_KEY)),
                   "serve", config.GATEWAY)
    assert "JWW_GATEWAY_TOKEN_KEY_FILE" in line and "development key" in line, line
    # (d) proper secrets: it answers /health
    log = open(platform.workdir / "gateway-serve.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "jww", "serve", config.GATEWAY], env=env(),
                               stdout=log, stderr=subprocess.STDOUT)
    platform.processes[(config.GATEWAY, "serve")] = process

    def answers():
        assert process.poll() is None, platform.logs(config.GATEWAY, "serve")[-3000:]
        try:
            return http("GET", f"http://127.0.0.1:{port}/health")[0] == 200
        except OSError:
            return False

    wait_until(answers, timeout=60, interval=0.2, what="the gateway to answer /health")
