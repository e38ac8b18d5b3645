"""Contract: every Kubernetes overlay renders, is schema-valid, and agrees with the code.

No cluster runs here. Each overlay under deploy/k8s/overlays/ is rendered with the pinned
kustomize (installed by scripts/ensure-kustomize.sh when missing; never skipped), then:

- built-in kinds are validated strictly against the Kubernetes schemas (kubernetes-validate) and
  custom resources against the CRD schemas committed in deploy/crds/ (check-jsonschema);
- the invariants a schema cannot express are checked in code, against facts read from the code
  itself (consumer groups from the services' composition roots, partitions from
  shared/contracts/topics.py, settings fields from services/*/settings.py, metric names from
  shared/metrics.py): probes, resources, PDBs, selectors, security context, grace period,
  KEDA groups, replicas bounded by partitions, network policies, Strimzi durability.
"""

from __future__ import annotations

import base64
import copy
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.metrics import MetricWrapperBase

import shared.bootstrap
import shared.messaging.broker
import shared.messaging.dead_letter
import shared.metrics
from deploy.k8s import plan, validate
from shared.contracts.topics import ALL_TOPICS
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "deploy" / "README.md"
EXPECTED_OVERLAYS = {"dev", "staging", "production"}
IMAGE_NAME = "registry.example.invalid/cppcc-platform"
ALERTS = {
    "ConsumerLagHigh",
    "OutboxBacklogGrowing",
    "DeadLettersSent",
    "Http5xxRateHigh",
    "ServiceNotReady",
}
# Secrets the manifests reference by name and an operator creates (never committed).
OUT_OF_BAND_SECRETS = {
    *(f"{service}-database" for service in plan.SERVICES),
    "jwt-public-key",
    "members-pii-key",
    # Only with the egress components (components/egress-*), for the outbound calls.
    "visits-disposal-platform",
    "notifications-gateway",
}
# Created by the Strimzi operators from the Kafka and KafkaUser resources.
STRIMZI_SECRETS = {
    f"{plan.KAFKA_CLUSTER}-cluster-ca-cert",
    plan.KEDA_USER,
    plan.OPERATOR_USER,
    *(plan.user_name(service) for service in plan.SERVICES),
}

Manifest = dict[str, Any]

# The first test builds kustomize from source on a fresh machine (about two minutes).
pytestmark = pytest.mark.timeout(900)


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """The pinned kustomize: installed by the project's own script, never skipped."""
    return validate.ensure_kustomize()


@pytest.fixture(scope="session")
def rendered(kustomize: Path) -> dict[str, list[Manifest]]:
    return {
        name: validate.build(validate.OVERLAYS_DIR / name, kustomize)
        for name in validate.overlays()
    }


@pytest.fixture(params=sorted(EXPECTED_OVERLAYS))
def overlay(request: pytest.FixtureRequest, rendered: dict[str, list[Manifest]]) -> str:
    return str(request.param)


@pytest.fixture
def docs(overlay: str, rendered: dict[str, list[Manifest]]) -> list[Manifest]:
    return rendered[overlay]


def _of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _one(docs: list[Manifest], kind: str, name: str) -> Manifest:
    found = _of_kind(docs, kind)
    assert name in found, f"no {kind}/{name} in {sorted(found)}"
    return found[name]


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _container(deployment: Manifest) -> Manifest:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _env(container: Manifest) -> dict[str, Manifest]:
    return {item["name"]: item for item in container.get("env", [])}


def _metric_names() -> set[str]:
    """Exposition names of shared/metrics.py (a Counter `x` is scraped as `x_total`)."""
    names = set()
    for value in vars(shared.metrics).values():
        if isinstance(value, MetricWrapperBase):
            name = value._name  # the registered name, without suffix
            names.add(f"{name}_total" if value._type == "counter" else name)
    return names


def _settings_fields(service: str) -> set[str]:
    settings_cls: type[ServiceSettings] = plan.settings_class(service)
    return set(settings_cls.model_fields)


# ------------------------------------------------------------------------------ rendering


def test_every_expected_overlay_exists_and_renders(rendered: dict[str, list[Manifest]]) -> None:
    assert set(rendered) == EXPECTED_OVERLAYS
    for name, manifests in rendered.items():
        assert manifests, f"overlay {name} rendered nothing"


def test_the_pinned_kustomize_is_reused(kustomize: Path) -> None:
    # The second call finds the binary in the cache: idempotent and cheap.
    assert validate.ensure_kustomize() == kustomize
    assert kustomize.name == "kustomize-v5.8.1"


