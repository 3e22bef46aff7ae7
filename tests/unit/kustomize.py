"""The objects ``kubectl apply -k deploy/k8s`` would send, rendered in Python.

CI may run on a machine with only the virtual environment (no kubectl, no
kustomize), so the deploy tests render the kustomization themselves. Only the
features deploy/k8s uses are supported, and anything else is refused rather than
ignored: ``resources`` (files and folders), ``labels`` (``pairs``, added to each
object's own labels only, kustomize's default), ``configMapGenerator`` (``envs``
files; the generated name's content hash is left out: schemas do not see it, and
references keep the plain name) and ``images`` (``newName``/``newTag``).
When kubectl is installed, a test checks this rendering against kustomize's own.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SUPPORTED = {"apiVersion", "kind", "resources", "labels", "configMapGenerator", "images"}


class Unsupported(Exception):
    """deploy/k8s uses a kustomize feature this renderer does not know."""


def documents(path: Path) -> list[dict]:
    """The objects of one manifest file, comments and empty documents left out."""
    return [doc for doc in yaml.load_all(path.read_text(), Loader=Loader) if doc]


def render(folder: Path) -> list[dict]:
    """Every object of the kustomization in ``folder``, with its transformations applied."""
    kustomization = yaml.load((folder / "kustomization.yaml").read_text(), Loader=Loader)
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise Unsupported(f"{folder}/kustomization.yaml uses {sorted(unknown)}: teach tests/unit/kustomize.py")
    objects: list[dict] = []
    for resource in kustomization.get("resources", []):
        path = folder / resource
        objects += render(path) if path.is_dir() else [copy.deepcopy(d) for d in documents(path)]
    for generator in kustomization.get("configMapGenerator", []):
        if set(generator) - {"name", "envs"}:
            raise Unsupported(f"configMapGenerator {generator['name']}: only envs files are rendered here")
        data = {}
        for env_file in generator.get("envs", []):
            for line in (folder / env_file).read_text().splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    key, _, value = line.partition("=")
                    data[key.strip()] = value
        objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": generator["name"]}, "data": data})
    for label in kustomization.get("labels", []):
        if set(label) - {"pairs"}:
            raise Unsupported(f"labels {label}: only pairs (object labels) are rendered here")
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(label["pairs"])
    for image in kustomization.get("images", []):
        for container in (c for obj in objects for c in containers(obj)):
            name, _, _tag = container.get("image", "").partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image['newTag']}"
    return objects


def pod_spec(obj: dict) -> dict | None:
    """The pod template's spec of a Deployment or a Job, else None."""
    if obj.get("kind") in ("Deployment", "StatefulSet", "Job"):
        return obj["spec"]["template"]["spec"]
    return None


def containers(obj: dict) -> list[dict]:
    spec = pod_spec(obj) or {}
    return [*spec.get("initContainers", []), *spec.get("containers", [])]
