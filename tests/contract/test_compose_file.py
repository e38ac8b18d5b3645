"""Contract: docker-compose.yml and its companions are valid and keep what users rely on.

There is no Docker engine here, so the compose files are validated offline against the compose
specification's JSON schema (vendored in check-jsonschema) and then read as YAML for the
promises the schema cannot express: the Kafka version matches the local pom, the four services
scale (no container names, no host ports), start in order and report health, and nothing is
published beyond the loopback interface.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_DIR = ROOT / "deploy" / "compose"
PORTS_OVERRIDE = COMPOSE_DIR / "ports.yml"
POM = ROOT / "deploy" / "local" / "pom.xml"
DOCKERFILE = ROOT / "Dockerfile"

APP_PORTS = {"members": 8001, "visits": 8002, "notifications": 8003, "reporting": 8004}
REQUIRED_CONDITIONS = {
    "postgres": "service_healthy",
    "kafka-topics": "service_completed_successfully",
    "jwt-keys": "service_completed_successfully",
}
LOOPBACK = "127.0.0.1"
DASHBOARD_METRICS = ("http_requests_total", "consumer_lag", "outbox_backlog", "dlq_messages_total")

Mapping = dict[str, Any]


def _load_yaml(path: Path) -> Mapping:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return cast(Mapping, data)


def _services(path: Path) -> Mapping:
    services = _load_yaml(path).get("services")
    assert isinstance(services, dict), f"{path} has no services mapping"
    return cast(Mapping, services)


def _check_jsonschema() -> list[str]:
    if importlib.util.find_spec("check_jsonschema") is not None:
        return [sys.executable, "-m", "check_jsonschema"]
    script = Path(sys.executable).with_name("check-jsonschema")
    if script.exists():
        return [str(script)]
    pytest.fail("check-jsonschema is not installed (it is a dev dependency: pip install -e .[dev])")


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _kafka_version_in_pom() -> str:
    # Our own committed file, not untrusted input.
    root = ET.parse(POM).getroot()  # noqa: S314
    namespace = root.tag.partition("}")[0] + "}" if root.tag.startswith("{") else ""
    version = root.findtext(f"{namespace}properties/{namespace}kafka.version")
    assert version, f"{POM} has no <kafka.version> property"
    return version.strip()


def _environment(service: Mapping) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    assert isinstance(env, dict)
    return {str(key): str(value) for key, value in env.items()}


# ------------------------------------------------------------------------------ schema


@pytest.mark.parametrize("path", [COMPOSE_FILE, PORTS_OVERRIDE], ids=lambda p: p.name)
def test_compose_file_matches_the_compose_specification(path: Path) -> None:
    result = _validate(path)
    assert result.returncode == 0, f"{path}:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize(
    ("original", "misspelt", "reported"),
    [
        ("    healthcheck:\n", "    healthchek:\n", "healthchek"),  # unknown service key
        ("condition: service_healthy", "condition: service_healty", "service_healty"),  # enum
        ("\nvolumes:\n", "\nvolume:\n", "volume"),  # unknown top-level key
    ],
)
def test_the_validator_rejects_a_misspelt_compose_file(
    tmp_path: Path, original: str, misspelt: str, reported: str
) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert original in text, f"{original!r} no longer occurs in docker-compose.yml"
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(original, misspelt, 1), encoding="utf-8")

    result = _validate(broken)

    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode != 0, f"accepted a misspelt file:\n{output}"
    # Fails for the right reason (a schema error naming the typo), not a crash of the tool.
    assert "Schema validation errors" in output, output
    assert reported in output, output


# ------------------------------------------------------------------------------ promises


def test_kafka_image_matches_the_local_pom() -> None:
    image = _services(COMPOSE_FILE)["kafka"]["image"]
    assert image == f"apache/kafka:{_kafka_version_in_pom()}"


def test_kafka_is_a_single_kraft_node_without_topic_auto_creation() -> None:
    env = _environment(_services(COMPOSE_FILE)["kafka"])
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    replication = {k: v for k, v in env.items() if k.endswith("REPLICATION_FACTOR")}
    assert replication, "no replication factors set"
    assert set(replication.values()) == {"1"}


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_can_be_scaled(name: str) -> None:
    service = _services(COMPOSE_FILE)[name]
    assert "container_name" not in service
    assert "ports" not in service, "host ports belong in deploy/compose/ports.yml"
    assert service["build"]["args"]["SERVICE"] == name
    assert str(APP_PORTS[name]) in [str(port) for port in service.get("expose", [])]


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_starts_in_order_and_reports_health(name: str) -> None:
    service = _services(COMPOSE_FILE)[name]

    depends_on = service.get("depends_on")
    assert isinstance(depends_on, dict), "depends_on must be the long form, with conditions"
    for dependency, settings in depends_on.items():
        assert isinstance(settings, dict), dependency
        assert "condition" in settings, dependency
    for dependency, condition in REQUIRED_CONDITIONS.items():
        assert depends_on.get(dependency, {}).get("condition") == condition, dependency

    healthcheck = service.get("healthcheck")
    assert isinstance(healthcheck, dict)
    assert not healthcheck.get("disable", False)
    test = healthcheck["test"]
    command = " ".join(test) if isinstance(test, list) else str(test)
    assert "/health/ready" in command
    assert "curl" not in command, "python:slim has no curl"


@pytest.mark.parametrize("name", sorted(APP_PORTS))
def test_app_service_environment(name: str) -> None:
    service = _services(COMPOSE_FILE)[name]
    env = _environment(service)
    prefix = name.upper() + "_"

    assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"  # inside the container
    assert env[f"{prefix}HTTP_PORT"] == str(APP_PORTS[name])
    assert env[f"{prefix}DATABASE_URL"].startswith("postgresql://")
    assert env[f"{prefix}DATABASE_URL"].endswith(f"@postgres:5432/{name}")
    assert env[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env[f"{prefix}JWT_PUBLIC_KEY_FILE"] == "/keys/jwt-public.pem"
    assert env[f"{prefix}OTLP_ENDPOINT"] == "${OTLP_ENDPOINT:-}", "tracing must be off by default"
    for suffix in ("JWT_ISSUER", "JWT_AUDIENCE", "LOG_LEVEL"):
        assert f"{prefix}{suffix}" in env
    assert "jwt-keys:/keys:ro" in service.get("volumes", [])


def test_one_shot_jobs_create_topics_and_keys() -> None:
    services = _services(COMPOSE_FILE)
    topics = services["kafka-topics"]
    assert topics["command"][:3] == ["python", "-m", "shared.messaging.topics"]
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    keys = services["jwt-keys"]
    assert keys["command"][:4] == ["python", "-m", "deploy.devtokens", "keys"]
    assert "jwt-keys:/keys" in keys["volumes"]
    assert "jwt-keys" in _load_yaml(COMPOSE_FILE)["volumes"]


def test_postgres_init_creates_every_service_database() -> None:
    postgres = _services(COMPOSE_FILE)["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    init_mount = next(v for v in postgres["volumes"] if "/docker-entrypoint-initdb.d" in v)
    init_dir = ROOT / init_mount.split(":", 1)[0]
    sql = "\n".join(p.read_text(encoding="utf-8") for p in sorted(init_dir.glob("*.sql")))
    for name in APP_PORTS:
        assert f"'{name}'" in sql, name


def test_observability_profile_has_collector_jaeger_prometheus_and_grafana() -> None:
    services = _services(COMPOSE_FILE)
    profiled = {
        name: service
        for name, service in services.items()
        if "observability" in service.get("profiles", [])
    }
    images = {name: str(service.get("image", "")) for name, service in profiled.items()}
    assert any("opentelemetry-collector" in image for image in images.values()), images
    assert any(image.startswith("jaegertracing/") for image in images.values()), images
    assert any(image.startswith("prom/prometheus:") for image in images.values()), images
    assert any(image.startswith("grafana/grafana:") for image in images.values()), images
    # Nothing the default stack needs lives only in the profile.
    for name in APP_PORTS:
        assert "profiles" not in services[name]
        assert not set(services[name].get("depends_on", {})) & set(profiled)


def test_images_are_pinned() -> None:
    for name, service in _services(COMPOSE_FILE).items():
        if "image" not in service:
            assert "build" in service, name
            continue
        image = str(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image}"


@pytest.mark.parametrize("path", [COMPOSE_FILE, PORTS_OVERRIDE], ids=lambda p: p.name)
def test_published_ports_bind_loopback_only(path: Path) -> None:
    for name, service in _services(path).items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                assert port.get("host_ip") == LOOPBACK, f"{name}: {port}"
            else:
                # "8001" or "8001:8001" would publish on every interface.
                assert str(port).startswith(f"{LOOPBACK}:"), f"{name}: {port}"


def test_ports_override_publishes_each_service_on_its_port() -> None:
    services = _services(PORTS_OVERRIDE)
    for name, port in APP_PORTS.items():
        assert services[name]["ports"] == [f"{LOOPBACK}:{port}:{port}"]


def test_mounted_config_files_exist() -> None:
    for name, service in _services(COMPOSE_FILE).items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source}"


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config = _load_yaml(COMPOSE_DIR / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, port in APP_PORTS.items():
        # DNS discovery: the service name resolves to every replica, so --scale is scraped too.
        (discovery,) = jobs[name]["dns_sd_configs"]
        assert discovery["names"] == [name]
        assert discovery["type"] == "A"
        assert discovery["port"] == port
        assert jobs[name].get("metrics_path", "/metrics") == "/metrics"
    assert "otel-collector" in jobs


def test_collector_sends_traces_to_jaeger_and_metrics_to_prometheus() -> None:
    config = _load_yaml(COMPOSE_DIR / "otel-collector.yaml")
    protocols = config["receivers"]["otlp"]["protocols"]
    assert {"grpc", "http"} <= set(protocols)
    pipelines = config["service"]["pipelines"]
    trace_exporters = pipelines["traces"]["exporters"]
    assert any("jaeger" in config["exporters"][e].get("endpoint", "") for e in trace_exporters), (
        trace_exporters
    )
    assert "prometheus" in pipelines["metrics"]["exporters"]


def test_grafana_provisions_prometheus_and_the_dashboard() -> None:
    grafana = COMPOSE_DIR / "grafana"
    datasources = _load_yaml(grafana / "provisioning" / "datasources" / "prometheus.yml")
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"

    dashboard = json.loads((grafana / "dashboards" / "cppcc-platform.json").read_text("utf-8"))
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    for metric in DASHBOARD_METRICS:
        assert any(re.search(rf"\b{metric}\b", expr) for expr in exprs), metric
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]


def test_dockerfile_builds_one_non_root_image_per_service() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM\s", text, flags=re.MULTILINE)) >= 2, "multi-stage build"
    assert "python:3.11-slim" in text
    assert "-c constraints.txt ." in text
    assert re.search(r"^ARG SERVICE=members$", text, flags=re.MULTILINE)
    assert re.search(r"^ENV SERVICE=\$\{SERVICE\}$", text, flags=re.MULTILINE)
    assert "services.${SERVICE}" in text
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users, "no USER instruction"
    assert users[-1].split(":")[0] not in {"root", "0"}
