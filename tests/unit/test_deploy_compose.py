"""deploy/compose.yaml is a valid Compose file, and every platform container has the
secrets it is told to read and a writable place for every path it writes.

Validity: the Compose Specification's JSON schema, vendored under
tests/support/schemas/ (source and licence in its README), so the check runs offline.

Writable paths: platform containers run with a read-only root filesystem
(``read_only``), so each path a process writes (derived from the settings exactly as
for Kubernetes: tests/unit/test_deploy_k8s.py ``written_paths``) must be on a tmpfs or
a volume; what must outlive the container (the relay's checkpoint file) on a named
volume, never a tmpfs.

Secrets: each ``*_FILE`` setting names a file that a secret of the container mounts
(the signing keys' lists are checked in detail by test_deploy_keys.py), each secret
used is declared, and each service connects to PostgreSQL as its own role (the one
``jww db setup`` makes) with that role's password.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
import yaml

from shared import config
from tests.unit.test_deploy_k8s import IDS, PROCESSES, RELAY, SERVE, written_paths

COMPOSE = config.DEPLOY_DIR / "compose.yaml"
SCHEMA = Path(__file__).parent.parent / "support" / "schemas" / "compose-spec.json"
SECRETS_AT = PurePosixPath("/run/secrets")
# Shared settings (x-platform-env) the gateway never reads: it opens no store
# (jww/processes.py does not export the PostgreSQL password for it).
UNREAD_BY_GATEWAY = {"PGPASSWORD_FILE"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # the anchors and merge keys resolved


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    assert schema_errors(compose) == []


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda c: c["services"]["intake-relay"].update(volume=["x:/app/var"]), id="unknown-key"),
    pytest.param(lambda c: c["services"]["intake-relay"].update(read_only="yes please"), id="wrong-type"),
    pytest.param(lambda c: c["services"]["intake"]["depends_on"]["postgres"].update(condition="whenever"),
                 id="unknown-condition"),
    pytest.param(lambda c: c["secrets"].update({"nowhere": {"path": "/tmp/x"}}), id="bad-secret"),
])
def test_a_wrong_compose_file_fails_validation(compose, mutate):
    broken = copy.deepcopy(compose)
    mutate(broken)
    assert schema_errors(broken)


# -- the platform's containers ----------------------------------------------------------

def container(compose: dict, service: str, role: str) -> dict:
    name = service if role == SERVE else f"{service}-relay"
    assert name in compose["services"], f"no compose service {name}"
    found = compose["services"][name]
    assert found["command"] == [role, service]
    return found


def environment(svc: dict) -> dict[str, str]:
    env = svc.get("environment", {})
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def secret_targets(svc: dict) -> dict[PurePosixPath, str]:
    """Where each secret of the container is mounted, and which secret it is."""
    targets = {}
    for entry in svc.get("secrets", []):
        source, target = (entry, entry) if isinstance(entry, str) else (entry["source"], entry.get("target", entry["source"]))
        targets[SECRETS_AT / target] = source  # an absolute target stays as it is
    return targets


def missing_secrets(compose: dict, service: str, role: str) -> list[str]:
    svc = container(compose, service, role)
    targets = secret_targets(svc)
    problems = [f"secret {source} is not declared" for source in targets.values() if source not in compose["secrets"]]
    for name, value in environment(svc).items():
        if service == config.GATEWAY and name in UNREAD_BY_GATEWAY:
            continue
        if name.endswith("_FILE") and value:
            path = PurePosixPath(value)
            if not any(path == t or t in path.parents for t in targets):
                problems.append(f"{name}={value}: no secret mounted there")
    return problems


def unwritable(compose: dict, service: str, role: str) -> list[str]:
    svc = container(compose, service, role)
    name = service if role == SERVE else f"{service}-relay"
    if not svc.get("read_only"):
        return [f"{name}: the root filesystem is not read-only"]
    mounts: dict[PurePosixPath, str] = {PurePosixPath(p): "tmpfs" for p in svc.get("tmpfs", [])}
    for volume in svc.get("volumes", []):
        source, _, rest = volume.partition(":")
        target, _, mode = rest.partition(":")
        if mode != "ro":
            mounts[PurePosixPath(target)] = "volume" if source in compose.get("volumes", {}) else "bind"
    problems = []
    for path, kept in written_paths(service, role, environment(svc)).items():
        holding = [m for m in mounts if m == path or m in path.parents]
        if not holding:
            problems.append(f"{name} writes {path}, on no writable mount")
        elif kept and mounts[max(holding, key=lambda m: len(m.parts))] == "tmpfs":
            problems.append(f"{name} writes {path}, which must outlive the container, on a tmpfs")
    return problems


@pytest.mark.parametrize(("service", "role"), PROCESSES, ids=IDS)
def test_every_path_a_container_writes_is_writable(compose, service, role):
    assert unwritable(compose, service, role) == []


@pytest.mark.parametrize(("service", "role"), PROCESSES, ids=IDS)
def test_every_secret_a_container_reads_is_mounted(compose, service, role):
    assert missing_secrets(compose, service, role) == []


def test_a_removed_volume_or_tmpfs_fails(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["intake-relay"]["volumes"] = []
    assert unwritable(broken, "intake", RELAY) == [
        "intake-relay writes /app/var/intake/checkpoints.jsonl, on no writable mount"]
    broken["services"]["intake-relay"]["tmpfs"] = ["/tmp", "/app/var"]
    assert unwritable(broken, "intake", RELAY) == [
        "intake-relay writes /app/var/intake/checkpoints.jsonl, which must outlive the container, on a tmpfs"]
    broken["services"]["intake"]["tmpfs"] = []
    assert unwritable(broken, "intake", SERVE) == ["intake writes /tmp, on no writable mount"]


def test_a_removed_secret_fails(compose):
    broken = copy.deepcopy(compose)
    svc = broken["services"]["intake-relay"]
    svc["secrets"] = [s for s in svc["secrets"] if not (isinstance(s, dict) and s["target"] == "pgpassword")]
    assert missing_secrets(broken, "intake", RELAY) == ["PGPASSWORD_FILE=/run/secrets/pgpassword: no secret mounted there"]
    del broken["secrets"]["jww-intake-relay"]
    assert "secret jww-intake-relay is not declared" in missing_secrets(broken, "intake", RELAY)


@pytest.mark.parametrize("service", config.SERVICES)
def test_each_service_connects_as_its_own_postgresql_role(compose, service):
    """The role ``jww db setup`` makes (named after the events database, jww/db.py),
    with its own password: never the administrator, never another service's."""
    for role in (SERVE, RELAY):
        svc = container(compose, service, role)
        store = config.read(service, environment(svc))["store"]
        assert store["kind"] == "postgres"
        assert store["postgres_user"] == store["postgres_dbname"] == f"jww_{service}"
        password = secret_targets(svc)[PurePosixPath(environment(svc)["PGPASSWORD_FILE"])]
        assert compose["secrets"][password]["file"].endswith(f"/postgres/jww_{service}.password")


def test_the_roles_are_made_before_any_service_starts(compose):
    setup = compose["services"]["db-setup"]
    assert setup["command"] == ["db", "setup"]
    for service, role in PROCESSES:
        if service != config.GATEWAY:
            depends = container(compose, service, role)["depends_on"]
            assert depends["db-setup"]["condition"] == "service_completed_successfully"
