"""``jww broker setup``: the broker users, their permissions and the topology, made
from an administrator's access, through RabbitMQ's management HTTP API.

    jww broker setup [--admin-uri http://USER@HOST:15672] [--vhost NAME] [--organisations [ORG ...]]

With ``--organisations`` it also makes each organisation's feed queue and its
user, ``jww-org-<org>``, who may only consume it (shared/topology.py); without
names, every organisation of the directory (``topology.organisations``).

Running it again changes nothing (users keep their passwords). Each process kind's
password is read from ``<user>.password`` under ``JWW_BROKER_SECRETS_DIR``
(``var/broker``); in development a missing one is generated there, which is where
``jww serve`` and ``jww relay`` look for it; ``JWW_ENV=production`` refuses to
generate one: ops mount them. The administrator's password is read from
``JWW_BROKER_ADMIN_PASSWORD_FILE`` when the URI carries none.

On a cluster (``[amqp] queue_type = "quorum"``, ``JWW_AMQP_QUEUE_TYPE``) the
follower, dead-letter and feed queues are quorum queues, and a policy mirrors
nameko's own RPC queues on every node (shared/topology.py): setup is run once,
against any one node's management API.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import quote, unquote, urlparse

from shared import config, topology

DEVELOPMENT_ADMIN_URI = "http://guest:guest@127.0.0.1:15672"


class BrokerSetupFailed(Exception):
    pass


class Management:
    """The few calls of the management plugin's HTTP API that setup needs."""

    def __init__(self, admin_uri: str, password_file: str = ""):
        parts = urlparse(admin_uri)
        user = unquote(parts.username or "guest")
        password = unquote(parts.password) if parts.password is not None else _read(password_file)
        self.base = f"{parts.scheme or 'http'}://{parts.hostname or '127.0.0.1'}:{parts.port or 15672}"
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            self.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": self._auth, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                content = response.read()
        except urllib.error.HTTPError as error:
            raise BrokerSetupFailed(
                f"{method} {path}: the broker answered {error.code} {error.read()[:300].decode(errors='replace')}"
            ) from None
        except OSError as error:
            raise BrokerSetupFailed(
                f"the management API at {self.base} is not reachable ({type(error).__name__}): enable it as root "
                "with 'rabbitmq-plugins enable rabbitmq_management'") from None
        return json.loads(content) if content else None


def _read(path: str) -> str:
    if not path:
        return "guest"
    try:
        return Path(path).read_text().strip()
    except OSError as error:
        raise BrokerSetupFailed(f"cannot read the administrator's password from {path} ({error.strerror})") from None


def user_names(prefix: str = "jww") -> list[str]:
    return [g.user for g in topology.grants({}, prefix)]


def password(user: str, folder: Path, generate: bool) -> str:
    """The user's password from its file; a new one written there if allowed. A
    concurrent setup that writes first wins, and both then use its password."""
    path = folder / f"{user}.password"
    if not path.exists():
        if not generate:
            raise BrokerSetupFailed(f"no password for broker user {user} at {path} (production mounts them)")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                file.write(secrets.token_urlsafe(32))
        except FileExistsError:
            pass
    return path.read_text().strip()


def ensure_users(api: Management, prefix: str, folder: Path, generate: bool,
                 organisations: Sequence[str] = ()) -> list[str]:
    """Every process kind's user, and each organisation's, without tags: none may
    administer the broker."""
    names = [*user_names(prefix), *(topology.organisation_user(code, prefix)
                                    for code in topology.checked_organisations(organisations))]
    for user in names:
        api.call("PUT", f"/api/users/{quote(user, safe='')}", {"password": password(user, folder, generate), "tags": ""})
    return names


