"""Least-privilege PostgreSQL roles (``jww db setup``, jww/db.py) on the real server.

The server here trusts every local connection, so "cannot connect" is shown by
privileges, not passwords: CONNECT is revoked from PUBLIC on each service's
databases, so another service's role is refused at the door; and the role a service
runs as is no superuser and owns only its own databases.
"""
from __future__ import annotations

import psycopg
import psycopg.errors
import pytest

from jww import db
from services.intake.application import IntakeApplication
from shared.config import StoreSettings
from tests.support.samples import WORKER, registration_args

PG = dict(host="127.0.0.1", port=5432)
pytestmark = pytest.mark.postgres


def env_for(prefix: str, service: str) -> dict[str, str]:
    """The service's settings as a deployment sets them, under this test's prefix."""
    return {"JWW_STORE_KIND": "postgres", "JWW_STORE_POSTGRES_HOST": "127.0.0.1",
            "JWW_STORE_POSTGRES_USER": f"{prefix}_jww_{service}",
            "JWW_STORE_POSTGRES_DBNAME": f"{prefix}_jww_{service}"}


@pytest.fixture
def roles(pg_prefix):
    """intake's and guidance's roles and databases, made by the setup; dropped after."""
    made = [db.role_of(service, env_for(pg_prefix, service)) for service in ("intake", "guidance")]
    yield made
    with psycopg.connect(dbname="postgres", user="postgres", autocommit=True, **PG) as conn:
        for r in made:
            for dbname in r.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{r.role}"')


def connect(role: str, dbname: str):
    return psycopg.connect(dbname=dbname, user=role, autocommit=True, **PG)


def test_the_roles_come_from_the_settings(roles, pg_prefix):
    intake = roles[0]
    assert intake.role == f"{pg_prefix}_jww_intake"
    assert intake.databases == (f"{pg_prefix}_jww_intake", f"{pg_prefix}_jww_intake_keys")


def test_a_service_role_uses_its_own_databases_and_no_other(roles):
    db.setup(roles)
    intake, guidance = roles
    for dbname in intake.databases:  # its own: it connects, creates, writes and reads
        with connect(intake.role, dbname) as conn:
            conn.execute("CREATE TABLE probe (n int)")
            conn.execute("INSERT INTO probe VALUES (1)")
            assert conn.execute("SELECT n FROM probe").fetchall() == [(1,)]
    for dbname in guidance.databases:  # another service's: refused at the door
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            connect(intake.role, dbname)
    with psycopg.connect(dbname="postgres", user="postgres", **PG) as conn:
        rolsuper, rolcreatedb, rolcreaterole = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = %s",
            (intake.role,)).fetchone()
        owners = dict(conn.execute(
            "SELECT datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = ANY(%s)",
            ([*intake.databases, *guidance.databases],)).fetchall())
    assert (rolsuper, rolcreatedb, rolcreaterole) == (False, False, False)
    assert owners == {**{d: intake.role for d in intake.databases}, **{d: guidance.role for d in guidance.databases}}


def test_a_role_without_its_grant_is_refused_too(roles):
    """The check can fail: CONNECT given back to PUBLIC lets the other role in."""
    db.setup(roles)
    intake, guidance = roles
    with psycopg.connect(dbname="postgres", user="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'GRANT CONNECT ON DATABASE "{guidance.databases[0]}" TO PUBLIC')
    connect(intake.role, guidance.databases[0]).close()  # in: the revocation was what kept it out
    db.setup(roles)  # again: the setup takes it back
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect(intake.role, guidance.databases[0])


def test_the_service_runs_on_its_own_role(roles):
    """intake's real application, as its role: events and data keys in its two databases."""
    db.setup(roles)
    intake = roles[0]
    store = StoreSettings(kind="postgres", sqlite_path=None, postgres_dbname=intake.databases[0],
                          postgres_host="127.0.0.1", postgres_port=5432, postgres_user=intake.role,
                          postgres_schema="public")
    app = IntakeApplication(store=store)
    client_id = app.register_client(WORKER, **registration_args())
    assert IntakeApplication(store=store).repository.get(client_id).id == client_id
    with connect(intake.role, intake.databases[1]) as conn:  # the data keys, in its keys database
        assert conn.execute("SELECT count(*) FROM wrapped_keys").fetchone()[0] > 0


def test_what_the_administrator_made_is_handed_over(roles):
    """A store first run as the superuser moves to the role: its tables change owner."""
    intake = roles[0]
    with psycopg.connect(dbname="postgres", user="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'CREATE DATABASE "{intake.databases[0]}"')
    with psycopg.connect(dbname=intake.databases[0], user="postgres", autocommit=True, **PG) as conn:
        conn.execute("CREATE TABLE stored_events (n int)")
    db.setup(roles)
    with connect(intake.role, intake.databases[0]) as conn:
        conn.execute("INSERT INTO stored_events VALUES (1)")
        assert conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'stored_events'"
                            ).fetchone()[0] == intake.role


def test_a_service_connecting_as_another_role_is_refused(pg_prefix):
    env = {**env_for(pg_prefix, "intake"), "JWW_STORE_POSTGRES_USER": f"{pg_prefix}_jww_guidance"}
    with pytest.raises(db.DbSetupFailed, match=f"JWW_STORE_POSTGRES_USER={pg_prefix}_jww_intake"):
        db.role_of("intake", env)
    with pytest.raises(db.DbSetupFailed, match="never a service's role"):
        db.setup([db.role_of("intake", env_for(pg_prefix, "intake"))], admin=f"{pg_prefix}_jww_intake")


def test_production_needs_each_roles_password(roles, tmp_path):
    with pytest.raises(db.DbSetupFailed, match=f"{roles[0].role}.password"):
        db.setup(roles, passwords=tmp_path, production=True)
    for r in roles:
        (tmp_path / f"{r.role}.password").write_text("s3cret-for-the-test\n")
    db.setup(roles, passwords=tmp_path, production=True)
    with psycopg.connect(dbname="postgres", user="postgres", **PG) as conn:
        assert conn.execute("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s",
                            (roles[0].role,)).fetchone()[0]
