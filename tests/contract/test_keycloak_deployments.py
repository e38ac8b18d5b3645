"""Contract: Keycloak in docker-compose and on Kubernetes agrees with the local runner and the
realm file, and the Kubernetes manifests are schema-valid (offline, like the others).

- compose: the official image at the local runner's version, the committed realm mounted for
  import, its database created by the init script, loopback-only, the services told its issuer.
- Kubernetes: deploy/k8s/keycloak (Deployment, Service, NetworkPolicy, ServiceAccount, the realm
  ConfigMap generated from the committed file) and components/oidc on top of every overlay (the
  services' OIDC settings and their egress to Keycloak), both strictly valid.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.k8s import plan, validate
from deploy.local.keycloak import KEYCLOAK_VERSION, REALM_FILE
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
INIT_SQL = ROOT / "deploy" / "compose" / "postgres-init" / "01-create-databases.sql"
KEYCLOAK_DIR = ROOT / "deploy" / "k8s" / "keycloak"
OIDC_COMPONENT = ROOT / "deploy" / "k8s" / "components" / "oidc"
IMAGE = f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}"
# The realm file's placeholders (`${CPPCC_...:default}`) every deployment must fill.
PLACEHOLDERS = {
    "CPPCC_DATA_PLATFORM_SECRET",
    "CPPCC_MEMBERS_PROVISIONING_SECRET",
    "CPPCC_PROVINCE_REGION",
}

Manifest = dict[str, Any]

pytestmark = pytest.mark.timeout(900)


def _realm_placeholders() -> set[str]:
    text = REALM_FILE.read_text(encoding="utf-8")
    found = set()
    for chunk in text.split("${")[1:]:
        name = chunk.split("}", 1)[0].split(":", 1)[0]
        if name.startswith("CPPCC_"):
            found.add(name)
    return found


def test_the_realm_file_is_json_and_its_placeholders_are_known() -> None:
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    assert realm["realm"] == "cppcc"
    assert _realm_placeholders() >= PLACEHOLDERS
    # No secret in the file beyond the dev defaults, which say so.
    for client in realm["clients"]:
        secret = client.get("secret")
        if secret is not None:
            assert secret.startswith("${CPPCC_"), client["clientId"]
            assert ":dev-only-" in secret, client["clientId"]


# ------------------------------------------------------------------------------ compose


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


def test_compose_runs_the_official_image_at_the_local_version() -> None:
    keycloak = _compose()["services"]["keycloak"]
    assert keycloak["image"] == IMAGE
    assert "--import-realm" in keycloak["command"]
    mounts = [str(v) for v in keycloak["volumes"]]
    assert "./deploy/keycloak/realm-cppcc.json:/opt/keycloak/data/import/realm-cppcc.json:ro" in (
        mounts
    )
    env = keycloak["environment"]
    assert env["KC_DB"] == "postgres"
    assert env["KC_DB_URL"] == "jdbc:postgresql://postgres:5432/keycloak"
    assert set(env) >= PLACEHOLDERS
    assert keycloak["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert all(str(p).startswith("127.0.0.1:") for p in keycloak["ports"])
    assert "/health/ready" in " ".join(keycloak["healthcheck"]["test"])
    assert "'keycloak'" in INIT_SQL.read_text(encoding="utf-8")


@pytest.mark.parametrize("service", plan.SERVICES)
def test_compose_services_trust_keycloak_by_its_public_issuer(service: str) -> None:
    compose = _compose()
    env = compose["services"][service]["environment"]
    prefix = service.upper()
    hostname = compose["services"]["keycloak"]["environment"]["KC_HOSTNAME"]
    issuer = env[f"{prefix}_OIDC_ISSUER"]
    assert issuer.endswith("/realms/cppcc}")
    # The default issuer is KC_HOSTNAME's default + the realm: what every token carries.
    assert issuer.split(":-", 1)[1].rstrip("}") == (
        hostname.replace("${KEYCLOAK_HOST_PORT:-8080}", "8080") + "/realms/cppcc"
    )
    assert env[f"{prefix}_OIDC_DISCOVERY_URL"].startswith("http://keycloak:8080/realms/cppcc/")
    assert {"oidc_issuer", "oidc_discovery_url"} <= set(ServiceSettings.model_fields)


# ------------------------------------------------------------------------------ Kubernetes


@pytest.fixture(scope="module")
def kustomize() -> Path:
    return validate.ensure_kustomize()


@pytest.fixture(scope="module")
def keycloak_docs(kustomize: Path) -> list[Manifest]:
    return validate.build(KEYCLOAK_DIR, kustomize)


@pytest.fixture(scope="module")
def with_oidc(kustomize: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """Each overlay with components/oidc added (kustomize wants relative paths)."""
    rendered = {}
    for overlay in validate.overlays():
        here = tmp_path_factory.mktemp(f"oidc-{overlay}")
        up = os.path.relpath(ROOT, here)
        (here / "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    "resources": [f"{up}/deploy/k8s/overlays/{overlay}"],
                    "components": [f"{up}/deploy/k8s/components/oidc"],
                }
            )
        )
        rendered[overlay] = validate.build(here, kustomize)
    return rendered


def _of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.mark.parametrize("version", validate.KUBERNETES_VERSIONS)
def test_the_keycloak_manifests_are_strictly_valid(
    keycloak_docs: list[Manifest], version: str
) -> None:
    assert {d["kind"] for d in keycloak_docs} >= {
        "Deployment",
        "Service",
        "NetworkPolicy",
        "ServiceAccount",
        "ConfigMap",
    }
    errors = validate.builtin_errors(keycloak_docs, version)
    assert not errors, "\n".join(errors)


def test_the_keycloak_deployment_imports_the_committed_realm(
    keycloak_docs: list[Manifest],
) -> None:
    deployment = _of_kind(keycloak_docs, "Deployment")["keycloak"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == IMAGE
    assert container["args"][:2] == ["start", "--import-realm"]
    # The realm ConfigMap is the committed file, byte for byte.
    realm_maps = [
        c for c in _of_kind(keycloak_docs, "ConfigMap").values() if "realm-cppcc.json" in c["data"]
    ]
    (realm_map,) = realm_maps
    assert realm_map["data"]["realm-cppcc.json"] == REALM_FILE.read_text(encoding="utf-8")
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert (
        volumes[mounts["/opt/keycloak/data/import"]["name"]]["configMap"]["name"]
        == (realm_map["metadata"]["name"])
    )
    env = {e["name"]: e for e in container["env"]}
    assert set(env) >= PLACEHOLDERS
    for name in ("KC_DB_PASSWORD", "KC_BOOTSTRAP_ADMIN_PASSWORD", "CPPCC_DATA_PLATFORM_SECRET"):
        assert "secretKeyRef" in env[name]["valueFrom"], name
    assert not _of_kind(keycloak_docs, "Secret"), "secrets are created out of band"
    # Probes on the management port; non-root, no privileges.
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8080, "management": 9000}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] == "management"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    service = _of_kind(keycloak_docs, "Service")["keycloak"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in service["spec"]["selector"].items())


def test_keycloak_is_not_under_the_services_default_deny_but_has_its_own_policy(
    keycloak_docs: list[Manifest],
) -> None:
    labels = _of_kind(keycloak_docs, "Deployment")["keycloak"]["spec"]["template"]["metadata"][
        "labels"
    ]
    assert labels["app.kubernetes.io/component"] != "service"
    (policy,) = _of_kind(keycloak_docs, "NetworkPolicy").values()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    for rule in policy["spec"]["egress"]:
        assert rule.get("to"), "an egress rule without `to` allows every destination"
        for peer in rule["to"]:
            assert not peer.get("ipBlock", {}).get("cidr", "").endswith("/0")


@pytest.mark.parametrize("version", validate.KUBERNETES_VERSIONS)
def test_every_overlay_with_the_oidc_component_is_strictly_valid(
    with_oidc: dict[str, list[Manifest]], version: str
) -> None:
    for overlay, docs in with_oidc.items():
        errors = validate.builtin_errors(docs, version)
        assert not errors, overlay + ":\n" + "\n".join(errors)


def test_the_oidc_component_tells_every_service_and_opens_the_way(
    with_oidc: dict[str, list[Manifest]], keycloak_docs: list[Manifest]
) -> None:
    keycloak_labels = _of_kind(keycloak_docs, "Deployment")["keycloak"]["spec"]["template"][
        "metadata"
    ]["labels"]
    for overlay, docs in with_oidc.items():
        config = next(
            c for c in docs if c["kind"] == "ConfigMap" and "oidc-issuer" in c.get("data", {})
        )
        assert config["data"]["oidc-issuer"].endswith("/realms/cppcc")
        for service in plan.SERVICES:
            deployment = _of_kind(docs, "Deployment")[service]
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            env = {e["name"]: e for e in container["env"]}
            prefix = service.upper()
            for name in ("OIDC_ISSUER", "OIDC_DISCOVERY_URL"):
                ref = env[f"{prefix}_{name}"]["valueFrom"]["configMapKeyRef"]
                assert ref["name"] == config["metadata"]["name"], (overlay, service)
            # The egress the JWKS fetch needs: to the Keycloak pods' port, nothing wider.
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            (policy,) = [
                p
                for p in _of_kind(docs, "NetworkPolicy").values()
                if p["spec"].get("egress")
                and all(
                    labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items()
                )
            ]
            to_keycloak = [
                rule
                for rule in policy["spec"]["egress"]
                if any(
                    peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                    == "keycloak"
                    for peer in rule["to"]
                )
            ]
            assert len(to_keycloak) == 1, (overlay, service)
            (peer,) = to_keycloak[0]["to"]
            selector = peer["podSelector"]["matchLabels"]
            assert all(keycloak_labels.get(k) == v for k, v in selector.items())
            assert [p["port"] for p in to_keycloak[0]["ports"]] == [8080]