# ------------------------------------------------------------------------------ schemas


@pytest.mark.parametrize("version", validate.KUBERNETES_VERSIONS)
def test_builtin_resources_match_the_kubernetes_schemas_strictly(
    docs: list[Manifest], version: str
) -> None:
    errors = validate.builtin_errors(docs, version)
    assert not errors, "\n".join(errors)


def test_custom_resources_match_the_committed_crd_schemas(docs: list[Manifest]) -> None:
    assert any(validate.is_custom(d) for d in docs)
    errors = validate.custom_errors(docs)
    assert not errors, "\n".join(errors)


def test_every_crd_schema_is_used_and_names_its_origin(
    rendered: dict[str, list[Manifest]],
) -> None:
    used = {(d["apiVersion"], d["kind"]) for docs in rendered.values() for d in docs}
    assert set(validate.CRD_SCHEMAS) <= used
    readme = (validate.CRD_DIR / "README.md").read_text(encoding="utf-8")
    for schema in validate.CRD_SCHEMAS.values():
        assert schema.name in readme, f"deploy/crds/README.md does not describe {schema.name}"


def _broken(docs: list[Manifest], kind: str, mutate: Any) -> list[Manifest]:
    target = copy.deepcopy(next(d for d in docs if d["kind"] == kind))
    mutate(target)
    return [target]


def test_the_validators_reject_misplaced_keys(rendered: dict[str, list[Manifest]]) -> None:
    """Strictness is real: a misspelt key fails, in a built-in kind and in custom resources."""
    docs = rendered["production"]

    def misspell_probe(d: Manifest) -> None:
        container = d["spec"]["template"]["spec"]["containers"][0]
        container["readinesProbe"] = container.pop("readinessProbe")

    errors = validate.builtin_errors(_broken(docs, "Deployment", misspell_probe), "1.37.0")
    assert any("readinesProbe" in e for e in errors), errors

    def misspell_partitions(d: Manifest) -> None:
        d["spec"]["partitons"] = d["spec"].pop("partitions")

    errors = validate.custom_errors(_broken(docs, "KafkaTopic", misspell_partitions))
    assert any("partitons" in e for e in errors), errors

    def misspell_max(d: Manifest) -> None:
        d["spec"]["maxReplicasCount"] = d["spec"].pop("maxReplicaCount")

    errors = validate.custom_errors(_broken(docs, "ScaledObject", misspell_max))
    assert any("maxReplicasCount" in e for e in errors), errors

    def misplace_acl(d: Manifest) -> None:
        d["spec"]["acls"] = d["spec"]["authorization"].pop("acls")

    errors = validate.custom_errors(_broken(docs, "KafkaUser", misplace_acl))
    assert errors, "a KafkaUser with its ACLs outside `authorization` was accepted"


# ------------------------------------------------------------------------------ workloads


def test_every_service_is_deployed_once(docs: list[Manifest]) -> None:
    assert set(_of_kind(docs, "Deployment")) == set(plan.SERVICES)


@pytest.mark.parametrize("service", plan.SERVICES)
def test_deployment_probes_resources_and_grace(docs: list[Manifest], service: str) -> None:
    deployment = _one(docs, "Deployment", service)
    container = _container(deployment)
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    assert port == plan.HTTP_PORTS[service]

    for probe, path in (
        ("startupProbe", "/health/live"),
        ("livenessProbe", "/health/live"),
        ("readinessProbe", "/health/ready"),
    ):
        http_get = container[probe]["httpGet"]
        assert http_get["path"] == path, probe
        assert http_get["port"] in ("http", port), probe
    # Start-up runs migrations before the port opens: the startup probe must allow minutes.
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120

    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert "memory" in resources["limits"]

    # Enough time for uvicorn's drain plus FastStream's graceful stop (handlers finish, then
    # their offsets are committed), read from the code, plus the preStop pause.
    uvicorn_drain = float(
        re.search(r"timeout_graceful_shutdown=([\d.]+)", inspect.getsource(shared.bootstrap))[1]  # type: ignore[index]
    )
    broker_drain = float(
        re.search(r"graceful_timeout=([\d.]+)", inspect.getsource(shared.messaging.broker))[1]  # type: ignore[index]
    )
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace >= float(pre_stop[1]) + uvicorn_drain + broker_drain + 10


