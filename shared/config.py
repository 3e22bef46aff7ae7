"""Settings of one service: its own file under ``deploy/<service>/service.toml``,
overridden by environment variables so that ops can change a deployment without
editing files.

An override is named ``JWW_<SECTION>_<KEY>`` (``JWW_STORE_KIND=postgres``,
``JWW_METRICS_PORT=9200``); ``AMQP_URI`` overrides the broker address and
``JWW_CONFIG`` points at another settings file.

Each process kind has a broker user of its own (``jww-<service>`` for a service's
workers and followers, ``jww-<service>-relay``, ``jww-gateway``: see
shared/topology.py for what each may do). Its password is not in the address: it
comes from the file named by ``JWW_AMQP_PASSWORD_FILE`` (a mounted secret), from
``JWW_AMQP_PASSWORD``, or, in development, from ``<user>.password`` under
``JWW_BROKER_SECRETS_DIR`` (``var/broker``, written by ``jww broker setup``). An
address that names a user itself is used as it is.

``AMQP_URI`` may name the nodes of a RabbitMQ cluster as a failover list, the
addresses separated by ``;`` (kombu's own syntax:
``amqp://rabbit-1:5672/jww;amqp://rabbit-2:5672/jww``): a process connects to the
first that answers, in that order, and to another when its node goes away. Every
address of the list has the same scheme and vhost.

An ``amqps://`` address makes every connection (RPC, followers, relay, gateway) use
TLS and verify the broker's certificate and host name against the CA file named by
``JWW_AMQP_CA_FILE``, or the system's trust store when it is unset.
"""
from __future__ import annotations

import os
import ssl
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import quote, urlparse, urlunparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DIR = PROJECT_ROOT / "deploy"
SERVICES = ("intake", "guidance", "referrals", "notifications", "audit", "sharing", "accounts", "statistics")  # event-sourced, each with a relay
GATEWAY = "gateway"  # the HTTP API: no event store, no relay; it calls the services over RPC
# Only for development and tests: production sets JWW_GATEWAY_TOKEN_KEY (32 bytes or more).
DEVELOPMENT_TOKEN_KEY = "development only: not a secret, set JWW_GATEWAY_TOKEN_KEY"


class ConfigError(Exception):
    pass


def worker_user(service: str, prefix: str = "jww") -> str:
    return f"{prefix}-{service}"


def relay_user(service: str, prefix: str = "jww") -> str:
    return f"{prefix}-{service}-relay"


def broker_secrets_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("JWW_BROKER_SECRETS_DIR") or PROJECT_ROOT / "var" / "broker")


FAILOVER_SEPARATOR = ";"


def alternatives(address: str) -> list[str]:
    """The addresses of ``address``, a single broker address or a failover list
    (``amqp://a:5672/vh;amqp://b:5672/vh``), in the order a process tries them;
    refuses a list whose addresses differ in scheme or vhost (one cluster has one
    vhost, and TLS or not is one choice)."""
    items = [item.strip() for item in address.split(FAILOVER_SEPARATOR) if item.strip()]
    if len(items) <= 1:
        return items or [address]
    parts = [urlparse(item) for item in items]
    for what, values in (("scheme", {p.scheme for p in parts}), ("vhost", {_vhost_path(p.path) for p in parts})):
        if len(values) > 1:
            raise ConfigError(f"AMQP_URI: every address of a failover list must have the same {what}, not "
                              f"{' and '.join(sorted(repr(v) for v in values))}")
    return items


def _vhost_path(path: str) -> str:
    return path if len(path) > 1 else "/"  # "", "/" and no path at all are the default vhost


def _join(addresses: list[str]) -> str:
    return FAILOVER_SEPARATOR.join(addresses)


def without_user(uri: str) -> str:
    """The broker address (or each address of a failover list) without its credentials."""
    def one(address: str) -> str:
        parts = urlparse(address)
        host = parts.hostname or "127.0.0.1"
        return urlunparse(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))

    return _join([one(address) for address in alternatives(uri)])


