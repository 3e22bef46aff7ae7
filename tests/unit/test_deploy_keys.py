"""Each deployed process sees exactly the signing keys it needs (deploy/compose.yaml,
deploy/k8s/), no fewer and no more.

What a process needs is derived here from the code's own names (``shared.keys``)
and each service's settings (``follows``, read by ``shared.config`` with the
deployment's own environment), by what each process kind loads:

- a relay (``jww relay``): its service's events private key, which ``Outbox.key``
  signs every published event with;
- a service's ``serve``: the same key (``EventStore.setup`` loads ``Outbox.key``: the
  workers sign the pages a follower pulls); every actor holder's public key
  (``AnsweringRpcConsumer`` builds ``assertions.Verifier()``); for each feed it follows,
  the publisher's events public key (``Follower``); and, when it follows anything,
  its own actors private key (``UpstreamConsumer`` signs its pulls with
  ``assertions.Signer(service)``);
- the gateway: its actors private key (``ServiceCalls``: ``Signer("gateway")``) and the
  public key of every key the platform signs with (its JWKS document:
  ``keys.jwks(keys.platform_key_names())``).

Every public key comes with its ``.previous.pub.pem`` (``keys.public_keys`` reads
both: a rotation). A last test puts exactly the mounted files in a folder and runs
the code that loads them, so a file name that differs from what ``shared.keys`` reads
fails too.

Data key-encryption keys (``shared.datakeys``) likewise, kept apart from the signing
keys (their own folder, their own compose secrets from ``$JWW_SECRETS_DIR/data-keks``,
their own Secret ``jww-data-keks``): a process that opens a service's application
opens its key store, which loads that service's KEK (``datakeys.kek_name``) from
``JWW_DATA_KEK_FILE``. Which applications a process opens is read off the code: for
``serve``, every ``EventStore`` of the service's nameko class (``EventStore.setup``
builds it); for ``relay``, the one ``jww relay`` builds (run here up to that point).
So each service's serve and relay hold exactly their service's KEK, the gateway none.
During a rotation Kubernetes may also project the previous KEK (an optional item,
``<service>-data.previous.kek``, read when ``JWW_DATA_KEK_PREVIOUS_FILE`` is set in
``config.env``); compose gets it from an override file only then (deploy/README.md).

The recipient organisations' X25519 public keys (``shared.recipients``), one file per
organisation and not known in advance, are a folder of their own at
``<JWW_KEYS_DIR>/organisations`` (``recipients.folder()``): compose's directory secret
from ``$JWW_SECRETS_DIR/organisations``, Kubernetes' whole Secret
``jww-organisation-keys``. It is mounted into exactly the processes whose code reads it:
for ``serve``, any module of the service that uses ``shared.recipients``; for
``relay``, the modules of the publications it runs (today sharing's serve, which
looks a feed's key up, and relay, which seals to it).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
import shutil
from pathlib import Path, PurePosixPath

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from jww import processes
from jww.lookup import application_class, service_class
from shared import assertions, config, datakeys, keys, logs, messaging, production, recipients
from shared.follower import Follower
from shared.keys import KeyMissing
from shared.outbox import Outbox
from shared.service import EventStore

COMPOSE = config.DEPLOY_DIR / "compose.yaml"
K8S = config.DEPLOY_DIR / "k8s"
KEYS_SECRET = "jww-keys"  # the one Secret of keys that ops create (deploy/README.md, "Signed events")
COMPOSE_KEYS_FOLDER = "${JWW_SECRETS_DIR}/keys"  # where compose takes each key file from
KEKS_SECRET = "jww-data-keks"  # the data KEKs, apart from jww-keys (deploy/README.md, "Data keys and erasure")
COMPOSE_KEKS_FOLDER = "${JWW_SECRETS_DIR}/data-keks"  # where compose takes each KEK from, apart from keys/
ORGANISATION_KEYS = "jww-organisation-keys"  # compose's folder secret and the Kubernetes Secret of them
COMPOSE_ORGANISATIONS_FOLDER = "${JWW_SECRETS_DIR}/organisations"  # one <org>.x25519.pub.pem each
SERVE, RELAY = "serve", "relay"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PROCESSES = [
    *((service, SERVE) for service in config.SERVICES),
    *((service, RELAY) for service in config.SERVICES),
    (config.GATEWAY, SERVE),
]
IDS = [f"{service}-{role}" for service, role in PROCESSES]


# -- what each process needs, from the code ----------------------------------------

def private_file(name: str) -> str:
    return f"{name}.key.pem"


def public_files(name: str) -> set[str]:
    return {f"{name}.pub.pem", f"{name}.previous.pub.pem"}


def publishers(service: str, env: dict[str, str]) -> list[str]:
    """The services whose events ``service`` verifies: the publisher of each feed it
    follows (``intake.access`` is signed with intake's events key too)."""
    follows = config.load(service, env=env).follows
    return sorted({messaging.followed(service, feed)[0] for feed in follows})


def private_names(service: str, role: str, env: dict[str, str]) -> set[str]:
    if service == config.GATEWAY:
        return {keys.actors_key_name(assertions.GATEWAY)}
    if role == RELAY:
        return {keys.events_key_name(service)}
    follows = config.load(service, env=env).follows
    return {keys.events_key_name(service), *([keys.actors_key_name(service)] if follows else [])}


def public_names(service: str, role: str, env: dict[str, str]) -> set[str]:
    if service == config.GATEWAY:
        return set(keys.platform_key_names())
    if role == RELAY:
        return set()
    return {*keys.actor_key_names(), *(keys.events_key_name(p) for p in publishers(service, env))}


def needed(service: str, role: str, env: dict[str, str]) -> set[str]:
    """The key files the process loads (see the module's docstring)."""
    files = {private_file(name) for name in private_names(service, role, env)}
    for name in public_names(service, role, env):
        files |= public_files(name)
    return files


def own_private_keys(service: str, role: str) -> set[str]:
    """Least privilege, said without ``needed``: the private keys a process may hold
    at most are its own process kind's."""
    if service == config.GATEWAY:
        return {private_file(keys.actors_key_name(service))}
    if role == RELAY:
        return {private_file(keys.events_key_name(service))}
    return {private_file(keys.events_key_name(service)), private_file(keys.actors_key_name(service))}


class _Opened(Exception):
    """Raised where a process would build an application: which service's."""


def opened_applications(service: str, role: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The services whose application (and so whose key store) the process opens."""
    if role == SERVE:
        cls = service_class(service)
        stores = [getattr(cls, name) for name in dir(cls) if isinstance(getattr(cls, name), EventStore)]
        return {store.application_cls.service_name for store in stores}

    def application_class_of(name: str):
        def build(*args, **kwargs):
            raise _Opened(application_class(name).service_name)
        return build

    with monkeypatch.context() as patch:  # jww relay, up to the application it builds
        patch.setattr(processes, "application_class", application_class_of)
        patch.setattr(logs, "configure", lambda *args, **kwargs: None)
        try:
            processes.relay(service)
        except _Opened as opened:
            return {str(opened)}
    return set()


def needed_keks(service: str, role: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The data KEK files the process loads: one per application it opens
    (``ServiceApplication.__init__`` -> ``datakeys.for_store`` -> ``datakeys.load_keks``)."""
    return {datakeys.kek_name(opened) for opened in opened_applications(service, role, monkeypatch)}


def previous_kek_name(name: str) -> str:
    """The deployments' name for the previous KEK during a rotation (deploy/README.md)."""
    return name.removesuffix(".kek") + ".previous.kek"


def _modules(service: str) -> list:
    """Every module of the service's package (what ``jww serve`` may run)."""
    package = importlib.import_module(f"services.{service}")
    return [package, *(importlib.import_module(info.name)
                       for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."))]


def reads_organisation_keys(service: str, role: str) -> bool:
    """Whether the process reads the recipient organisations' public keys: its code
    uses ``shared.recipients`` (serve: any module of the service; relay: the modules
    of the publications it runs)."""
    if role == RELAY:
        modules = {importlib.import_module(publish.__module__)
                   for publish in application_class(service).publications.values()}
    else:
        modules = _modules(service)
    return any(value is recipients or getattr(value, "__module__", None) == recipients.__name__
               for module in modules for value in vars(module).values())


def organisations_at(keys_dir: str) -> PurePosixPath:
    """Where ``shared.recipients`` reads the organisations' public keys, for a keys folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JWW_KEYS_DIR", keys_dir)
        return PurePosixPath(recipients.folder())


def _diff(mounted: set[str], wanted: set[str]) -> str:
    return f"missing {sorted(wanted - mounted)}, not needed {sorted(mounted - wanted)}"


# -- what compose gives each container ----------------------------------------------

@functools.cache
def compose() -> dict:
    return yaml.load(COMPOSE.read_text(), Loader)


def compose_name(service: str, role: str) -> str:
    return service if role == SERVE else f"{service}-{role}"


def secret_target(ref) -> str:
    """Where compose mounts a secret: /run/secrets/<target or source>, or an absolute target."""
    target = ref if isinstance(ref, str) else ref.get("target") or ref["source"]
    return target if target.startswith("/") else f"/run/secrets/{target}"


def secret_source(ref) -> str:
    return ref if isinstance(ref, str) else ref["source"]


def is_key_file(path: str) -> bool:
    return path.endswith(".pem")


def is_kek_file(path: str) -> bool:
    return path.endswith(".kek") or "/data-keks/" in path


def compose_env(container: dict) -> dict[str, str]:
    return {name: str(value) for name, value in (container.get("environment") or {}).items()}


def compose_keys(service: str, role: str) -> tuple[str, dict[str, str]]:
    """(JWW_KEYS_DIR, {file name there: the host file compose mounts})."""
    doc = compose()
    container = doc["services"][compose_name(service, role)]
    keys_dir = compose_env(container)["JWW_KEYS_DIR"]
    mounted = {}
    for ref in container.get("secrets", []):
        target = PurePosixPath(secret_target(ref))
        host_file = doc["secrets"][secret_source(ref)].get("file", "")
        if target == organisations_at(keys_dir):
            continue  # a folder of its own (compose_organisation_keys)
        if is_key_file(host_file) or is_key_file(target.name) or str(target).startswith(keys_dir + "/"):
            assert target.parent == PurePosixPath(keys_dir), f"{target} is a key mounted outside {keys_dir}"
            assert target.name not in mounted, f"{target} is mounted twice"
            mounted[target.name] = host_file
    return keys_dir, mounted


def compose_keks(service: str, role: str) -> dict[str, tuple[str, str]]:
    """{file name: (where it is mounted, the host file compose mounts)} of the data KEKs."""
    doc = compose()
    container = doc["services"][compose_name(service, role)]
    mounted = {}
    for ref in container.get("secrets", []):
        target = secret_target(ref)
        host_file = doc["secrets"][secret_source(ref)].get("file", "")
        if is_kek_file(host_file) or is_kek_file(target):
            name = PurePosixPath(target).name
            assert name not in mounted, f"{target} is mounted twice"
            mounted[name] = (target, host_file)
    return mounted


def compose_organisation_keys(service: str, role: str) -> list[tuple[str, str, str]]:
    """(secret, where it is mounted, the host folder) of each mount of the organisations'
    public keys: the secret jww-organisation-keys, or anything mounted where they are read."""
    doc = compose()
    container = doc["services"][compose_name(service, role)]
    where = str(organisations_at(compose_env(container)["JWW_KEYS_DIR"]))
    return [(secret_source(ref), secret_target(ref), doc["secrets"][secret_source(ref)].get("file", ""))
            for ref in container.get("secrets", [])
            if secret_source(ref) == ORGANISATION_KEYS or secret_target(ref) == where]


# -- what Kubernetes gives each Deployment ------------------------------------------

@functools.cache
def deployment(service: str, role: str) -> dict:
    return yaml.load((K8S / service / f"{role}.yaml").read_text(), Loader)


def k8s_container(service: str, role: str) -> dict:
    [container] = deployment(service, role)["spec"]["template"]["spec"]["containers"]
    return container


def k8s_env(service: str, role: str) -> dict[str, str]:
    """The ConfigMap's settings (config.env) and the Deployment's literal values."""
    env = {}
    for line in (K8S / service / "config.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env.update({e["name"]: e["value"] for e in k8s_container(service, role).get("env", []) if "value" in e})
    return env


def k8s_keys(service: str, role: str) -> tuple[str, dict[str, tuple[str, bool]]]:
    """(JWW_KEYS_DIR, {file name there: (the Secret's key, optional)})."""
    spec = deployment(service, role)["spec"]["template"]["spec"]
    container = k8s_container(service, role)
    keys_dir = k8s_env(service, role)["JWW_KEYS_DIR"]
    mounts = [m for m in container["volumeMounts"] if m["mountPath"] == keys_dir]
    assert len(mounts) == 1, f"{service} {role}: one volume at {keys_dir}"
    [mount] = mounts
    assert mount.get("readOnly") is True and "subPath" not in mount, f"{service} {role}: mount the keys read-only, whole"
    organisations = str(organisations_at(keys_dir))  # a folder of its own (k8s_organisation_keys)
    assert not [m for m in container["volumeMounts"]
                if m["mountPath"].startswith(keys_dir + "/") and m["mountPath"] != organisations]
    volumes = {v["name"]: v for v in spec["volumes"]}
    projected = volumes[mount["name"]]["projected"]
    mounted = {}
    for source in projected["sources"]:
        assert set(source) == {"secret"}, f"{service} {role}: only the Secret {KEYS_SECRET} goes in the keys volume"
        secret = source["secret"]
        assert secret["name"] == KEYS_SECRET
        assert secret.get("items"), f"{service} {role}: name the items: a whole Secret would give every key"
        for item in secret["items"]:
            assert item["path"] not in mounted, f"{item['path']} is projected twice"
            mounted[item["path"]] = (item["key"], bool(secret.get("optional", False)))
    # The Secret is nowhere else in the pod (a plain secret volume would give all of it).
    for name, volume in volumes.items():
        if name != mount["name"]:
            assert volume.get("secret", {}).get("secretName") != KEYS_SECRET, f"{service} {role}: volume {name}"
    return keys_dir, mounted


def k8s_organisation_keys(service: str, role: str) -> list[tuple[dict, dict]]:
    """(mount, volume) of each volume holding the Secret jww-organisation-keys, or
    mounted where the organisations' public keys are read."""
    spec = deployment(service, role)["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    where = str(organisations_at(k8s_env(service, role)["JWW_KEYS_DIR"]))
    return [(mount, volumes[mount["name"]]) for mount in k8s_container(service, role)["volumeMounts"]
            if ORGANISATION_KEYS in _secret_names(volumes[mount["name"]]) or mount["mountPath"] == where]


def k8s_keks(service: str, role: str) -> tuple[str | None, dict[str, tuple[str, bool]]]:
    """(the folder they are in, {file name there: (the Secret's key, optional)}) of the
    data KEKs: the items of the Secret jww-data-keks, in a volume of their own."""
    spec = deployment(service, role)["spec"]["template"]["spec"]
    container = k8s_container(service, role)
    volumes = {v["name"]: v for v in spec["volumes"]}
    for name, volume in volumes.items():
        assert volume.get("secret", {}).get("secretName") != KEKS_SECRET, (
            f"{service} {role}: volume {name} would give every service's KEK")
    folder, mounted = None, {}
    for mount in container["volumeMounts"]:
        sources = volumes[mount["name"]].get("projected", {}).get("sources", [])
        ours = [s["secret"] for s in sources if s.get("secret", {}).get("name") == KEKS_SECRET]
        if not ours:
            continue
        assert folder is None, f"{service} {role}: the KEKs in one volume"
        folder = mount["mountPath"]
        assert len(ours) == len(sources), f"{service} {role}: only the Secret {KEKS_SECRET} in the KEKs volume"
        assert mount.get("readOnly") is True and "subPath" not in mount, f"{service} {role}: the KEK read-only, whole"
        for secret in ours:
            assert secret.get("items"), f"{service} {role}: name the items: a whole Secret would give every KEK"
            for item in secret["items"]:
                assert item["path"] not in mounted, f"{item['path']} is projected twice"
                mounted[item["path"]] = (item["key"], bool(secret.get("optional", False)))
    return folder, mounted


def k8s_rotation_env(service: str) -> dict[str, str]:
    """The settings config.env holds commented out, to be set during a KEK rotation."""
    env = {}
    for line in (K8S / service / "config.env").read_text().splitlines():
        if line.startswith("#JWW_DATA_KEK_PREVIOUS_FILE="):
            name, _, value = line[1:].partition("=")
            env[name] = value.strip()
    return env


# -- the checks ---------------------------------------------------------------------

def test_every_platform_process_is_checked():
    in_compose = {(c["command"][1], c["command"][0]) for c in compose()["services"].values()
                  if c.get("command", [None])[0] in (SERVE, RELAY)}
    in_k8s = set()
    for path in K8S.glob("*/*.yaml"):
        for doc in yaml.load_all(path.read_text(), Loader):
            if doc and doc.get("kind") == "Deployment":
                [container] = doc["spec"]["template"]["spec"]["containers"]
                in_k8s.add((container["args"][1], container["args"][0]))
    assert in_compose == set(PROCESSES)
    assert in_k8s == set(PROCESSES)


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_compose_gives_each_process_exactly_its_keys(service, role):
    container = compose()["services"][compose_name(service, role)]
    assert container["command"] == [role, service]
    _, mounted = compose_keys(service, role)
    wanted = needed(service, role, compose_env(container))
    assert set(mounted) == wanted, f"compose {compose_name(service, role)}: {_diff(set(mounted), wanted)}"
    for name, host_file in mounted.items():
        assert host_file == f"{COMPOSE_KEYS_FOLDER}/{name}", f"{name} comes from {host_file}"


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_kubernetes_projects_exactly_each_process_keys(service, role):
    assert k8s_container(service, role)["args"] == [role, service]
    _, mounted = k8s_keys(service, role)
    wanted = needed(service, role, k8s_env(service, role))
    assert set(mounted) == wanted, f"k8s {service} {role}: {_diff(set(mounted), wanted)}"
    for path, (key, optional) in mounted.items():
        # The Secret's keys are the file names (kubectl create secret --from-file=<folder>).
        assert key == path, f"item {key} is projected as {path}"
        # A previous public key exists during a rotation only; every other file is required.
        assert optional == path.endswith(".previous.pub.pem"), f"{path}: optional={optional}"


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_no_process_holds_another_process_kinds_private_key(service, role):
    for where, mounted in (("compose", compose_keys(service, role)[1]), ("k8s", k8s_keys(service, role)[1])):
        private = {name for name in mounted if name.endswith(".key.pem")}
        assert private <= own_private_keys(service, role), f"{where} {service} {role}: {sorted(private)}"


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_compose_gives_each_process_exactly_its_kek(service, role, monkeypatch):
    container = compose()["services"][compose_name(service, role)]
    env = compose_env(container)
    mounted = compose_keks(service, role)
    wanted = needed_keks(service, role, monkeypatch)
    assert set(mounted) == wanted, f"compose {compose_name(service, role)}: {_diff(set(mounted), wanted)}"
    keys_dir, _ = compose_keys(service, role)
    for name, (target, host_file) in mounted.items():
        assert host_file == f"{COMPOSE_KEKS_FOLDER}/{name}", f"{name} comes from {host_file}"
        assert not target.startswith(keys_dir + "/"), f"{target}: a KEK among the signing keys"
    if wanted:
        [name] = wanted
        assert env.get("JWW_DATA_KEK_FILE") == mounted[name][0], f"JWW_DATA_KEK_FILE is {env.get('JWW_DATA_KEK_FILE')}"
    else:
        assert "JWW_DATA_KEK_FILE" not in env
    # The previous KEK is mounted during a rotation only, by an override file.
    assert "JWW_DATA_KEK_PREVIOUS_FILE" not in env


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_kubernetes_projects_exactly_each_process_kek(service, role, monkeypatch):
    folder, mounted = k8s_keks(service, role)
    wanted = needed_keks(service, role, monkeypatch)
    required = {path for path, (_, optional) in mounted.items() if not optional}
    optional = {path for path, (_, optional) in mounted.items() if optional}
    assert required == wanted, f"k8s {service} {role}: {_diff(required, wanted)}"
    # The previous KEK: an optional item, in the Secret during a rotation only.
    assert optional == {previous_kek_name(name) for name in wanted}, f"k8s {service} {role}: {sorted(optional)}"
    for path, (key, _) in mounted.items():
        assert key == path, f"item {key} is projected as {path}"
    keys_dir, _ = k8s_keys(service, role)
    env = k8s_env(service, role)
    if not wanted:
        assert folder is None and "JWW_DATA_KEK_FILE" not in env
        return
    assert folder != keys_dir and not folder.startswith(keys_dir + "/"), f"{folder}: the KEK among the signing keys"
    [name] = wanted
    assert env.get("JWW_DATA_KEK_FILE") == f"{folder}/{name}", f"JWW_DATA_KEK_FILE is {env.get('JWW_DATA_KEK_FILE')}"
    assert "JWW_DATA_KEK_PREVIOUS_FILE" not in env, "set during a rotation only"
    rotation = k8s_rotation_env(service)
    assert rotation == {"JWW_DATA_KEK_PREVIOUS_FILE": f"{folder}/{previous_kek_name(name)}"}, rotation


def _secret_names(node) -> set[str]:
    """Every Secret a manifest refers to by name, anywhere in it."""
    if isinstance(node, list):
        return set().union(*map(_secret_names, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["secretName"]} if isinstance(node.get("secretName"), str) else set()
    for key, value in node.items():
        if key in ("secret", "secretKeyRef", "secretRef") and isinstance(value, dict) and "name" in value:
            found.add(value["name"])
        found |= _secret_names(value)
    return found


def test_only_service_processes_see_keks_in_kubernetes():
    services = {(service, role) for service, role in PROCESSES if service != config.GATEWAY}
    seen = set()
    for path in K8S.rglob("*.yaml"):
        for doc in yaml.load_all(path.read_text(), Loader):
            if doc and KEKS_SECRET in _secret_names(doc):
                assert doc.get("kind") == "Deployment", f"{path}: a {doc.get('kind')} refers to {KEKS_SECRET}"
                [container] = doc["spec"]["template"]["spec"]["containers"]
                seen.add((container["args"][1], container["args"][0]))
    assert seen == services, f"{KEKS_SECRET} in {sorted(seen - services)}, not in {sorted(services - seen)}"


def test_only_platform_processes_see_keys_in_compose():
    doc = compose()
    platform = {compose_name(service, role) for service, role in PROCESSES}
    key_secrets = {name for name, secret in doc["secrets"].items()
                   if is_key_file(secret.get("file", "")) or is_kek_file(secret.get("file", ""))}
    used = set()
    for name, container in doc["services"].items():
        mounted = {secret_source(ref) for ref in container.get("secrets", [])} & key_secrets
        if name not in platform:
            assert not mounted, f"{name} mounts keys: {sorted(mounted)}"
        used |= mounted
        for volume in container.get("volumes", []):
            assert "keys" not in str(volume), f"{name} mounts a keys folder: {volume}"
    assert used == key_secrets, f"key secrets no container needs: {sorted(key_secrets - used)}"


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_compose_mounts_the_organisations_keys_into_exactly_their_readers(service, role):
    mounted = compose_organisation_keys(service, role)
    if not reads_organisation_keys(service, role):
        assert not mounted, f"compose {compose_name(service, role)} mounts {mounted}"
        return
    keys_dir = compose_env(compose()["services"][compose_name(service, role)])["JWW_KEYS_DIR"]
    assert mounted == [(ORGANISATION_KEYS, str(organisations_at(keys_dir)), COMPOSE_ORGANISATIONS_FOLDER)], mounted


@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_kubernetes_mounts_the_organisations_keys_into_exactly_their_readers(service, role):
    found = k8s_organisation_keys(service, role)
    if not reads_organisation_keys(service, role):
        assert not found and ORGANISATION_KEYS not in _secret_names(deployment(service, role)), found
        return
    [(mount, volume)] = found
    assert mount["mountPath"] == str(organisations_at(k8s_env(service, role)["JWW_KEYS_DIR"]))
    # Whole and without subPath: the organisations are not known here, and Kubernetes
    # updates the files of such a volume when ops add one.
    assert mount.get("readOnly") is True and "subPath" not in mount, mount
    assert set(volume) == {"name", "secret"} and volume["secret"]["secretName"] == ORGANISATION_KEYS, volume
    assert "items" not in volume["secret"] and not volume["secret"].get("optional"), volume


def test_only_the_readers_see_the_organisations_keys():
    readers = {(service, role) for service, role in PROCESSES if reads_organisation_keys(service, role)}
    assert readers == {("sharing", SERVE), ("sharing", RELAY)}  # the code as it is: what the others check
    in_compose = {name for name, container in compose()["services"].items()
                  if any(secret_source(ref) == ORGANISATION_KEYS for ref in container.get("secrets", []))}
    assert in_compose == {compose_name(service, role) for service, role in readers}
    in_k8s = set()
    for path in K8S.rglob("*.yaml"):
        for doc in yaml.load_all(path.read_text(), Loader):
            if doc and ORGANISATION_KEYS in _secret_names(doc):
                assert doc.get("kind") == "Deployment", f"{path}: a {doc.get('kind')} refers to {ORGANISATION_KEYS}"
                [container] = doc["spec"]["template"]["spec"]["containers"]
                in_k8s.add((container["args"][1], container["args"][0]))
    assert in_k8s == readers


# -- the files mounted are the ones the code reads ----------------------------------

ORGANISATIONS = ("transit", "apo")  # an agency and a partner, as ops provision them
ORGANISATIONS_FOLDER = PurePosixPath(COMPOSE_ORGANISATIONS_FOLDER).name


def _write_public(private: Ed25519PrivateKey | X25519PrivateKey, path: Path) -> None:
    path.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


@pytest.fixture(scope="module")
def ops_folder(tmp_path_factory) -> Path:
    """Every key as ops make them, in the middle of a rotation: each public key with
    a previous one (another key) beside it."""
    folder = tmp_path_factory.mktemp("ops-keys")
    keys.ensure_development_keys(keys.platform_key_names(), folder)
    for name in keys.platform_key_names():
        _write_public(Ed25519PrivateKey.generate(), folder / f"{name}.previous.pub.pem")
    organisations = folder / ORGANISATIONS_FOLDER  # $JWW_SECRETS_DIR/organisations: public keys only
    organisations.mkdir()
    for organisation in ORGANISATIONS:
        _write_public(X25519PrivateKey.generate(), organisations / f"{organisation}.x25519.pub.pem")
    return folder


@pytest.fixture(scope="module")
def ops_keks(tmp_path_factory) -> Path:
    """Every service's KEK as ops make them, in the middle of a rotation: each with a
    previous one (another key) beside it, in a folder apart from the signing keys."""
    folder = tmp_path_factory.mktemp("ops-data-keks")
    datakeys.ensure_development_keks(list(config.SERVICES), folder)
    previous = tmp_path_factory.mktemp("previous-data-keks")
    datakeys.ensure_development_keks(list(config.SERVICES), previous)
    for service in config.SERVICES:
        name = datakeys.kek_name(service)
        shutil.copy(previous / name, folder / previous_kek_name(name))
    return folder


def _sqlite_store(path: Path) -> config.StoreSettings:
    return config.StoreSettings(kind="sqlite", sqlite_path=path, postgres_dbname="", postgres_host="",
                                postgres_port=0, postgres_user="", postgres_schema="")


class _App:
    """As much of an application as a Follower and an Outbox ask for at start."""

    def __init__(self, service: str):
        self.service_name = service
        self.publications = {}

    def position_of(self, feed: str) -> int:
        return 0


def _mounted_folder(deploy: str, service: str, role: str, ops: Path, into: Path) -> tuple[Path, dict[str, str]]:
    """A folder holding exactly what the deployment mounts for the process, and the
    deployment's environment for it."""
    if deploy == "compose":
        _, mounted = compose_keys(service, role)
        sources = {name: PurePosixPath(host_file).name for name, host_file in mounted.items()}
        env = compose_env(compose()["services"][compose_name(service, role)])
    else:
        _, mounted = k8s_keys(service, role)
        sources = {name: key for name, (key, _) in mounted.items()}
        env = k8s_env(service, role)
    into.mkdir()
    for name, source in sources.items():
        shutil.copy(ops / source, into / name)
    if deploy == "compose":
        folders = [target for _, target, _ in compose_organisation_keys(service, role)]
    else:
        folders = [mount["mountPath"] for mount, _ in k8s_organisation_keys(service, role)]
    for target in folders:  # where the deployment puts them, under its own keys folder
        shutil.copytree(ops / ORGANISATIONS_FOLDER, into / PurePosixPath(target).relative_to(env["JWW_KEYS_DIR"]))
    return into, env


@pytest.mark.parametrize("deploy", ["compose", "k8s"])
@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_the_code_starts_with_exactly_the_mounted_keys(deploy, service, role, ops_folder, tmp_path, monkeypatch):
    folder, env = _mounted_folder(deploy, service, role, ops_folder, tmp_path / "keys")
    monkeypatch.setenv("JWW_KEYS_DIR", str(folder))
    assert keys.keys_dir() == folder
    if service == config.GATEWAY:
        assertions.Signer(assertions.GATEWAY)  # ServiceCalls.setup
        document = keys.jwks(keys.platform_key_names())  # the JWKS route
        assert len(document["keys"]) == 2 * len(keys.platform_key_names())  # current and previous
        return
    Outbox(_App(service)).key  # the relay's signing, and EventStore.setup
    for organisation in ORGANISATIONS:  # sharing's policies (a feed provisioned?) and its relay (sealing)
        found = recipients.public_key(organisation)
        assert (found is not None) == reads_organisation_keys(service, role), f"{organisation}: {found}"
    if role == RELAY:
        return
    verifier = assertions.Verifier()  # AnsweringRpcConsumer.setup
    assert len(verifier.keys) == 2 * len(keys.actor_holders())
    follows = config.load(service, env=env).follows
    for feed in follows:
        follower = Follower(_App(service), service, feed, {}, pull=lambda after, until: [],
                            dead_letter=lambda body, reason: None)
        assert len(follower.keys) == 2
    if follows:
        assertions.Signer(service)  # UpstreamConsumer's first pull


def _mounted_keks(deploy: str, service: str, role: str, ops: Path, into: Path,
                  rotating: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """A folder holding exactly the KEKs the deployment mounts for the process (the
    optional ones only when ``rotating``), and its KEK settings pointing into it."""
    if deploy == "compose":
        mounted = {name: PurePosixPath(host_file).name for name, (_, host_file) in compose_keks(service, role).items()}
        env = compose_env(compose()["services"][compose_name(service, role)])
    else:
        _, projected = k8s_keks(service, role)
        mounted = {path: key for path, (key, optional) in projected.items() if rotating or not optional}
        env = {**k8s_env(service, role), **(k8s_rotation_env(service) if rotating else {})}
    into.mkdir()
    for name, source in mounted.items():
        shutil.copy(ops / source, into / name)
    settings = {name: str(into / PurePosixPath(env[name]).name)
                for name in ("JWW_DATA_KEK_FILE", "JWW_DATA_KEK_PREVIOUS_FILE") if name in env}
    return mounted, settings


@pytest.mark.parametrize("deploy", ["compose", "k8s"])
@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_the_code_opens_the_key_store_with_exactly_the_mounted_kek(
        deploy, service, role, ops_folder, ops_keks, tmp_path, monkeypatch):
    mounted, settings = _mounted_keks(deploy, service, role, ops_keks, tmp_path / "data-kek")
    opened = opened_applications(service, role, monkeypatch)
    if not opened:  # the gateway: no store, no KEK
        assert not mounted and not settings
        return
    monkeypatch.setenv("JWW_KEYS_DIR", str(ops_folder))  # the signing keys: no KEK among them
    monkeypatch.delenv("JWW_DATA_KEK_PREVIOUS_FILE", raising=False)
    monkeypatch.delenv("JWW_DATA_KEK_FILE", raising=False)
    [opens] = opened
    events = _sqlite_store(tmp_path / "events.sqlite")
    with pytest.raises(KeyMissing, match="JWW_DATA_KEK_FILE"):  # without it, the process does not start
        application_class(opens)(store=events)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    app = application_class(opens)(store=events)
    assert list(app.data_keys.keks.values()) == [app.data_keys.current]  # outside a rotation: one KEK
    [ops_kek] = datakeys.load_keks(opens, {"JWW_DATA_KEK_FILE": str(ops_keks / datakeys.kek_name(opens))})
    assert app.data_keys.current == ops_kek


@pytest.mark.parametrize("service, role", [p for p in PROCESSES if p[0] != config.GATEWAY],
                         ids=[i for i in IDS if not i.startswith(config.GATEWAY)])
def test_a_kubernetes_rotation_loads_the_current_and_the_previous_kek(service, role, ops_keks, tmp_path):
    _, settings = _mounted_keks("k8s", service, role, ops_keks, tmp_path / "data-kek", rotating=True)
    current, previous = datakeys.load_keks(service, settings)
    name = datakeys.kek_name(service)
    assert current == datakeys.load_keks(service, {"JWW_DATA_KEK_FILE": str(ops_keks / name)})[0]
    assert previous == datakeys.load_keks(service, {"JWW_DATA_KEK_FILE": str(ops_keks / previous_kek_name(name))})[0]
    assert current.kid != previous.kid


# -- production: JWW_ENV and every secret a mounted file (shared/production.py) ------

def compose_mounted_files(service: str, role: str) -> set[str]:
    container = compose()["services"][compose_name(service, role)]
    return {secret_target(ref) for ref in container.get("secrets", [])}


def k8s_mounted_files(service: str, role: str) -> tuple[set[str], set[str]]:
    """(each file a Secret's items put in the container, each folder a whole Secret fills)."""
    spec = deployment(service, role)["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
    files, folders = set(), set()
    for mount in k8s_container(service, role).get("volumeMounts", []):
        volume = volumes[mount["name"]]
        sources = ([volume["secret"]] if "secret" in volume else
                   [source["secret"] for source in volume.get("projected", {}).get("sources", []) if "secret" in source])
        for secret in sources:
            if "items" in secret:
                files |= {f"{mount['mountPath']}/{item['path']}" for item in secret["items"]}
            else:
                folders.add(mount["mountPath"])
    return files, folders


def production_wiring(deploy: str, service: str, role: str) -> tuple[dict[str, str], set[str], set[str], set[str]]:
    """(the process's literal settings, its mounted files, its whole-Secret folders,
    the names of every setting it gets, literal or from a Secret)."""
    if deploy == "compose":
        container = compose()["services"][compose_name(service, role)]
        env = compose_env(container)
        return env, compose_mounted_files(service, role), set(), set(env)
    env = k8s_env(service, role)
    files, folders = k8s_mounted_files(service, role)
    names = set(env) | {entry["name"] for entry in k8s_container(service, role).get("env", [])}
    return env, files, folders, names


@pytest.mark.parametrize("deploy", ["compose", "k8s"])
@pytest.mark.parametrize("service, role", PROCESSES, ids=IDS)
def test_every_process_runs_in_production_with_its_secrets_mounted(deploy, service, role):
    env, files, folders, names = production_wiring(deploy, service, role)
    assert env.get("JWW_ENV") == "production", f"{deploy} {service} {role}: JWW_ENV is {env.get('JWW_ENV')}"
    plain = names & set(production.PLAIN_SECRETS)
    assert not plain, f"{deploy} {service} {role}: secrets in plain settings {sorted(plain)}"
    # The gateway's settings would read the mounted files themselves; its secrets do not depend on them.
    settings = None if service == config.GATEWAY else config.load(service, env=env)
    wanted = set(production.secret_files(service, role, settings))
    if role == SERVE and service in production.REQUIRED_FILES:
        wanted.add(production.SAMPLE_FILES[service][1])  # the real file (accounts' users), mounted
    for setting in sorted(wanted):
        path = env.get(setting, "")
        mounted = path in files or str(PurePosixPath(path).parent) in folders
        assert mounted, f"{deploy} {service} {role}: {setting}={path!r} is not a mounted secret"
    if role == SERVE and service in set(production.SAMPLE_FILES) - production.REQUIRED_FILES:
        option, setting = production.SAMPLE_FILES[service]
        assert env.get(setting) == "" and not settings.options[option], f"{deploy} {service}: {setting}"


def test_the_image_runs_in_production_without_sample_files():
    containerfile = (config.DEPLOY_DIR / "Containerfile").read_text()
    assert "ENV JWW_ENV=production" in containerfile
    copied = [line for line in containerfile.splitlines() if line.startswith("COPY ")]
    assert not [line for line in copied if "sample" in line], copied