@pytest.mark.parametrize("service", plan.SERVICES)
def test_pods_run_non_root_read_only_without_privileges(docs: list[Manifest], service: str) -> None:
    pod = _one(docs, "Deployment", service)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    container = pod["containers"][0]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/tmp" in mounts, "a read-only root needs a writable /tmp"


@pytest.mark.parametrize("service", plan.SERVICES)
def test_selectors_match_pods_service_pdb_and_account(docs: list[Manifest], service: str) -> None:
    deployment = _one(docs, "Deployment", service)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert _selects(selector, pod_labels)

    svc = _one(docs, "Service", service)
    assert _selects(svc["spec"]["selector"], pod_labels)
    (port,) = svc["spec"]["ports"]
    assert port["targetPort"] == "http"
    # The Service selects this Deployment's pods and no other's.
    for other in _of_kind(docs, "Deployment").values():
        if other is not deployment:
            labels = other["spec"]["template"]["metadata"]["labels"]
            assert not _selects(svc["spec"]["selector"], labels)

    pdbs = [
        p
        for p in _of_kind(docs, "PodDisruptionBudget").values()
        if _selects(p["spec"]["selector"]["matchLabels"], pod_labels)
    ]
    assert len(pdbs) == 1, f"{service} needs exactly one PodDisruptionBudget"

    account = deployment["spec"]["template"]["spec"]["serviceAccountName"]
    assert account in _of_kind(docs, "ServiceAccount")