def tls_options(address: str, ca_file: str = "") -> dict | None:
    """The TLS options py-amqp and kombu take for ``address``, None for plain AMQP.
    The host name is given, not left to kombu, which would check the certificate
    against its own rewriting of ``localhost`` instead. For a failover list it is
    the first address's: kombu keeps one set of TLS options for all of them, so a
    cluster's nodes present certificates valid for that name too (py-amqp's
    connections, shared.messaging.connect, check each node's own)."""
    parts = urlparse(alternatives(address)[0])
    if parts.scheme != "amqps":
        return None
    return {"ca_certs": ca_file or None, "cert_reqs": ssl.CERT_REQUIRED,
            "server_hostname": parts.hostname or "127.0.0.1"}


def nameko_amqp(uri: str, ca_file: str = "") -> dict:
    """nameko's broker settings for ``uri``: it hands ``AMQP_SSL`` to kombu."""
    tls = tls_options(uri, ca_file)
    return {"AMQP_URI": uri, **({"AMQP_SSL": tls} if tls else {})}


def amqp_ca_file(env: Mapping[str, str] | None = None) -> str:
    path = (os.environ if env is None else env).get("JWW_AMQP_CA_FILE", "")
    if path and not Path(path).is_file():
        raise ConfigError(f"JWW_AMQP_CA_FILE: no CA certificate file at {path}")
    return path


@dataclass(frozen=True)
class BrokerAccess:
    """Where the broker is and how this process proves to it who it is. Read when
    a process connects, not when settings load: commands that only open a store
    need no broker password."""
    address: str
    user_prefix: str
    secrets_dir: Path
    password_file: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    ca_file: str = ""

    @classmethod
    def from_env(cls, address: str, env: Mapping[str, str]) -> "BrokerAccess":
        return cls(address=address, user_prefix=env.get("JWW_BROKER_USER_PREFIX") or "jww",
                   secrets_dir=broker_secrets_dir(env), password_file=env.get("JWW_AMQP_PASSWORD_FILE", ""),
                   password=env.get("JWW_AMQP_PASSWORD", ""), ca_file=amqp_ca_file(env))

    @property
    def tls(self) -> dict | None:
        return tls_options(self.address, self.ca_file)

    def nameko(self, user: str) -> dict:
        return nameko_amqp(self.uri(user), self.ca_file)

    def uri(self, user: str) -> str:
        """The address with ``user``'s name and password; on each address of a failover list."""
        addresses = alternatives(self.address)
        if any(urlparse(address).username for address in addresses):
            return self.address
        login = f"{quote(user, safe='')}:{quote(self._password(user), safe='')}"
        return _join([urlunparse(parts._replace(netloc=f"{login}@{parts.netloc}"))
                      for parts in map(urlparse, addresses)])

    def _password(self, user: str) -> str:
        if self.password_file:
            try:
                return Path(self.password_file).read_text().strip()
            except OSError as error:
                raise ConfigError(f"JWW_AMQP_PASSWORD_FILE: cannot read {self.password_file} ({error.strerror})")
        if self.password:
            return self.password
        path = self.secrets_dir / f"{user}.password"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            raise ConfigError(
                f"no broker password for {user}: set JWW_AMQP_PASSWORD_FILE, or in development run "
                "`jww broker setup` (make run does), which writes it under "
                f"{path.parent}") from None


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
    broker: BrokerAccess
    queue_type: str  # "classic" on one node, "quorum" on a cluster
    prefetch: int
    store: StoreSettings
    metrics_addr: str
    metrics_port: int
    relay_metrics_port: int
    relay_batch: int
    relay_poll_seconds: float
    checkpoint_seconds: float
    checkpoint_path: Path
    log_level: str
    options: dict  # the service's own section, e.g. [intake], for what only it needs

    def resolve(self, path: str) -> Path:
        return _resolve(path)

    @property
    def amqp_uri(self) -> str:
        """As the service's workers and followers."""
        return self.broker.uri(worker_user(self.service, self.broker.user_prefix))

    @property
    def relay_amqp_uri(self) -> str:
        return self.broker.uri(relay_user(self.service, self.broker.user_prefix))

    @property
    def nameko_config(self) -> dict:
        return {**self.broker.nameko(worker_user(self.service, self.broker.user_prefix)),
                "max_workers": self.max_workers, "serializer": "json"}


