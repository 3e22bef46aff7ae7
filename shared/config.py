"""Settings of one service: its own file under ``deploy/<service>/service.toml``,
overridden by environment variables so that ops can change a deployment without
editing files.

An override is named ``JWW_<SECTION>_<KEY>`` (``JWW_STORE_KIND=postgres``,
``JWW_METRICS_PORT=9200``); ``AMQP_URI`` overrides the broker address and
``JWW_CONFIG`` points at another settings file.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DIR = PROJECT_ROOT / "deploy"
SERVICES = ("intake", "guidance", "referrals", "notifications", "audit")  # event-sourced, each with a relay
GATEWAY = "gateway"  # the HTTP API: no event store, no relay; it calls the services over RPC
# Only for development and tests: production sets JWW_GATEWAY_TOKEN_KEY (32 bytes or more).
DEVELOPMENT_TOKEN_KEY = "development only: not a secret, set JWW_GATEWAY_TOKEN_KEY"


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class StoreSettings:
    kind: str  # "sqlite" or "postgres"
    sqlite_path: Path
    postgres_dbname: str
    postgres_host: str
    postgres_port: int
    postgres_user: str
    postgres_schema: str


@dataclass(frozen=True)
class Settings:
    service: str
    follows: tuple[str, ...]
    max_workers: int
    amqp_uri: str
    queue_type: str  # "classic" on one node, "quorum" on a cluster
    prefetch: int
    store: StoreSettings
    metrics_addr: str
    metrics_port: int
    relay_metrics_port: int
    relay_batch: int
    relay_poll_seconds: float
    checkpoint_minutes: float
    checkpoint_path: Path
    log_level: str
    options: dict  # the service's own section, e.g. [intake], for what only it needs

    def resolve(self, path: str) -> Path:
        return _resolve(path)

    @property
    def nameko_config(self) -> dict:
        return {"AMQP_URI": self.amqp_uri, "max_workers": self.max_workers, "serializer": "json"}


@dataclass(frozen=True)
class GatewaySettings:
    service: str
    amqp_uri: str
    max_workers: int
    http_addr: str
    http_port: int
    rpc_timeout_seconds: float  # a service that does not answer within this is reported unavailable (503)
    token_minutes: float
    users_path: Path
    metrics_addr: str
    metrics_port: int
    log_level: str
    token_key: bytes = field(repr=False, default=DEVELOPMENT_TOKEN_KEY.encode())  # signs the bearer tokens

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.http_addr in ("0.0.0.0", "") else self.http_addr
        return f"http://{host}:{self.http_port}"

    @property
    def nameko_config(self) -> dict:
        return {"AMQP_URI": self.amqp_uri, "max_workers": self.max_workers, "serializer": "json",
                "WEB_SERVER_ADDRESS": f"{self.http_addr}:{self.http_port}"}


def _override(raw: dict, env: Mapping[str, str]) -> dict:
    merged = {section: dict(values) for section, values in raw.items()}
    for section, values in merged.items():
        for key, default in values.items():
            name = f"JWW_{section}_{key}".upper()
            if name not in env:
                continue
            text = env[name]
            try:
                if isinstance(default, bool):
                    values[key] = text.lower() in ("1", "true", "yes", "on")
                elif isinstance(default, list):
                    values[key] = [item.strip() for item in text.split(",") if item.strip()]
                elif isinstance(default, (int, float)):
                    values[key] = type(default)(text)
                else:
                    values[key] = text
            except ValueError:
                raise ConfigError(f"{name}={text!r} is not a valid {type(default).__name__}") from None
    if "AMQP_URI" in env:
        merged["amqp"]["uri"] = env["AMQP_URI"]
    return merged


def _resolve(path: str) -> Path:
    """A path from the settings, relative to the project unless absolute."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def read(service: str, env: Mapping[str, str] | None = None) -> dict:
    """A service's settings file, sections and keys as written, with the overrides applied."""
    env = os.environ if env is None else env
    path = Path(env.get("JWW_CONFIG") or DEPLOY_DIR / service / "service.toml")
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no settings file for service {service!r} at {path}") from None
    return _override(raw, env)


def gateway_token_key(env: Mapping[str, str] | None = None) -> bytes:
    """The key that signs the gateway's tokens: from the environment only, never a file."""
    key = (os.environ if env is None else env).get("JWW_GATEWAY_TOKEN_KEY") or DEVELOPMENT_TOKEN_KEY
    if len(key.encode()) < 32:
        raise ConfigError("JWW_GATEWAY_TOKEN_KEY must be at least 32 bytes long (HS256)")
    return key.encode()


def load_gateway(env: Mapping[str, str] | None = None) -> GatewaySettings:
    c = read(GATEWAY, env)
    gateway = c["gateway"]
    if not _resolve(gateway["users"]).is_file():
        raise ConfigError(f"no users file at {_resolve(gateway['users'])} ([gateway] users, JWW_GATEWAY_USERS)")
    return GatewaySettings(
        service=c["service"]["name"],
        amqp_uri=c["amqp"]["uri"],
        max_workers=c["service"]["max_workers"],
        http_addr=gateway["addr"],
        http_port=gateway["port"],
        rpc_timeout_seconds=gateway["rpc_timeout_seconds"],
        token_minutes=gateway["token_minutes"],
        users_path=_resolve(gateway["users"]),
        metrics_addr=c["metrics"]["addr"],
        metrics_port=c["metrics"]["port"],
        log_level=c["service"]["log_level"],
        token_key=gateway_token_key(env),
    )


def load(service: str, env: Mapping[str, str] | None = None) -> Settings | GatewaySettings:
    if service == GATEWAY:
        return load_gateway(env)
    c = read(service, env)
    store = c["store"]
    kind = store["kind"]
    if kind not in ("sqlite", "postgres"):
        raise ConfigError(f"store kind must be 'sqlite' or 'postgres', not {kind!r}")
    sqlite_path = _resolve(store["sqlite_path"])
    return Settings(
        service=c["service"]["name"],
        follows=tuple(c["service"]["follows"]),
        max_workers=c["service"]["max_workers"],
        amqp_uri=c["amqp"]["uri"],
        queue_type=c["amqp"]["queue_type"],
        prefetch=c["amqp"]["prefetch"],
        store=StoreSettings(
            kind=kind,
            sqlite_path=sqlite_path,
            postgres_dbname=store["postgres_dbname"],
            postgres_host=store["postgres_host"],
            postgres_port=store["postgres_port"],
            postgres_user=store["postgres_user"],
            postgres_schema=store["postgres_schema"],
        ),
        metrics_addr=c["metrics"]["addr"],
        metrics_port=c["metrics"]["port"],
        relay_metrics_port=c["metrics"]["relay_port"],
        relay_batch=c["relay"]["batch"],
        relay_poll_seconds=c["relay"]["poll_seconds"],
        checkpoint_minutes=c["relay"]["checkpoint_minutes"],
        checkpoint_path=_resolve(c["relay"]["checkpoint_path"]),
        log_level=c["service"]["log_level"],
        options=dict(c.get(c["service"]["name"], {})),
    )