@pytest.mark.parametrize("service", plan.SERVICES)
def test_environment_matches_the_service_settings(docs: list[Manifest], service: str) -> None:
    container = _container(_one(docs, "Deployment", service))
    env = _env(container)
    prefix = service.upper() + "_"
    assert env["SERVICE"]["value"] == service

    # Every variable the manifests set is one the service reads (no silently ignored typo)...
    fields = _settings_fields(service)
    for name in env:
        if name != "SERVICE":
            assert name.startswith(prefix), name
            assert name[len(prefix) :].lower() in fields, f"{name} is not a {service} setting"
    # ...and the ones it needs are there.
    required = {
        "DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_TOPIC_PREFIX",
        "HTTP_HOST",
        "HTTP_PORT",
        "JWT_PUBLIC_KEY_FILE",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "OTLP_ENDPOINT",
        "LOG_LEVEL",
    }
    if "pii_key_file" in fields:
        required.add("PII_KEY_FILE")
    kafka_security = {
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD_FILE",
        "KAFKA_SSL_CAFILE",
    }
    required |= kafka_security
    assert {prefix + name for name in required} <= set(env)
    assert env[prefix + "HTTP_HOST"]["value"] == "0.0.0.0"
    assert env[prefix + "HTTP_PORT"]["value"] == str(plan.HTTP_PORTS[service])
    assert "secretKeyRef" in env[prefix + "DATABASE_URL"]["valueFrom"], "database URLs are secret"

    # The service authenticates to Kafka as its own KafkaUser, over TLS, with SCRAM-SHA-512.
    assert env[prefix + "KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
    assert env[prefix + "KAFKA_SASL_MECHANISM"]["value"] == "SCRAM-SHA-512"
    assert env[prefix + "KAFKA_SASL_USERNAME"]["value"] == plan.user_name(service)

    # Key files are read from mounted Secrets: the expected Secret and key for each.
    pod = _one(docs, "Deployment", service)["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    expected_secret = {
        "KAFKA_SASL_PASSWORD_FILE": (plan.user_name(service), "password"),
        "KAFKA_SSL_CAFILE": (f"{plan.KAFKA_CLUSTER}-cluster-ca-cert", "ca.crt"),
    }
    # The JWT keys are a directory, the whole Secret: a key added for a rotation shows up in
    # it (no `items`, no subPath, which the kubelet would never update).
    jwt_path = env[prefix + "JWT_PUBLIC_KEY_FILE"]["value"]
    assert jwt_path in mounts, "JWT_PUBLIC_KEY_FILE names the mounted Secret's directory"
    assert "subPath" not in mounts[jwt_path]
    jwt_volume = volumes[mounts[jwt_path]["name"]]["secret"]
    assert (jwt_volume["secretName"], jwt_volume.get("items")) == ("jwt-public-key", None)
    for name in ("PII_KEY_FILE", *sorted(expected_secret)):
        if prefix + name in env:
            path = env[prefix + name]["value"]
            mount = next((m for p, m in mounts.items() if path.startswith(p + "/")), None)
            assert mount is not None, f"{path} is not in a mounted volume"
            assert mount.get("readOnly"), f"{path} is mounted writable"
            if name in expected_secret:
                secret = volumes[mount["name"]]["secret"]
                items = {i["path"]: i["key"] for i in secret["items"]}
                relative = path[len(mount["mountPath"]) + 1 :]
                assert (secret["secretName"], items.get(relative)) == expected_secret[name], name


def test_secrets_are_referenced_never_committed(overlay: str, docs: list[Manifest]) -> None:
    secrets = _of_kind(docs, "Secret")
    if overlay == "dev":
        # The dev generator's values are throw-away and say so.
        for secret in secrets.values():
            for value in secret.get("data", {}).values():
                assert "dev-only" in base64.b64decode(value).decode()
    else:
        assert not secrets, f"{overlay} must not carry Secret values: {sorted(secrets)}"
    referenced = set()
    for deployment in _of_kind(docs, "Deployment").values():
        pod = deployment["spec"]["template"]["spec"]
        for item in pod["containers"][0].get("env", []):
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                referenced.add(ref["name"])
        referenced |= {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
    generated = {name.rsplit("-", 1)[0]: name for name in secrets}
    for name in referenced:
        base = name.rsplit("-", 1)[0] if name in secrets else name
        assert base in OUT_OF_BAND_SECRETS | STRIMZI_SECRETS or name in generated.values(), name


def test_one_image_for_every_service_set_by_the_overlay(docs: list[Manifest]) -> None:
    images = {_container(d)["image"] for d in _of_kind(docs, "Deployment").values()}
    assert len(images) == 1, images
    (image,) = images
    name, _, tag = image.rpartition(":")
    assert name == IMAGE_NAME
    assert tag, image
    assert tag != "latest", image


def test_everything_lives_in_the_overlay_namespace(overlay: str, docs: list[Manifest]) -> None:
    (namespace,) = _of_kind(docs, "Namespace").values()
    name = namespace["metadata"]["name"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == name, validate.name_of(doc)


# ------------------------------------------------------------------------------ scaling


def _scaled_by(docs: list[Manifest]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for hpa in _of_kind(docs, "HorizontalPodAutoscaler").values():
        owners.setdefault(hpa["spec"]["scaleTargetRef"]["name"], []).append("hpa")
    for so in _of_kind(docs, "ScaledObject").values():
        owners.setdefault(so["spec"]["scaleTargetRef"]["name"], []).append("keda")
    return owners


def test_replicas_never_exceed_the_partitions(docs: list[Manifest]) -> None:
    for service in plan.SERVICES:
        bound = plan.partition_bound(service)
        if bound is None:
            continue
        deployment = _one(docs, "Deployment", service)
        assert deployment["spec"].get("replicas", 1) <= bound, service
        for hpa in _of_kind(docs, "HorizontalPodAutoscaler").values():
            if hpa["spec"]["scaleTargetRef"]["name"] == service:
                assert hpa["spec"]["maxReplicas"] <= bound, service
        for so in _of_kind(docs, "ScaledObject").values():
            if so["spec"]["scaleTargetRef"]["name"] == service:
                assert so["spec"]["maxReplicaCount"] <= bound, service


def test_autoscaled_deployments_have_one_autoscaler_and_no_fixed_count(
    docs: list[Manifest],
) -> None:
    owners = _scaled_by(docs)
    deployments = _of_kind(docs, "Deployment")
    for target, kinds in owners.items():
        assert target in deployments, f"autoscaler for a missing Deployment {target}"
        assert len(kinds) == 1, f"{target} is scaled by {kinds}"
        assert "replicas" not in deployments[target]["spec"], f"{target}: apply resets replicas"


def test_keda_scales_each_consumer_on_its_real_groups(
    rendered: dict[str, list[Manifest]],
) -> None:
    docs = rendered["production"]
    scaled = {
        so["spec"]["scaleTargetRef"]["name"]: so for so in _of_kind(docs, "ScaledObject").values()
    }
    auths = _of_kind(docs, "TriggerAuthentication")
    for service in plan.SERVICES:
        groups = plan.consumer_groups(service)
        if not groups:
            assert service not in scaled, f"{service} consumes nothing; lag cannot scale it"
            continue
        so = scaled[service]
        expected = {(g.group, topic) for g in groups for topic in g.topics}
        actual = set()
        for trigger in so["spec"]["triggers"]:
            assert trigger["type"] == "kafka"
            meta = trigger["metadata"]
            actual.add((meta["consumerGroup"], meta["topic"]))
            # One topic per trigger: KEDA then caps it at that topic's partitions.
            assert plan.topic(meta["topic"]).partitions >= 1
            keda_port = plan.KEDA_LISTENER_PORT
            assert meta["bootstrapServers"] == f"{plan.KAFKA_CLUSTER}-kafka-bootstrap:{keda_port}"
            assert meta["tls"] == "enable"
            assert meta.get("allowIdleConsumers", "false") == "false"
            assert trigger["authenticationRef"]["name"] in auths
        assert actual == expected, (
            f"{service}: the ScaledObject's (group, topic) pairs differ from the code's; update "
            "deploy/k8s/components/keda/scaledobjects.yaml"
        )
    for auth in auths.values():
        names = {ref["name"] for ref in auth["spec"]["secretTargetRef"]}
        assert names <= STRIMZI_SECRETS, names


def test_the_hpa_alternative_covers_every_service(rendered: dict[str, list[Manifest]]) -> None:
    hpas = _of_kind(rendered["staging"], "HorizontalPodAutoscaler")
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()} == set(plan.SERVICES)


# ------------------------------------------------------------------------------ network


def _ports(rule: Manifest) -> set[int | str]:
    return {p["port"] for p in rule.get("ports", [])}


def test_platform_pods_are_denied_by_default(docs: list[Manifest]) -> None:
    policies = _of_kind(docs, "NetworkPolicy")
    deny = [
        p
        for p in policies.values()
        if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1
    selector = deny[0]["spec"]["podSelector"]["matchLabels"]
    for deployment in _of_kind(docs, "Deployment").values():
        assert _selects(selector, deployment["spec"]["template"]["metadata"]["labels"])


@pytest.mark.parametrize("service", plan.SERVICES)
def test_each_service_policy_allows_only_what_it_needs(docs: list[Manifest], service: str) -> None:
    labels = _one(docs, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
    own = [
        p
        for p in _of_kind(docs, "NetworkPolicy").values()
        if (p["spec"].get("ingress") or p["spec"].get("egress"))
        and _selects(p["spec"]["podSelector"]["matchLabels"], labels)
    ]
    assert len(own) == 1, f"{service} needs exactly one policy of its own"
    spec = own[0]["spec"]
    assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
    egress_ports = [_ports(rule) for rule in spec["egress"]]
    assert {53} in egress_ports, "DNS"
    kafka_port = plan.SERVICE_LISTENER_PORT
    assert {kafka_port} in egress_ports, "Kafka (the authenticated tls listener)"
    assert {5432} in egress_ports, "PostgreSQL"
    assert {4317} in egress_ports, "OTLP collector"
    outbound = _outbound_ports(_env(_container(_one(docs, "Deployment", service))), docs)
    assert sorted(egress_ports[4:], key=str) == sorted(outbound, key=str), (
        "beyond DNS, Kafka, PostgreSQL and OTLP, only the outbound calls the service is set up for"
    )
    for rule in spec["egress"][4:]:
        (peer,) = rule["to"]
        assert set(peer) == {"ipBlock"}, "outbound calls go to the addresses named"
        assert not peer["ipBlock"]["cidr"].endswith("/0"), "never to the whole internet"
    for rule in spec["egress"]:
        assert rule.get("to"), "an egress rule without `to` allows every destination"
        if _ports(rule) == {kafka_port}:
            (peer,) = rule["to"]
            assert peer["podSelector"]["matchLabels"]["strimzi.io/cluster"] == plan.KAFKA_CLUSTER
    for rule in spec["ingress"]:
        assert rule.get("from"), "an ingress rule without `from` admits everyone"
        assert _ports(rule) == {"http"}


def _config_value(item: Manifest, docs: list[Manifest]) -> str | None:
    """An env item's value, following a configMapKeyRef into the rendered ConfigMap."""
    if "value" in item:
        return str(item["value"])
    ref = item.get("valueFrom", {}).get("configMapKeyRef")
    if ref is None:
        return None
    return str(_one(docs, "ConfigMap", ref["name"])["data"][ref["key"]])


def _outbound_ports(env: dict[str, Manifest], docs: list[Manifest]) -> list[set[int | str]]:
    """The egress each configured outbound call needs (components/egress-*), from the settings
    the Deployment sets: HTTPS for the disposal platform and the SMS gateway, the SMTP port."""
    needed: list[set[int | str]] = []
    if "VISITS_DISPOSAL_PLATFORM_URL" in env:
        assert "secretKeyRef" in env["VISITS_DISPOSAL_PLATFORM_SECRET"]["valueFrom"]
        assert str(_config_value(env["VISITS_DISPOSAL_PLATFORM_URL"], docs)).startswith("https://")
        needed.append({443})
    if "NOTIFICATIONS_SMTP_HOST" in env:
        needed.append({int(str(_config_value(env["NOTIFICATIONS_SMTP_PORT"], docs)))})
    if "NOTIFICATIONS_GATEWAY_URL" in env:
        assert "secretKeyRef" in env["NOTIFICATIONS_GATEWAY_TOKEN"]["valueFrom"]
        assert str(_config_value(env["NOTIFICATIONS_GATEWAY_URL"], docs)).startswith("https://")
        needed.append({443})
    return needed


def test_production_sets_up_the_outbound_calls_and_the_others_do_not(
    rendered: dict[str, list[Manifest]],
) -> None:
    for overlay, expected in (("production", True), ("staging", False), ("dev", False)):
        docs = rendered[overlay]
        visits = _env(_container(_one(docs, "Deployment", "visits")))
        notifications = _env(_container(_one(docs, "Deployment", "notifications")))
        configured = {
            "VISITS_DISPOSAL_PLATFORM_URL" in visits,
            "NOTIFICATIONS_SMTP_HOST" in notifications,
            "NOTIFICATIONS_GATEWAY_URL" in notifications,
        }
        assert configured == {expected}, overlay


# ------------------------------------------------------------------------------ Kafka


def test_kafka_cluster_is_durable(docs: list[Manifest]) -> None:
    kafka = _one(docs, "Kafka", plan.KAFKA_CLUSTER)
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == plan.REPLICATION_FACTOR
    assert config["min.insync.replicas"] == plan.MIN_INSYNC_REPLICAS
    assert config["offsets.topic.replication.factor"] == plan.REPLICATION_FACTOR
    assert config["transaction.state.log.min.isr"] == plan.MIN_INSYNC_REPLICAS
    assert config["auto.create.topics.enable"] is False
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    pools = _of_kind(docs, "KafkaNodePool")
    brokers = sum(p["spec"]["replicas"] for p in pools.values() if "broker" in p["spec"]["roles"])
    controllers = [p for p in pools.values() if "controller" in p["spec"]["roles"]]
    assert brokers >= plan.REPLICATION_FACTOR
    assert sum(p["spec"]["replicas"] for p in controllers) in (3, 5)
    for pool in pools.values():
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == plan.KAFKA_CLUSTER


def test_the_platform_policies_never_select_the_brokers(docs: list[Manifest]) -> None:
    """Strimzi copies its resources' labels to the broker pods; a platform policy selecting
    them would cut replication. The listeners must still admit the service pods."""
    selectors = [
        p["spec"]["podSelector"]["matchLabels"] for p in _of_kind(docs, "NetworkPolicy").values()
    ]
    for kind in ("Kafka", "KafkaNodePool"):
        for resource in _of_kind(docs, kind).values():
            labels = {
                **resource["metadata"].get("labels", {}),
                "strimzi.io/cluster": plan.KAFKA_CLUSTER,
                "strimzi.io/kind": "Kafka",
            }
            for selector in selectors:
                assert not _selects(selector, labels), (validate.name_of(resource), selector)
    kafka = _one(docs, "Kafka", plan.KAFKA_CLUSTER)
    pods = [
        d["spec"]["template"]["metadata"]["labels"] for d in _of_kind(docs, "Deployment").values()
    ]
    listeners = {x["port"]: x for x in kafka["spec"]["kafka"]["listeners"]}
    for port, listener in listeners.items():
        peers = [
            p["podSelector"]["matchLabels"]
            for p in listener["networkPolicyPeers"]
            if "podSelector" in p
        ]
        admitted = [any(_selects(peer, labels) for peer in peers) for labels in pods]
        # The services' listener admits every service pod; KEDA's admits none of them.
        assert all(admitted) if port == plan.SERVICE_LISTENER_PORT else not any(admitted), port


def test_every_planned_topic_and_service_user_is_deployed(docs: list[Manifest]) -> None:
    topics = _of_kind(docs, "KafkaTopic")
    assert {t["spec"]["topicName"] for t in topics.values()} == {t.name for t in ALL_TOPICS}
    users = _of_kind(docs, "KafkaUser")
    expected_users = {plan.user_name(s) for s in plan.SERVICES} | {plan.KEDA_USER}
    assert expected_users | {plan.OPERATOR_USER} == set(users)
    for resource in [*topics.values(), *users.values()]:
        assert resource["metadata"]["labels"]["strimzi.io/cluster"] == plan.KAFKA_CLUSTER


def test_services_reach_the_cluster_they_are_told_about(docs: list[Manifest]) -> None:
    (config,) = (
        c
        for c in _of_kind(docs, "ConfigMap").values()
        if c["metadata"]["name"].startswith("platform-config")
    )
    bootstrap = config["data"]["kafka-bootstrap-servers"]
    assert bootstrap == f"{plan.KAFKA_CLUSTER}-kafka-bootstrap:{plan.SERVICE_LISTENER_PORT}"
    kafka = _one(docs, "Kafka", plan.KAFKA_CLUSTER)["spec"]["kafka"]
    listeners = {x["port"]: x for x in kafka["listeners"]}
    assert set(listeners) == {plan.SERVICE_LISTENER_PORT, plan.KEDA_LISTENER_PORT}
    for listener in listeners.values():
        # No unauthenticated or unencrypted listener, hence no ANONYMOUS principal to trust.
        assert listener["tls"] is True
        assert listener.get("authentication"), listener["name"]
    services = listeners[plan.SERVICE_LISTENER_PORT]
    assert services["name"] == "tls"
    assert services["authentication"]["type"] == plan.SERVICE_AUTHENTICATION == "scram-sha-512"
    assert listeners[plan.KEDA_LISTENER_PORT]["authentication"]["type"] == plan.KEDA_AUTHENTICATION
    assert kafka["authorization"]["type"] == "simple"
    assert not kafka["authorization"].get("superUsers"), "every principal is bound by its ACLs"
    assert config["data"]["kafka-topic-prefix"] == "", "the KafkaTopics carry no prefix"


# ------------------------------------------------------------------------------ alerts + runbook


def _runbook_anchors() -> set[str]:
    text = RUNBOOK.read_text(encoding="utf-8")
    anchors = set()
    for heading in re.findall(r"^#+\s+(.+)$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def _alert_rules(docs: list[Manifest]) -> Iterator[Manifest]:
    for rule_set in _of_kind(docs, "PrometheusRule").values():
        for group in rule_set["spec"]["groups"]:
            yield from (rule for rule in group["rules"] if "alert" in rule)


def test_alerts_use_the_services_real_metrics_and_link_the_runbook(
    rendered: dict[str, list[Manifest]],
) -> None:
    for overlay in ("staging", "production"):
        rules = list(_alert_rules(rendered[overlay]))
        assert {r["alert"] for r in rules} == ALERTS
    metrics = _metric_names()
    used = {"consumer_lag", "outbox_backlog", "dlq_messages_total", "http_requests_total"}
    assert used <= metrics, used - metrics
    anchors = _runbook_anchors()
    for rule in _alert_rules(rendered["production"]):
        exprs = rule["expr"]
        assert any(metric in exprs for metric in [*metrics, "kube_deployment_"]), rule["alert"]
        link = rule["annotations"]["runbook"]
        assert link.startswith("deploy/README.md#")
        assert link.split("#", 1)[1] in anchors, f"{link}: no such heading in deploy/README.md"
        assert rule["labels"]["severity"] in {"warning", "critical"}


def test_runbook_covers_the_operations_with_real_names() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    for section in (
        "first install",
        "onboarding a new city",
        "scaling",
        "rolling upgrade",
        "replaying a dlq",
        "rebuilding reports",
        "rotating the jwt signing keys",
        "backup and restore",
        "what each alert means",
        "known gaps",
    ):
        assert section in text.lower(), section
    # The DLQ headers the code writes, read from the code.
    headers = set(re.findall(r'"(dlq_[a-z_]+)"', inspect.getsource(shared.messaging.dead_letter)))
    assert {"dlq_reason", "dlq_original_topic", "dlq_original_partition"} <= headers
    for header in headers:
        assert header in text, header
    # Every consumer group the code runs, and every import endpoint members serves.
    for group in plan.all_consumer_groups():
        assert group.group in text, group.group
    for path in _import_paths():
        assert path in text, path
    # Backup and restore of each service's own database.
    for service in plan.SERVICES:
        assert re.search(rf"pg_dump[^\n]*\b{service}\b", text), f"no pg_dump line for {service}"
        assert re.search(rf"pg_restore[^\n]*\b{service}\b", text), f"no pg_restore for {service}"


def _import_paths() -> set[str]:
    """The members service's upload endpoints, one per import kind, read from its router."""
    from services.members.api import ROUTERS
    from services.members.importing.kinds import ImportKind

    paths = set()
    for router in ROUTERS:
        for route in router.routes:
            path = getattr(route, "path", "")
            if "/imports/" in path and "POST" in getattr(route, "methods", set()):
                kinds = [kind.value for kind in ImportKind] if "{kind}" in path else [""]
                paths |= {path.replace("{kind}", kind) for kind in kinds}
    assert paths, "the members service serves no import endpoint"
    return paths


# ------------------------------------------------------------------------------ operator toolbox


@pytest.fixture(scope="session")
def rendered_ops(kustomize: Path) -> dict[str, list[Manifest]]:
    return {
        name.split("/")[0]: validate.build(validate.OVERLAYS_DIR / name, kustomize)
        for name in validate.ops_overlays()
    }


def test_each_overlay_has_an_operator_toolbox_that_is_schema_valid(
    rendered_ops: dict[str, list[Manifest]],
) -> None:
    assert set(rendered_ops) == EXPECTED_OVERLAYS
    for overlay, docs in rendered_ops.items():
        assert validate.validate(docs) == [], overlay
        assert {validate.name_of(d) for d in docs} == {
            "Pod/cppcc-operator",
            "NetworkPolicy/cppcc-operator",
        }


def test_the_toolbox_runs_in_the_overlays_namespace_with_its_image(
    overlay: str, docs: list[Manifest], rendered_ops: dict[str, list[Manifest]]
) -> None:
    (namespace,) = _of_kind(docs, "Namespace")
    pod = _one(rendered_ops[overlay], "Pod", "cppcc-operator")
    assert all(d["metadata"]["namespace"] == namespace for d in rendered_ops[overlay])
    platform = {c["name"]: c for c in pod["spec"]["containers"]}["platform"]
    assert platform["image"] == _container(_one(docs, "Deployment", "members"))["image"]


def test_the_toolbox_is_the_operator_user_and_nothing_more(
    rendered_ops: dict[str, list[Manifest]], rendered: dict[str, list[Manifest]]
) -> None:
    from shared.messaging.dlq_replay import OperatorSettings

    docs = rendered_ops["production"]
    pod = _one(docs, "Pod", "cppcc-operator")
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["activeDeadlineSeconds"] <= 4 * 3600, "it does not linger"
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    secrets = {v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    assert secrets == {plan.OPERATOR_USER, f"{plan.KAFKA_CLUSTER}-cluster-ca-cert"}
    containers = {c["name"]: c for c in spec["containers"]}
    for container in containers.values():
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["limits"]["memory"]
    # The replay command's settings, read the way the services read theirs.
    env = {e["name"]: e["value"] for e in containers["platform"]["env"]}
    fields = OperatorSettings.model_fields
    assert all(n.startswith("CPPCC_OPERATOR_") and n[15:].lower() in fields for n in env)
    assert env["CPPCC_OPERATOR_KAFKA_SASL_USERNAME"] == plan.OPERATOR_USER
    assert env["CPPCC_OPERATOR_KAFKA_BOOTSTRAP_SERVERS"] == (
        f"{plan.KAFKA_CLUSTER}-kafka-bootstrap:{plan.SERVICE_LISTENER_PORT}"
    )
    # Kafka's tools get their --command-config from the user's Secret.
    script = "\n".join(containers["kafka"]["command"])
    for line in ("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512", "sasl.jaas.config"):
        assert line in script
    assert "/tmp/operator.properties" in script
    # Only DNS and the Kafka listener, and that listener admits the toolbox.
    policy = _one(docs, "NetworkPolicy", "cppcc-operator")["spec"]
    labels = pod["metadata"]["labels"]
    assert _selects(policy["podSelector"]["matchLabels"], labels)
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert not policy.get("ingress")
    assert [_ports(rule) for rule in policy["egress"]] == [{53}, {plan.SERVICE_LISTENER_PORT}]
    kafka = _one(rendered["production"], "Kafka", plan.KAFKA_CLUSTER)["spec"]["kafka"]
    (tls,) = (x for x in kafka["listeners"] if x["port"] == plan.SERVICE_LISTENER_PORT)
    peers = [p["podSelector"]["matchLabels"] for p in tls["networkPolicyPeers"]]
    assert any(_selects(peer, labels) for peer in peers)
