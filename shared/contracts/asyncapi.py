"""An AsyncAPI 3.0 document of the platform's events, made from the committed contracts.

The JSON Schemas in shared/contracts/schemas are the events' source of truth (a test guards
them against breaking changes); this only arranges them by topic, with the CloudEvents headers
every message carries: one document of the whole event API (the dev start page offers it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contracts.compat import SCHEMA_DIR
from shared.contracts.topics import BUSINESS_TOPICS

_HEADERS = {
    "type": "object",
    "properties": {
        name: {"type": "string", "description": text}
        for name, text in (
            ("ce_id", "event id (UUIDv7); consumers deduplicate on it"),
            ("ce_type", "the event type, e.g. visits.visit.recorded.v1"),
            ("ce_source", "the publishing service"),
            ("ce_time", "when it happened (RFC 3339)"),
            ("ce_specversion", "1.0"),
            ("content-type", "application/json"),
            ("traceparent", "W3C trace context"),
        )
    },
}


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in BUSINESS_TOPICS:
        names = sorted(p.stem for p in SCHEMA_DIR.glob(f"{topic.name}.*.json"))
        for name in names:
            key = name.replace(".", "_")
            payload = json.loads((SCHEMA_DIR / f"{name}.json").read_text())
            messages[key] = {"name": name, "headers": _HEADERS, "payload": payload}
        channels[topic.name.replace(".", "_")] = {
            "address": topic.name,
            "description": f"{topic.partitions} partitions, keyed by the aggregate id",
            "messages": {
                n.replace(".", "_"): {"$ref": f"#/components/messages/{n.replace('.', '_')}"}
                for n in names
            },
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CPPCC members ⇄ sector constituents: events",
            "version": "1",
            "description": "Integration events between the four services, on Kafka.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages},
    }


def write(path: Path) -> None:
    path.write_text(json.dumps(document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
