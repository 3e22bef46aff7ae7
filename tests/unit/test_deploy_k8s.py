"""The Kubernetes manifests (deploy/k8s) are valid objects, and every process can write
what it writes.

Validity: the kustomization is rendered (tests/unit/kustomize.py, checked against
``kubectl kustomize`` where kubectl is installed) and each object is validated,
offline, against the Kubernetes OpenAPI schemas that ``kubernetes-validate`` ships,
in strict mode (an unknown field is an error, not silently dropped by the API server).

Writable paths: every Deployment runs with a read-only root filesystem, so each path
its process writes must be on a writable volume. The paths come from the code's own
settings (deploy/<service>/service.toml with the ConfigMap's overrides), by what each
process kind writes in production:

- every process: the temporary folder (``tempfile``, ``/tmp``);
- a relay: its checkpoint file (``[relay] checkpoint_path``, appended by
  ``shared.checkpoints``), which is evidence and so must outlive the pod: a
  PersistentVolumeClaim, never an emptyDir;
- a store on SQLite (never in production, where ``[store] kind`` is postgres): the
  database's folder (events, data keys, the relay's lock file).

``test_every_writing_module_is_accounted_for`` keeps that list honest: each module
of shared/, services/ and jww/ that writes a file is named below with why the list
covers it, so a new writer fails until its path is mounted (or shown to be for
development only).
"""
from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import PurePosixPath

import pytest
from kubernetes_validate import utils as kubernetes

from shared import config
from tests.unit import kustomize

K8S = config.DEPLOY_DIR / "k8s"
KUBERNETES_VERSION = "1.32"  # the oldest cluster version the manifests promise to run on
CONTAINERFILE = config.DEPLOY_DIR / "Containerfile"
TMP = PurePosixPath("/tmp")
SERVE, RELAY = "serve", "relay"
PROCESSES = [*((s, SERVE) for s in config.SERVICES), *((s, RELAY) for s in config.SERVICES),
             (config.GATEWAY, SERVE)]
IDS = [f"{service}-{role}" for service, role in PROCESSES]

# Every module that writes a file (open for writing, write_text/write_bytes, mkdir),
# and why the writable paths above cover it in production.
WRITERS = {
    "shared/checkpoints.py": "the relay's checkpoint file: [relay] checkpoint_path",
    "shared/persistence.py": "the SQLite store's folder: SQLite only",
    "shared/singleton.py": "the relay's lock file beside the SQLite store: SQLite only (PostgreSQL: an advisory lock)",
    "shared/datakeys.py": "the SQLite key store beside the events; development KEKs (make run)",
    "shared/keys.py": "development signing keys (make run); production mounts them read-only",
    "shared/recipients.py": "development organisation keys (make run)",
    "shared/contracts/catalogue.py": "jww catalogue --publish: a developer's command, never deployed",
    "jww/api_client.py": "the command-line client's token, in its user's home: not a deployed process",
    "jww/broker.py": "development broker passwords (production mounts them)",
    "jww/processes.py": "jww run's log files: development only",
    "jww/audit.py": "an auditor's --out file: a command, not a deployed process",
}
WRITES = re.compile(r"""\bopen\((.*,)?\s*["'][wax]b?\+?["']|write_text\(|write_bytes\(|\.mkdir\(|os\.(fdopen|open)\(""")


# -- rendering and schemas ------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered() -> list[dict]:
    return kustomize.render(K8S)


def validation_errors(obj: dict) -> list[str]:
    try:
        kubernetes.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes.ValidationError as error:
        return [f"{obj['kind']} {obj['metadata'].get('name')}: {error.message} at {list(error.path)}"]
    return []


def test_every_object_is_valid_against_the_kubernetes_schemas(rendered):
    assert {obj["kind"] for obj in rendered} >= {"Deployment", "Service", "ConfigMap", "Job",
                                                  "PersistentVolumeClaim"}
    assert [e for obj in rendered for e in validation_errors(obj)] == []


def test_each_service_folder_renders_and_validates_alone():
    """Each folder is applied (and rolled back) on its own too (kustomization.yaml)."""
    for folder in sorted(p for p in K8S.iterdir() if (p / "kustomization.yaml").is_file()):
        objects = kustomize.render(folder)
        assert objects, folder
        assert [e for obj in objects for e in validation_errors(obj)] == [], folder


def relay_of(objects: list[dict], service: str = "intake") -> dict:
    return next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == f"{service}-relay")


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda d: d["spec"]["template"]["spec"]["containers"][0].update(volumeMount=[]), id="unknown-field"),
    pytest.param(lambda d: d["spec"].update(replicas="one"), id="wrong-type"),
    pytest.param(lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"), id="missing-required"),
    pytest.param(lambda d: d["spec"]["template"]["spec"]["securityContext"].update(runAsNonRoot="yes"),
                 id="wrong-type-nested"),
])
def test_a_wrong_manifest_fails_validation(rendered, mutate):
    """The check can fail: a copy of a relay's Deployment with one wrong field."""
    broken = copy.deepcopy(relay_of(rendered))
    mutate(broken)
    assert validation_errors(broken)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed: the Python rendering stands alone")
