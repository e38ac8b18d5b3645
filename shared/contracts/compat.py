"""JSON Schema snapshots of the events and the rule for what counts as a breaking change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import EVENT_TYPES

SCHEMA_DIR = Path(__file__).parent / "schemas"
GOLDEN_DIR = Path(__file__).parent / "golden"


def current_schema(cls: type[IntegrationEvent]) -> dict[str, Any]:
    """The schema of the body as it is written on the wire."""
    schema = cls.model_json_schema(mode="serialization")
    schema["$id"] = f"urn:cppcc:event:{cls.event_type_name}"
    return schema


def snapshot_path(event_type: str) -> Path:
    return SCHEMA_DIR / f"{event_type}.json"


def golden_path(event_type: str) -> Path:
    return GOLDEN_DIR / f"{event_type}.json"


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in `new` would break a consumer written against `old` (or a stored old event).

    Breaking: a property removed, its type or constraints changed (length, pattern, enum, range),
    a property newly required; the same inside nested models (`$defs`). Adding an optional
    property is not breaking: consumers tolerate unknown fields.
    """
    problems = _model_changes(old, new)
    old_defs: dict[str, Any] = old.get("$defs", {})
    new_defs: dict[str, Any] = new.get("$defs", {})
    for name, spec in old_defs.items():
        if name not in new_defs:
            problems.append(f"nested model {name!r} removed")
        else:
            problems.extend(f"{name}: {p}" for p in _model_changes(spec, new_defs[name]))
    return problems


def _model_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, spec in old_props.items():
        if name not in new_props:
            problems.append(f"property {name!r} removed")
        elif _type_of(spec) != _type_of(new_props[name]):
            problems.append(
                f"property {name!r} changed type {_type_of(spec)} -> {_type_of(new_props[name])}"
            )
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    problems.extend(f"property {name!r} became required" for name in sorted(newly_required))
    return problems


_IGNORED_KEYS = frozenset({"title", "description", "examples", "default", "readOnly"})


def _type_of(spec: dict[str, Any]) -> Any:
    """Everything that decides which values validate; prose and defaults do not."""
    return {k: v for k, v in spec.items() if k not in _IGNORED_KEYS}


def write_snapshots() -> list[Path]:
    """Regenerate every snapshot (run after a reviewed, compatible change)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    written = []
    for event_type, cls in sorted(EVENT_TYPES.items()):
        path = snapshot_path(event_type)
        path.write_text(json.dumps(current_schema(cls), indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_snapshots():
        print(p)
