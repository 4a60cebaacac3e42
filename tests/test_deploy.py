"""deploy/: the Compose file and the Kubernetes manifests parse, pin their images, name
every setting the deployed services read (passerelle/config.py's names), and give each
service only its own secrets (supervisor/run.py's SERVICE_SECRETS)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import pytest
import yaml

from passerelle import config
from passerelle.config import LOCK_STORE_VARIABLES, ROOT, SECRET_VARIABLES
from supervisor.run import SERVICE_SECRETS

DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
K8S = DEPLOY / "k8s"
# Settings that no deployed service reads: the voice kiosk runs at the agency, on its own
# machine, and the supervisor's own settings (processes, nginx, restarts) are for
# `make run` on one machine; in a cluster, replicas and the orchestrator do that work.
NOT_DEPLOYED = re.compile(r"^(VOICE_|KIOSK_PRINTER$|SUPERVISOR_|NGINX_BIN$|PASSERELLE_RUN_DIR$)")
NOT_DEPLOYED_NAMES = frozenset({"RASA_BACKEND_PORT"})
# The Passerelle services of the deployment, by their supervisor name.
SERVICES = ("rasa", "actions", "web", "console")


def setting_names() -> Set[str]:
    """Every variable `load_settings` reads through its helpers (`_text(env, "NAME", ...)`)."""
    tree = ast.parse(Path(config.__file__).read_text(encoding="utf-8"))
    [load] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "load_settings"]
    names: Set[str] = set()
    for node in ast.walk(load):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        args = node.args
        if not (node.func.id.startswith("_") and len(args) >= 2):
            continue
        if not (isinstance(args[0], ast.Name) and args[0].id == "env"):
            continue
        if isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
            names.add(args[1].value)
        elif isinstance(args[1], ast.Name) and args[1].id.isupper():
            names.add(getattr(config, args[1].id))  # RASA_TOKEN_VARIABLE...
    return names


def deployed_settings() -> Set[str]:
    return {
        name
        for name in setting_names()
        if not NOT_DEPLOYED.match(name) and name not in NOT_DEPLOYED_NAMES
    }


def endpoint_variables() -> Set[str]:
    """The `${VARIABLES}` endpoints.yml reads, but those the launcher derives from the
    settings (the lock store's, from PASSERELLE_REDIS_URL): Rasa cannot start without them."""
    found: Set[str] = set()
    values = list(load_all(ROOT / "endpoints.yml")[0].values())
    while values:
        value = values.pop()
        if isinstance(value, dict):
            values += value.values()
        elif isinstance(value, str):
            found |= set(re.findall(r"\$\{(\w+)\}", value))
    return found - set(LOCK_STORE_VARIABLES)


def load_all(path: Path) -> List[Dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def compose() -> Dict[str, Any]:
    [document] = load_all(COMPOSE)
    return document


def k8s_documents() -> List[Dict[str, Any]]:
    listed = load_all(K8S / "kustomization.yaml")[0]["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml") if p.stem != "kustomization")
    return [doc for name in listed for doc in load_all(K8S / name)]


def containers(document: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    spec = document.get("spec", {}).get("template", {}).get("spec", {})
    yield from spec.get("containers", [])


def k8s_env(container: Dict[str, Any], configmaps: Dict[str, Dict[str, str]]) -> Set[str]:
    names = {item["name"] for item in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(configmaps[source["configMapRef"]["name"]])
    return names


def k8s_secrets(container: Dict[str, Any]) -> Set[str]:
    """The Passerelle secrets a container is given."""
    return {
        item["name"]
        for item in container.get("env", [])
        if "secretKeyRef" in item.get("valueFrom", {}) and item["name"] in SECRET_VARIABLES
    }


def assert_pinned(image: str) -> None:
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag, f"image sans étiquette : {image}"
    assert tag != "latest" and re.search(r"\d", tag), f"étiquette non figée : {image}"


# --- the settings this test reads ---------------------------------------------------------


def test_the_settings_are_read_from_config() -> None:
    names = deployed_settings()
    assert {"PASSERELLE_DB_URL", "RASA_PORT", "PUBLIC_URL", "CONSOLE_PUBLIC_URL"} <= names
    assert set(SECRET_VARIABLES) <= names
    assert not any(name.startswith("VOICE_") for name in names)


# --- Docker Compose ---------------------------------------------------------------------


def test_compose_pins_every_image() -> None:
    services = compose()["services"]
    assert set(SERVICES) <= set(services)
    assert {"postgres", "redis", "proxy"} <= set(services)
    for service in services.values():
        assert_pinned(service["image"])


def test_compose_follows_rasas_topology() -> None:
    services = compose()["services"]
    assert services["rasa"]["deploy"]["replicas"] >= 2
    assert services["actions"]["deploy"]["replicas"] >= 2
    rasa = services["rasa"]["environment"]
    assert rasa["PASSERELLE_REDIS_URL"].startswith("redis://redis:")
    assert rasa["PASSERELLE_DB_URL"].startswith("postgresql://")
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    socketio = re.search(r"upstream rasa_socketio \{(.*?)\}", nginx, re.S)
    assert socketio and "ip_hash" in socketio.group(1)


def test_compose_names_every_setting() -> None:
    services = compose()["services"]
    named = {name for s in SERVICES for name in services[s]["environment"]}
    assert deployed_settings() - named == set()
    assert endpoint_variables() - set(services["rasa"]["environment"]) == set()


@pytest.mark.parametrize("service", SERVICES)
def test_compose_gives_each_service_only_its_secrets(service: str) -> None:
    environment = compose()["services"][service]["environment"]
    given = {name for name in environment if name in SECRET_VARIABLES}
    assert given == set(SERVICE_SECRETS[service])


# --- Kubernetes -------------------------------------------------------------------------


def test_k8s_pins_every_image() -> None:
    images = [c["image"] for doc in k8s_documents() for c in containers(doc)]
    assert len(images) >= 6
    for image in images:
        assert_pinned(image)


def test_k8s_follows_rasas_topology() -> None:
    documents = k8s_documents()
    workloads = {
        doc["metadata"]["name"]: doc
        for doc in documents
        if doc["kind"] in ("Deployment", "StatefulSet")
    }
    assert set(SERVICES) | {"postgres", "redis"} <= set(workloads)
    assert workloads["rasa"]["spec"]["replicas"] >= 2
    assert workloads["actions"]["spec"]["replicas"] >= 2
    services = {doc["metadata"]["name"] for doc in documents if doc["kind"] == "Service"}
    assert set(workloads) <= services
    ingresses = [doc for doc in documents if doc["kind"] == "Ingress"]
    sticky = [
        doc
        for doc in ingresses
        if doc["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/affinity")
        == "cookie"
    ]
    [socketio] = sticky
    paths = [p["path"] for rule in socketio["spec"]["rules"] for p in rule["http"]["paths"]]
    assert paths == ["/socket.io/"]


def test_k8s_names_every_setting() -> None:
    documents = k8s_documents()
    configmaps = {
        doc["metadata"]["name"]: doc["data"] for doc in documents if doc["kind"] == "ConfigMap"
    }
    workloads = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Deployment"}
    named: Set[str] = set()
    for service in SERVICES:
        [container] = containers(workloads[service])
        named |= k8s_env(container, configmaps)
    assert deployed_settings() - named == set()
    [rasa] = containers(workloads["rasa"])
    assert endpoint_variables() - k8s_env(rasa, configmaps) == set()


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_gives_each_service_only_its_secrets(service: str) -> None:
    documents = k8s_documents()
    [workload] = [
        doc
        for doc in documents
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == service
    ]
    [container] = containers(workload)
    assert k8s_secrets(container) == set(SERVICE_SECRETS[service])
    configmaps = [doc["data"] for doc in documents if doc["kind"] == "ConfigMap"]
    assert not any(set(data) & set(SECRET_VARIABLES) for data in configmaps)
