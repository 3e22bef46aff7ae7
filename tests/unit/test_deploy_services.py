"""Every service of ``shared.config.SERVICES`` (and the gateway) is in every deploy
artefact, with the ports and database of its own ``deploy/<service>/service.toml``:
the image holds its settings and exposes its ports, compose and Kubernetes run its
serve and relay, Prometheus scrapes both and misses it when it is gone, and
deploy/README.md's table says so. A new service left out of one of them (its
service.toml missing from the image, say, so that it cannot start) fails here.

Which keys each process mounts is tests/unit/test_deploy_keys.py's."""
from __future__ import annotations

import functools
import re

import pytest
import yaml

from shared import config

DEPLOY = config.DEPLOY_DIR
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _yaml(path: str) -> dict:
    return yaml.load((DEPLOY / path).read_text(), Loader)


def _containerfile() -> str:
    return (DEPLOY / "Containerfile").read_text()


def _exposed() -> set[int]:
    [line] = [line for line in _containerfile().splitlines() if line.startswith("EXPOSE ")]
    return {int(port) for port in line.split()[1:]}


@pytest.mark.parametrize("service", [*config.SERVICES, config.GATEWAY])
def test_the_image_holds_the_settings_and_exposes_the_ports(service):
    settings = config.load(service)
    assert f"COPY deploy/{service}/service.toml ./deploy/{service}/service.toml" in _containerfile()
    ports = {settings.metrics_port} | ({settings.http_port} if service == config.GATEWAY
                                       else {settings.relay_metrics_port})
    assert ports <= _exposed(), f"{service}: {sorted(ports - _exposed())} not exposed"


@pytest.mark.parametrize("service", config.SERVICES)
def test_compose_runs_serve_and_one_relay_probed_on_their_ports(service):
    settings = config.load(service)
    services = _yaml("compose.yaml")["services"]
    for name, role, port in ((service, "serve", settings.metrics_port),
                             (f"{service}-relay", "relay", settings.relay_metrics_port)):
        container = services[name]
        assert container["command"] == [role, service]
        assert f"http://127.0.0.1:{port}/metrics" in " ".join(container["healthcheck"]["test"]), name
    assert services[f"{service}-relay"]["container_name"] == f"jww-{service}-relay"  # never scaled


@pytest.mark.parametrize("service", config.SERVICES)
def test_kubernetes_runs_the_service_with_its_settings(service):
    settings = config.load(service)
    assert service in _yaml("k8s/kustomization.yaml")["resources"]
    env = dict(line.split("=", 1) for line in (DEPLOY / "k8s" / service / "config.env").read_text().splitlines()
               if line and not line.startswith("#"))
    assert env["JWW_METRICS_PORT"] == str(settings.metrics_port)
    assert env["JWW_METRICS_RELAY_PORT"] == str(settings.relay_metrics_port)
    assert env["JWW_STORE_POSTGRES_DBNAME"] == settings.store.postgres_dbname
    docs = list(yaml.load_all((DEPLOY / "k8s" / service / "service.yaml").read_text(), Loader))
    ports = {doc["metadata"]["name"]: doc["spec"]["ports"][0]["port"] for doc in docs}
    assert ports == {service: settings.metrics_port, f"{service}-relay": settings.relay_metrics_port}
    relay = _yaml(f"k8s/{service}/relay.yaml")["spec"]
    assert relay["replicas"] == 1 and relay["strategy"]["type"] == "Recreate"


@pytest.mark.parametrize("service", [*config.SERVICES, config.GATEWAY])
def test_prometheus_scrapes_it_and_misses_it_when_gone(service):
    settings = config.load(service)
    jobs = {job["job_name"]: job for job in _yaml("prometheus/prometheus.yml")["scrape_configs"]}
    serve = {(tuple(sd["names"]), sd["port"]) for sd in jobs["jww-serve"]["dns_sd_configs"]}
    assert ((service,), settings.metrics_port) in serve
    if service != config.GATEWAY:
        relays = {(tuple(c["targets"]), c["labels"]["jww_service"]) for c in jobs["jww-relay"]["static_configs"]}
        assert ((f"{service}-relay:{settings.relay_metrics_port}",), service) in relays
    rules = {rule.get("alert"): rule for group in _yaml("prometheus/alerts.yml")["groups"] for rule in group["rules"]}
    assert f'absent(up{{job="jww-serve", jww_service="{service}"}})' in rules["JwwServiceAbsent"]["expr"]


@pytest.mark.parametrize("service", config.SERVICES)
def test_the_deploy_readme_lists_its_ports_and_database(service):
    settings = config.load(service)
    row = re.compile(rf"^\| {service} \| {settings.metrics_port} \| {settings.relay_metrics_port} "
                     rf"\| `{settings.store.postgres_dbname}` \|", re.M)
    assert row.search((DEPLOY / "README.md").read_text()), f"deploy/README.md: no row for {service}"