def test_the_python_rendering_is_kustomizes(rendered):
    """Where kubectl is installed, its rendering is the same, but for the ConfigMaps'
    content hash suffix (and the references to it)."""
    output = subprocess.run(["kubectl", "kustomize", str(K8S)], check=True, capture_output=True, text=True).stdout
    generated = {o["metadata"]["name"] for o in rendered if o["kind"] == "ConfigMap"}
    unhashed = re.compile(r"\b(" + "|".join(map(re.escape, generated)) + r")-[a-z0-9]{10}\b")
    theirs = [d for d in kustomize.yaml.load_all(unhashed.sub(r"\1", output), Loader=kustomize.Loader) if d]
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(map(key, theirs)) == sorted(map(key, rendered))
    ours = {key(o): o for o in rendered}
    for obj in theirs:
        assert obj == ours[key(obj)], key(obj)


# -- writable paths -----------------------------------------------------------------

def image_root() -> PurePosixPath:
    """Where the image holds the project (the Containerfile's WORKDIR): relative
    settings paths are resolved from there (``shared.config``)."""
    workdirs = re.findall(r"^WORKDIR\s+(\S+)", CONTAINERFILE.read_text(), re.MULTILINE)
    return PurePosixPath(workdirs[-1])


def in_image(path: str) -> PurePosixPath:
    candidate = PurePosixPath(path)
    return candidate if candidate.is_absolute() else image_root() / candidate


def deployment(objects: list[dict], service: str, role: str) -> dict:
    name = service if role == SERVE else f"{service}-relay"
    found = [o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == name]
    assert found, f"no Deployment {name} in deploy/k8s"
    return found[0]


def container_env(objects: list[dict], dep: dict) -> dict[str, str]:
    """The process's settings environment: its ConfigMaps, then its literal env values."""
    container = dep["spec"]["template"]["spec"]["containers"][0]
    maps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]])
    env.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return env


def written_paths(service: str, role: str, env: dict[str, str]) -> dict[PurePosixPath, bool]:
    """What the process writes, each with whether it must survive a restart."""
    paths = {TMP: False}
    if service == config.GATEWAY:
        return paths
    settings = config.read(service, env)
    if settings["store"]["kind"] == "sqlite":
        paths[in_image(settings["store"]["sqlite_path"]).parent] = True
    if role == RELAY:
        paths[in_image(settings["relay"]["checkpoint_path"])] = True
    return paths


def writable_mount(dep: dict, path: PurePosixPath) -> tuple[str, dict] | None:
    """The writable volume ``path`` is on in the Deployment's container (the deepest
    mount that holds it), as (kind of volume, volume), or None."""
    spec = dep["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = [m for m in spec["containers"][0].get("volumeMounts", [])
              if path == PurePosixPath(m["mountPath"]) or PurePosixPath(m["mountPath"]) in path.parents]
    if not mounts:
        return None
    mount = max(mounts, key=lambda m: len(PurePosixPath(m["mountPath"]).parts))
    volume = volumes[mount["name"]]
    kind = next(k for k in ("emptyDir", "persistentVolumeClaim", "ephemeral") if k in volume) \
        if any(k in volume for k in ("emptyDir", "persistentVolumeClaim", "ephemeral")) else None
    if mount.get("readOnly") or kind is None:
        return None
    return kind, volume


def unwritable(objects: list[dict], service: str, role: str) -> list[str]:
    dep = deployment(objects, service, role)
    container = dep["spec"]["template"]["spec"]["containers"][0]
    problems = []
    if not container.get("securityContext", {}).get("readOnlyRootFilesystem"):
        problems.append(f"{dep['metadata']['name']}: the root filesystem is not read-only")
    claims = {o["metadata"]["name"] for o in objects if o["kind"] == "PersistentVolumeClaim"}
    for path, kept in written_paths(service, role, container_env(objects, dep)).items():
        found = writable_mount(dep, path)
        if found is None:
            problems.append(f"{dep['metadata']['name']} writes {path}, on no writable volume")
        elif kept and found[0] != "persistentVolumeClaim":
            problems.append(f"{dep['metadata']['name']} writes {path}, which must outlive the pod, on a {found[0]}")
        elif found[0] == "persistentVolumeClaim" and found[1]["persistentVolumeClaim"]["claimName"] not in claims:
            problems.append(f"{dep['metadata']['name']}: no claim {found[1]['persistentVolumeClaim']['claimName']}")
    return problems