@dataclass(frozen=True)
class GatewaySettings:
    service: str
    broker: BrokerAccess
    max_workers: int
    http_addr: str
    http_port: int
    rpc_timeout_seconds: float  # a service that does not answer within this is reported unavailable (503)
    token_minutes: float
    metrics_addr: str
    metrics_port: int
    log_level: str
    token_key: bytes = field(repr=False, default=DEVELOPMENT_TOKEN_KEY.encode())  # signs the bearer tokens

    @property
    def amqp_uri(self) -> str:
        return self.broker.uri(worker_user(self.service, self.broker.user_prefix))

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.http_addr in ("0.0.0.0", "") else self.http_addr
        return f"http://{host}:{self.http_port}"

    @property
    def nameko_config(self) -> dict:
        return {**self.broker.nameko(worker_user(self.service, self.broker.user_prefix)),
                "max_workers": self.max_workers, "serializer": "json",
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


def secret(name: str, env: Mapping[str, str] | None = None) -> str:
    """A secret setting: the content of the file ``<name>_FILE`` names (a mounted
    secret, what production uses: shared/production.py refuses the plain form), else
    the plain ``<name>`` (development and tests); "" when neither is set."""
    env = os.environ if env is None else env
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ConfigError(f"{name}_FILE: cannot read {path} ({error.strerror})") from None
    return env.get(name, "")


def export_postgres_password(env: Mapping[str, str] | None = None) -> None:
    """``PGPASSWORD_FILE``'s password, for libpq and the store connections, which read
    ``PGPASSWORD``: set in this process only, so the deployment's environment never
    holds it (WAVE2 8)."""
    env = os.environ if env is None else env
    if env.get("PGPASSWORD_FILE"):
        os.environ["PGPASSWORD"] = secret("PGPASSWORD", env)


def gateway_token_key(env: Mapping[str, str] | None = None) -> bytes:
    """The key that signs the gateway's tokens: the file ``JWW_GATEWAY_TOKEN_KEY_FILE``
    names, else ``JWW_GATEWAY_TOKEN_KEY``, else (development) a published constant."""
    key = secret("JWW_GATEWAY_TOKEN_KEY", env) or DEVELOPMENT_TOKEN_KEY
    if len(key.encode()) < 32:
        setting = "JWW_GATEWAY_TOKEN_KEY_FILE" if (os.environ if env is None else env).get(
            "JWW_GATEWAY_TOKEN_KEY_FILE") else "JWW_GATEWAY_TOKEN_KEY"
        raise ConfigError(f"{setting} must be at least 32 bytes long (HS256)")
    return key.encode()


def load_gateway(env: Mapping[str, str] | None = None) -> GatewaySettings:
    env = os.environ if env is None else env
    c = read(GATEWAY, env)
    gateway = c["gateway"]
    return GatewaySettings(
        service=c["service"]["name"],
        broker=BrokerAccess.from_env(c["amqp"]["uri"], env),
        max_workers=c["service"]["max_workers"],
        http_addr=gateway["addr"],
        http_port=gateway["port"],
        rpc_timeout_seconds=gateway["rpc_timeout_seconds"],
        token_minutes=gateway["token_minutes"],
        metrics_addr=c["metrics"]["addr"],
        metrics_port=c["metrics"]["port"],
        log_level=c["service"]["log_level"],
        token_key=gateway_token_key(env),
    )


def load(service: str, env: Mapping[str, str] | None = None) -> Settings | GatewaySettings:
    if service == GATEWAY:
        return load_gateway(env)
    env = os.environ if env is None else env
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
        broker=BrokerAccess.from_env(c["amqp"]["uri"], env),
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
        checkpoint_seconds=c["relay"]["checkpoint_seconds"],
        checkpoint_path=_resolve(c["relay"]["checkpoint_path"]),
        log_level=c["service"]["log_level"],
        options=dict(c.get(c["service"]["name"], {})),
    )
