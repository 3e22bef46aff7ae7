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
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DIR = PROJECT_ROOT / "deploy"
SERVICES = ("intake", "guidance", "referrals", "notifications", "audit")


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


def load(service: str, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = Path(env.get("JWW_CONFIG") or DEPLOY_DIR / service / "service.toml")
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no settings file for service {service!r} at {path}") from None
    c = _override(raw, env)
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
