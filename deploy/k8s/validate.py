"""Offline validation of the Kubernetes manifests: `python -m deploy.k8s.validate [OVERLAY ...]`.

Without arguments: every overlay and every overlay's operator toolbox (`<overlay>/ops`).

There is no cluster here, so each overlay is rendered with the pinned kustomize
(scripts/ensure-kustomize.sh) and checked without one:

- built-in kinds against the Kubernetes OpenAPI schemas shipped in `kubernetes-validate`, in
  strict mode (an unknown or misplaced key is an error), for the oldest and newest Kubernetes
  versions we claim;
- custom resources (Strimzi, KEDA, Prometheus Operator) with `check-jsonschema --schemafile`
  against the CRD schemas committed in deploy/crds/ (see its README for their origin).

The contract tests (tests/contract/test_k8s_manifests.py) run the same functions and then check
the invariants a schema cannot express.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

K8S_DIR = Path(__file__).resolve().parent
ROOT = K8S_DIR.parents[1]
OVERLAYS_DIR = K8S_DIR / "overlays"
CRD_DIR = ROOT / "deploy" / "crds"
ENSURE_KUSTOMIZE = ROOT / "scripts" / "ensure-kustomize.sh"

# The Kubernetes versions the manifests must be valid for: the oldest we support and the newest
# kubernetes-validate knows.
KUBERNETES_VERSIONS: tuple[str, ...] = ("1.30.0", "1.37.0")

# (apiVersion, kind) -> committed JSON Schema (deploy/crds/README.md says where each is from).
CRD_SCHEMAS: dict[tuple[str, str], Path] = {
    ("kafka.strimzi.io/v1beta2", "Kafka"): CRD_DIR / "kafka.json",
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): CRD_DIR / "kafkanodepool.json",
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): CRD_DIR / "kafkatopic.json",
    ("kafka.strimzi.io/v1beta2", "KafkaUser"): CRD_DIR / "kafkauser.json",
    ("keda.sh/v1alpha1", "ScaledObject"): CRD_DIR / "scaledobject.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): CRD_DIR / "triggerauthentication.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): CRD_DIR / "prometheusrule.json",
}
CUSTOM_GROUPS = ("kafka.strimzi.io", "keda.sh", "monitoring.coreos.com")

Manifest = dict[str, Any]


def overlays() -> list[str]:
    return sorted(p.name for p in OVERLAYS_DIR.iterdir() if (p / "kustomization.yaml").is_file())


def ops_overlays() -> list[str]:
    """Each environment's operator toolbox (`<overlay>/ops`), built and applied on its own."""
    return [f"{name}/ops" for name in overlays() if (OVERLAYS_DIR / name / "ops").is_dir()]


def ensure_kustomize() -> Path:
    """The pinned kustomize, installed into the project cache if needed."""
    result = subprocess.run(
        ["bash", str(ENSURE_KUSTOMIZE)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{ENSURE_KUSTOMIZE} failed:\n{result.stdout}\n{result.stderr}")
    return Path(result.stdout.strip().splitlines()[-1])


def build(path: Path, kustomize: Path) -> list[Manifest]:
    """`kustomize build PATH`, parsed; raises with kustomize's message when it fails."""
    result = subprocess.run(
        [str(kustomize), "build", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"kustomize build {path} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def is_custom(manifest: Manifest) -> bool:
    return str(manifest.get("apiVersion", "")).split("/")[0] in CUSTOM_GROUPS


def name_of(manifest: Manifest) -> str:
    return f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"


def builtin_errors(manifests: Iterable[Manifest], version: str) -> list[str]:
    """Strict Kubernetes-schema errors of the built-in kinds (a kind without a schema is one)."""
    from kubernetes_validate import utils  # a dev dependency

    errors = []
    for manifest in manifests:
        if is_custom(manifest):
            continue
        try:
            utils.validate(manifest, version, strict=True)
        except utils.ValidationError as exc:
            where = ".".join(str(part) for part in exc.path)
            errors.append(f"{name_of(manifest)} (Kubernetes {version}): {where}: {exc.message}")
        except utils.SchemaNotFoundError as exc:
            errors.append(f"{name_of(manifest)}: {exc.message}")
    return errors


def _check_jsonschema() -> list[str]:
    if importlib.util.find_spec("check_jsonschema") is not None:
        return [sys.executable, "-m", "check_jsonschema"]
    script = Path(sys.executable).with_name("check-jsonschema")
    if script.exists():
        return [str(script)]
    raise RuntimeError(
        "check-jsonschema is not installed (a dev dependency: pip install -e .[dev])"
    )


def custom_errors(manifests: Iterable[Manifest]) -> list[str]:
    """check-jsonschema of each custom resource against its committed CRD schema."""
    by_schema: dict[Path, list[Manifest]] = defaultdict(list)
    errors = []
    for manifest in manifests:
        if not is_custom(manifest):
            continue
        key = (str(manifest.get("apiVersion")), str(manifest.get("kind")))
        schema = CRD_SCHEMAS.get(key)
        if schema is None:
            errors.append(f"{name_of(manifest)}: no committed CRD schema for {key}")
            continue
        by_schema[schema].append(manifest)
    with tempfile.TemporaryDirectory(prefix="cppcc-crs-") as directory:
        for schema, items in sorted(by_schema.items()):
            files = []
            for index, manifest in enumerate(items):
                name = str(manifest["metadata"].get("name", "unnamed"))
                path = Path(directory) / f"{manifest['kind']}-{index:03d}-{name}.json"
                path.write_text(json.dumps(manifest), encoding="utf-8")
                files.append(str(path))
            result = subprocess.run(
                [*_check_jsonschema(), "--schemafile", str(schema), *files],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if result.returncode != 0:
                errors.append(f"{schema.name}:\n{result.stdout}{result.stderr}")
    return errors


def validate(manifests: Sequence[Manifest]) -> list[str]:
    errors = []
    for version in KUBERNETES_VERSIONS:
        errors += builtin_errors(manifests, version)
    return errors + custom_errors(manifests)


def main(argv: Sequence[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or overlays() + ops_overlays()
    kustomize = ensure_kustomize()
    failed = False
    for name in names:
        manifests = build(OVERLAYS_DIR / name, kustomize)
        errors = validate(manifests)
        failed = failed or bool(errors)
        print(f"{name}: {len(manifests)} resources, {'OK' if not errors else 'INVALID'}")
        for error in errors:
            print(f"  {error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
