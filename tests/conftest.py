import os
import uuid

import psycopg
import pytest

from jww.broker import directory_organisations
from shared import config, datakeys, keys, recipients
from tests.support import broker
from tests.support.platform import Platform
from tests.support.running import Running

PG = dict(host="127.0.0.1", port=5432, user="postgres", autocommit=True)


@pytest.fixture(scope="session", autouse=True)
def development_keys(tmp_path_factory):
    """One set of development keys for the session, in every process it starts
    (they inherit the environment), never the developer's var/keys."""
    folder = tmp_path_factory.mktemp("keys")
    os.environ["JWW_KEYS_DIR"] = str(folder)
    keys.ensure_development_keys(keys.platform_key_names(), folder)
    datakeys.ensure_development_keks(list(config.SERVICES), folder)
    recipients.ensure_development_keys(directory_organisations(os.environ))  # each feed's partner, as make run
    return folder


@pytest.fixture(scope="session", autouse=True)
def broker_users(tmp_path_factory):
    """Broker users of this session's own (a prefix, so that sessions running at the
    same time never change each other's passwords), made at the first vhost and
    removed at the end; their passwords in a folder every process it starts reads."""
    os.environ["JWW_BROKER_USER_PREFIX"] = f"jwwt{uuid.uuid4().hex[:8]}"
    os.environ["JWW_BROKER_SECRETS_DIR"] = str(tmp_path_factory.mktemp("broker"))
    yield os.environ["JWW_BROKER_USER_PREFIX"]
    broker.delete_users()


@pytest.fixture
def vhost():
    name, uri = broker.create_vhost()
    yield name, uri
    broker.delete_vhost(name)


@pytest.fixture
def amqp_uri(vhost):
    return vhost[1]


@pytest.fixture
def platform(tmp_path, amqp_uri, request):
    the_platform = Platform(tmp_path, amqp_uri)
    yield the_platform
    the_platform.stop_all()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        for log in sorted(tmp_path.glob("*.log")):
            print(f"----- {log.name}\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def running(tmp_path_factory):
    """Every service and the gateway, on their default settings, once per session
    (tests/support/running.py says who shares it and on what terms)."""
    vhost, uri = broker.create_vhost()
    shared = Platform(tmp_path_factory.mktemp("running"), uri)
    try:
        shared.start_services(*config.SERVICES)
        shared.start_gateway()
        yield Running(shared)
    finally:
        shared.stop_all()
        broker.delete_vhost(vhost)


@pytest.fixture
def pg_prefix():
    """A prefix for PostgreSQL databases of this test's own; dropped afterwards."""
    prefix = f"jwwtest_{uuid.uuid4().hex[:8]}"
    yield prefix
    with psycopg.connect(dbname="postgres", **PG) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",))]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


