"""``jww db setup``: one least-privilege PostgreSQL role per service, owning only its
own databases.

Each service keeps its events in ``[store] postgres_dbname`` (``jww_<service>``) and
its clients' data keys in ``<dbname>_keys`` (``shared.datakeys``). The setup, run by
ops as a PostgreSQL administrator before the services start (compose's ``db-setup``,
Kubernetes' Job ``jww-db-setup``), and again, idempotently, after an upgrade:

- makes the service's role (named after its events database, e.g. ``jww_intake``,
  which its processes connect as: ``[store] postgres_user``): LOGIN, no
  superuser, no CREATEDB, no CREATEROLE; its password from
  ``<JWW_DB_SECRETS_DIR>/<role>.password`` when that file exists (required in
  production, where every connection is password-authenticated);
- makes both databases if missing, owned by that role, with ``CONNECT`` (and
  ``TEMPORARY``) revoked from PUBLIC and granted to the role only: another service's
  role cannot even open them, whatever the server's authentication rules say;
- hands the role what an earlier run as the administrator left in them (the schema
  and its tables), so a store first run as a superuser moves over without a dump.

A service never connects as the administrator in a deployment: compose and the
Kubernetes manifests set each service's ``JWW_STORE_POSTGRES_USER`` to its role. The connection's TLS mode is libpq's
own ``PGSSLMODE`` (and ``PGSSLROOTCERT``), which every connection of the platform
honours (deploy/README.md, "PostgreSQL roles").
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from shared import config

DEVELOPMENT_ADMIN = "postgres"


class DbSetupFailed(Exception):
    """The setup cannot go on; the message names the setting or the object."""


@dataclass(frozen=True)
class ServiceRole:
    service: str
    role: str
    databases: tuple[str, ...]  # the events database, then the data keys' one
    schema: str
    host: str
    port: int


def role_of(service: str, env: Mapping[str, str] | None = None, admin: str = DEVELOPMENT_ADMIN) -> ServiceRole:
    """The role and databases a service uses, read from its own settings.

    The role is named after the service's events database (``jww_<service>``), so one
    setup container, with one environment, makes every service's role; each serve
    and relay connects as it (``JWW_STORE_POSTGRES_USER``, set beside the database's
    name in compose and Kubernetes, which tests/unit/test_deploy_compose.py and
    test_deploy_k8s.py check). A ``postgres_user`` that is neither that role nor the
    setup's administrator (a development default) is a mistake, refused here.
    """
    settings = config.load(service, env=os.environ if env is None else env)
    store = settings.store
    role = store.postgres_dbname
    if role == admin:
        raise DbSetupFailed(f"{service}: [store] postgres_dbname is the administrator's name {admin!r}")
    if store.postgres_user not in (role, admin):
        raise DbSetupFailed(f"{service}: [store] postgres_user {store.postgres_user!r} is not the service's role "
                            f"{role!r}: set JWW_STORE_POSTGRES_USER={role}")
    return ServiceRole(service, role, (store.postgres_dbname, f"{store.postgres_dbname}_keys"),
                       store.postgres_schema, store.postgres_host, store.postgres_port)


def secrets_dir(env: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if env is None else env
    return Path(env["JWW_DB_SECRETS_DIR"]) if env.get("JWW_DB_SECRETS_DIR") else None


def password_of(role: str, folder: Path | None, production: bool) -> str | None:
    path = folder / f"{role}.password" if folder else None
    if path is not None and path.is_file():
        return path.read_text().strip()
    if production:
        raise DbSetupFailed(f"no password for the PostgreSQL role {role}: put it in "
                            f"JWW_DB_SECRETS_DIR/{role}.password")
    return None


def setup(roles: list[ServiceRole], admin: str = DEVELOPMENT_ADMIN, admin_password: str | None = None,
          passwords: Path | None = None, production: bool = False) -> None:
    """Make (again) each service's role and databases; see the module's docstring."""
    import psycopg
    from psycopg import sql

    for r in roles:
        if r.role == admin:
            raise DbSetupFailed(f"{r.service}: the administrator {admin!r} is never a service's role")
    connect = dict(user=admin, password=admin_password or None, autocommit=True)
    for r in roles:
        role = sql.Identifier(r.role)
        password = password_of(r.role, passwords, production)
        with psycopg.connect(host=r.host, port=r.port, dbname="postgres", **connect) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (r.role,)).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {}").format(role))
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                                 "NOBYPASSRLS PASSWORD {}").format(role, sql.Literal(password)))
            for dbname in r.databases:
                db = sql.Identifier(dbname)
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
                    conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(db, role))
                conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, role))
                conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
                conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, role))
        for dbname in r.databases:
            with psycopg.connect(host=r.host, port=r.port, dbname=dbname, **connect) as conn:
                _hand_over(conn, r.role, r.schema if dbname == r.databases[0] else "public")


def _hand_over(conn, role: str, schema: str) -> None:
    """The schema and whatever an administrator's earlier run made in this database,
    owned by the service's role; nobody else may create in it."""
    from psycopg import sql

    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
        sql.Identifier(schema), sql.Identifier(role)))
    conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), sql.Identifier(role)))
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(schema)))
    owned = conn.execute(
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
        "AND pg_get_userbyid(c.relowner) <> %s", (schema, role)).fetchall()
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for nspname, relname, relkind in owned:
        conn.execute(sql.SQL("ALTER {} {}.{} OWNER TO {}").format(
            sql.SQL(kinds[relkind]), sql.Identifier(nspname), sql.Identifier(relname), sql.Identifier(role)))


def add_commands(sub) -> None:
    p = sub.add_parser("db", help="make (again) each service's PostgreSQL role and databases, as an administrator")
    p.add_argument("action", choices=["setup"])
    p.add_argument("services", nargs="*", metavar="SERVICE", help="default: every service")
    p.add_argument("--admin-user", default=os.environ.get("JWW_DB_ADMIN_USER") or DEVELOPMENT_ADMIN,
                   help="a PostgreSQL administrator (default: JWW_DB_ADMIN_USER, else postgres); its "
                        "password from the file JWW_DB_ADMIN_PASSWORD_FILE names")
    p.set_defaults(run=lambda args: _run_setup(args.services or list(config.SERVICES), args.admin_user))


def _run_setup(services: list[str], admin: str) -> int:
    from shared import production

    try:
        unknown = [s for s in services if s not in config.SERVICES]
        if unknown:
            raise DbSetupFailed(f"no such service: {', '.join(unknown)} (one of {', '.join(config.SERVICES)})")
        roles = [role_of(service, admin=admin) for service in services]
        setup(roles, admin=admin, admin_password=config.secret("JWW_DB_ADMIN_PASSWORD") or None,
              passwords=secrets_dir(), production=production.in_production())
    except DbSetupFailed as error:
        print(f"jww db setup: {error}", file=sys.stderr)
        return 1
    for r in roles:
        print(f"PostgreSQL ready for {r.service}: role {r.role} owns {', '.join(r.databases)}.", flush=True)
    return 0