def provision_vhost(api: Management, vhost: str, env: Mapping[str, str], prefix: str,
                    organisations: list[str] | None = None) -> dict:
    """The vhost, its exchanges and follower queues, and every user's permissions
    on it, as the services' settings in ``env`` describe them; with
    ``organisations``, also their feeds and their users' permissions."""
    settings = {service: config.load(service, env) for service in config.SERVICES}
    definitions = topology.definitions(
        vhost, {s: settings[s].follows for s in settings}, {s: settings[s].queue_type for s in settings}, prefix,
    )
    if organisations is not None:
        # A feed queue is of the kind sharing's own follower queues are.
        publisher = settings.get(topology.SHARING) or next(iter(settings.values()))
        for kind, items in topology.feed_definitions(vhost, organisations, publisher.queue_type, prefix).items():
            definitions[kind].extend(item for item in items if item not in definitions[kind])
    api.call("PUT", f"/api/vhosts/{quote(vhost, safe='')}", {})
    api.call("POST", "/api/definitions", definitions)
    return definitions


def directory_organisations(env: Mapping[str, str]) -> list[str]:
    """Every organisation of the directory, as intake's and referrals' settings name it."""
    return topology.organisations({service: config.load(service, env) for service in ("intake", "referrals")})


def setup(admin_uri: str, vhost: str | None = None, env: Mapping[str, str] | None = None,
          organisations: list[str] | None = None) -> tuple[list[str], str]:
    """``organisations``: None, no feed is made; empty, every organisation of the
    directory's."""
    env = os.environ if env is None else env
    if organisations is not None:
        try:
            organisations = topology.checked_organisations(organisations or directory_organisations(env))
        except ValueError as error:
            raise BrokerSetupFailed(str(error)) from None
        if not organisations:
            raise BrokerSetupFailed("--organisations: name them (the settings load no directory file here)")
    api = Management(admin_uri, env.get("JWW_BROKER_ADMIN_PASSWORD_FILE", ""))
    prefix = env.get("JWW_BROKER_USER_PREFIX") or "jww"
    if vhost is None:
        # A failover list's addresses share their vhost (config.alternatives checks it).
        path = urlparse(config.alternatives(config.load(config.GATEWAY, env).broker.address)[0]).path
        vhost = unquote(path[1:]) if len(path) > 1 else "/"
    users = ensure_users(api, prefix, config.broker_secrets_dir(env), env.get("JWW_ENV") != "production",
                         organisations or [])
    provision_vhost(api, vhost, env, prefix, organisations)
    return users, vhost


def add_commands(sub) -> None:
    p = sub.add_parser("broker", help="make (again) the broker's users, permissions and topology, as an administrator")
    p.add_argument("action", choices=["setup"])
    p.add_argument("--admin-uri", default=os.environ.get("JWW_BROKER_ADMIN_URI") or DEVELOPMENT_ADMIN_URI,
                   help="the management API, with an administrator's name (default: JWW_BROKER_ADMIN_URI, "
                        "else the local development broker)")
    p.add_argument("--vhost", help="default: the vhost of the services' AMQP_URI")
    p.add_argument("--organisations", nargs="*", metavar="ORG",
                   help="also each organisation's feed queue and broker user (jww-org-<org>), who may only "
                        "consume it; without names, every organisation of the directory")
    p.set_defaults(run=lambda args: _run_setup(args.admin_uri, args.vhost, args.organisations))


def _run_setup(admin_uri: str, vhost: str | None, organisations: list[str] | None = None) -> int:
    try:
        users, vhost = setup(admin_uri, vhost, organisations=organisations)
    except BrokerSetupFailed as error:
        print(f"jww broker setup: {error}", file=sys.stderr)
        return 1
    # The organisations' users are many (one per agency and partner): counted, not listed.
    own = [user for user in users if "-org-" not in user]
    feeds = f", and {len(users) - len(own)} organisations' users and feeds" if organisations is not None else ""
    print(f"Broker ready on vhost {vhost!r}: users {', '.join(own)}{feeds} (passwords under "
          f"{config.broker_secrets_dir()}), with their permissions, exchanges and follower queues.", flush=True)
    return 0