@pytest.mark.parametrize(("service", "role"), PROCESSES, ids=IDS)
def test_every_path_a_process_writes_is_on_a_writable_volume(rendered, service, role):
    assert unwritable(rendered, service, role) == []


def test_a_relay_writes_its_checkpoint_file_on_a_claim(rendered):
    dep = deployment(rendered, "intake", RELAY)
    paths = written_paths("intake", RELAY, container_env(rendered, dep))
    assert in_image("var/intake/checkpoints.jsonl") in paths
    assert writable_mount(dep, in_image("var/intake/checkpoints.jsonl"))[0] == "persistentVolumeClaim"


@pytest.mark.parametrize("remove", ["checkpoints", "tmp"])
def test_a_removed_mount_fails(rendered, remove):
    """The check can fail: the relay's Deployment without one of its writable mounts."""
    broken = copy.deepcopy(rendered)
    container = deployment(broken, "intake", RELAY)["spec"]["template"]["spec"]["containers"][0]
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] != remove]
    assert any("on no writable volume" in p for p in unwritable(broken, "intake", RELAY))


def test_a_checkpoint_file_on_an_emptydir_or_a_readonly_mount_fails(rendered):
    broken = copy.deepcopy(rendered)
    spec = deployment(broken, "intake", RELAY)["spec"]["template"]["spec"]
    volume = next(v for v in spec["volumes"] if v["name"] == "checkpoints")
    volume.pop("persistentVolumeClaim")
    volume["emptyDir"] = {}
    assert any("must outlive the pod" in p for p in unwritable(broken, "intake", RELAY))
    mount = next(m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "checkpoints")
    mount["readOnly"] = True
    assert any("on no writable volume" in p for p in unwritable(broken, "intake", RELAY))


def test_a_checkpoint_path_moved_by_the_settings_is_followed(rendered):
    """The paths come from the settings: moving the file in config.env moves the check."""
    broken = copy.deepcopy(rendered)
    config_map = next(o for o in broken if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "intake-config")
    config_map["data"]["JWW_RELAY_CHECKPOINT_PATH"] = "/srv/evidence/checkpoints.jsonl"
    assert unwritable(broken, "intake", RELAY) == [
        "intake-relay writes /srv/evidence/checkpoints.jsonl, on no writable volume"]


def test_every_writing_module_is_accounted_for():
    root = config.PROJECT_ROOT
    writers = {str(path.relative_to(root)) for folder in ("shared", "services", "jww")
               for path in (root / folder).rglob("*.py") if WRITES.search(path.read_text())}
    assert writers - set(WRITERS) == set(), "a new module writes files: mount its path, then name it in WRITERS"
    assert set(WRITERS) - writers == set(), "WRITERS names a module that no longer writes: drop it"


@pytest.mark.parametrize("service", config.SERVICES)
def test_each_service_connects_as_its_own_postgresql_role(rendered, service):
    """The role ``jww db setup`` makes is named after the events database (jww/db.py);
    serve and relay connect as it, never as the administrator."""
    for role in (SERVE, RELAY):
        store = config.read(service, container_env(rendered, deployment(rendered, service, role)))["store"]
        assert store["kind"] == "postgres"
        assert store["postgres_user"] == store["postgres_dbname"] == f"jww_{service}"


def test_the_db_setup_job_runs_jww_db_setup(rendered):
    job = next(o for o in rendered if o["kind"] == "Job" and o["metadata"]["name"] == "jww-db-setup")
    assert kustomize.containers(job)[0]["args"] == ["db", "setup"]


def unmounted_files(objects: list[dict], service: str, role: str) -> list[str]:
    """Each ``*_FILE`` setting of the process names a file on a mounted Secret (or a
    projection of Secrets): a secret it is told to read is there."""
    dep = deployment(objects, service, role)
    spec = dep["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = [PurePosixPath(m["mountPath"]) for m in spec["containers"][0].get("volumeMounts", [])
              if "secret" in volumes[m["name"]] or "projected" in volumes[m["name"]]]
    return [f"{dep['metadata']['name']}: {name}={value} is on no mounted Secret"
            for name, value in container_env(objects, dep).items()
            if name.endswith("_FILE") and value and not any(m in PurePosixPath(value).parents for m in mounts)]


@pytest.mark.parametrize(("service", "role"), PROCESSES, ids=IDS)
def test_every_secret_file_a_process_reads_is_mounted(rendered, service, role):
    assert unmounted_files(rendered, service, role) == []


def test_a_removed_secret_mount_fails(rendered):
    broken = copy.deepcopy(rendered)
    container = deployment(broken, "intake", RELAY)["spec"]["template"]["spec"]["containers"][0]
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] != "broker-password"]
    assert unmounted_files(broken, "intake", RELAY) == [
        "intake-relay: JWW_AMQP_PASSWORD_FILE=/run/secrets/broker/password is on no mounted Secret"]
