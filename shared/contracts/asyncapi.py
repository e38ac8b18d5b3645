"""AsyncAPI 3.0 documents of the platform's events, made from the committed contracts.

One per service, served at its `/asyncapi.json`: what it sends through its outbox, what each of
its consumer groups receives, and where its dead letters go; and one for the data platform (the
de-identified facts), served with the feed. The JSON Schemas in shared/contracts/schemas are the
payloads' source of truth (a test guards them against breaking changes). A message's key is
found by asking the event type's own `partition_key()` about its golden sample, so what the
document says the key is, is what the code does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shared.contracts.base import IntegrationEvent
from shared.contracts.compat import GOLDEN_DIR, SCHEMA_DIR
from shared.contracts.registry import EVENT_TYPES
from shared.contracts.topics import BUSINESS_TOPICS, TopicSpec, dlq_name, publisher

VERSION = "3.0.0"
_BINDING = "0.5.0"
_TRACEPARENT = "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_TOPICS = {t.name: t for t in BUSINESS_TOPICS}

# What each partition key is: the field a topic's events are keyed by, and why (order per key).
KEY_MEANINGS = {
    "member_id": "the member's id (委员): one member's events stay in order",
    "liaison_id": "the liaison's id (联系群众): one liaison's events stay in order",
    "workstation_id": "the workstation's id (委员工作站): one workstation's events stay in order",
    "department_id": "the department's id (职能部门): one department's events stay in order",
    "occasion_id": "the occasion's id (必访事由, a policy is one): its events stay in order",
    "obligation_id": "the obligation's id (必访任务): one obligation's lifecycle stays in order",
    "concern_id": "the concern's id (社情民意): one concern's lifecycle stays in order",
    "notification_id": "the notification's id: its deliveries stay in order",
    "member_ref": "the member's pseudonym (a keyed hash of the member id, stable in the "
    "deployment; the id itself never leaves): one member's facts stay in order",
    "obligation_ref": "the obligation's pseudonym: one obligation's facts stay in order",
    "concern_ref": "the concern's pseudonym: one concern's facts stay in order",
}

_CLOUDEVENTS = {
    "ce_specversion": "CloudEvents spec version, 1.0",
    "ce_id": "the event id (UUIDv7), the same as the body's event_id; consumers deduplicate on it",
    "ce_type": "the event type, e.g. visits.visit.recorded.v1 (also the body's event_type)",
    "ce_source": "the publishing service, e.g. /cppcc/visits",
    "ce_time": "when it happened (RFC 3339, UTC), the body's occurred_at",
    "content-type": "application/json",
}
_DEAD_LETTER = {
    "dlq_reason": "why it could not be applied (not JSON, schema mismatch, foreign tenant, "
    "handler failed after its retries); personal data redacted",
    "dlq_original_topic": "the topic it was read from",
    "dlq_original_partition": "its partition there",
    "dlq_original_offset": "its offset there",
    "dlq_consumer_group": "the consumer group that gave up on it",
    "dlq_failed_at": "when (RFC 3339)",
}


@dataclass(frozen=True)
class Receiver:
    """A consumer group: its logical name, its Kafka group id, the event types it applies."""

    group: str
    group_id: str
    event_types: tuple[type[IntegrationEvent], ...]


@dataclass(frozen=True)
class Broker:
    """Where the cluster is, as a service is configured to reach it."""

    bootstrap_servers: str
    topic_prefix: str = ""
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None


def service_document(service: str, broker: Broker, receivers: Sequence[Receiver]) -> dict[str, Any]:
    """`service`'s event API: send on the topics it publishes, receive per consumer group."""
    sent = [t for t in BUSINESS_TOPICS if publisher(t.name) == service]
    received = [t for t in BUSINESS_TOPICS if any(_on(t, r.event_types) for r in receivers)]
    doc = _skeleton(f"{service}: events", _SERVICE_TEXT.format(service=service), broker)
    for topic in dict.fromkeys([*sent, *received]):
        _add_channel(doc, topic, broker.topic_prefix)
    for topic in sent:
        _add_operation(doc, f"send_{_id(topic.name)}", "send", topic, _types_on(topic), _SENT)
    for r in receivers:
        for topic in received:
            if types := _on(topic, r.event_types):
                op = f"receive_{_id(topic.name)}_{_id(r.group)}"
                _add_operation(doc, op, "receive", topic, types, _RECEIVED, group_id=r.group_id)
                _add_dead_letters(doc, topic, broker.topic_prefix, r)
    return doc


def data_platform_document(broker: Broker) -> dict[str, Any]:
    """The de-identified facts for the provincial data platform, in one document."""
    doc = _skeleton("Data platform feed: events", _FEED_TEXT, broker)
    for topic in (t for t in BUSINESS_TOPICS if publisher(t.name) == "reporting"):
        _add_channel(doc, topic, broker.topic_prefix)
        types = _types_on(topic)
        _add_operation(doc, f"send_{_id(topic.name)}", "send", topic, types, _SENT)
        _add_operation(doc, f"receive_{_id(topic.name)}", "receive", topic, types, _PLATFORM)
    return doc


def document() -> dict[str, Any]:
    """Every topic and event, without servers or operations (the contracts at a glance)."""
    doc = _skeleton("CPPCC members ⇄ sector constituents: events", _ALL_TEXT, None)
    for topic in BUSINESS_TOPICS:
        _add_channel(doc, topic, "")
    return doc


def write(path: Path) -> None:
    path.write_text(json.dumps(document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def key_field(cls: type[IntegrationEvent]) -> str:
    """The body field `cls` is keyed by: the one its golden sample's key equals."""
    return _key_field(cls)


@cache
def _key_field(cls: type[IntegrationEvent]) -> str:
    sample = cls.model_validate_json((GOLDEN_DIR / f"{cls.event_type_name}.json").read_bytes())
    key = sample.partition_key()
    fields = [name for name, value in sample.model_dump(mode="json").items() if value == key]
    named = [name for name in fields if name in KEY_MEANINGS]
    if not named:
        raise LookupError(f"{cls.event_type_name}: key {key!r} is no field in KEY_MEANINGS")
    return named[0]


_SERVICE_TEXT = (
    "What the {service} service publishes (each event written to its transactional outbox in "
    "the business transaction, then published at least once, in commit order per key, with an "
    "idempotent producer, acks=all) and what its consumer groups receive (applied once per "
    "group: the inbox keys on the event id; offsets committed after the database commit; "
    "types a group does not apply are acknowledged and skipped). A message that cannot be "
    "applied goes to `<topic>.dlq` with the reason in its headers, and the partition moves on."
)
_FEED_TEXT = (
    "De-identified facts for the provincial data platform: no names, phones or ids, only "
    "pseudonyms, codes and counts. Published by the reporting service at least once and in "
    "order per key; a consumer deduplicates on ce_id (the body's event_id). The same facts "
    "are served over HTTP by the pull feed (/v1/feed)."
)
_ALL_TEXT = "Integration events between the four services, on Kafka, by topic."
_SENT = "Published through the transactional outbox, at least once, in commit order per key."
_RECEIVED = (
    "Applied once (inbox on event id), offsets committed after the database commit; types "
    "not listed here are acknowledged unapplied; a message that cannot be applied goes to "
    "the topic's .dlq channel."
)
_PLATFORM = "The data platform's own consumer group; deduplicate on ce_id."


def _skeleton(title: str, description: str, broker: Broker | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "asyncapi": VERSION,
        "info": {"title": title, "version": "1.0.0", "description": description},
        "defaultContentType": "application/json",
        "channels": {},
        "operations": {},
        "components": {"messages": {}, "schemas": _header_schemas()},
    }
    if broker is not None:
        doc["servers"] = _servers(broker)
        if broker.security_protocol == "SASL_SSL":
            mechanism = (broker.sasl_mechanism or "SCRAM-SHA-512").replace("-", "").lower()
            kind = {"scramsha512": "scramSha512", "scramsha256": "scramSha256"}[mechanism]
            doc["components"]["securitySchemes"] = {
                "sasl": {"type": kind, "description": "SASL/SCRAM over TLS, a KafkaUser each"}
            }
            for server in doc["servers"].values():
                server["security"] = [{"$ref": "#/components/securitySchemes/sasl"}]
    return doc


def _servers(broker: Broker) -> dict[str, Any]:
    hosts = [h.strip() for h in broker.bootstrap_servers.split(",") if h.strip()]
    protocol = "kafka" if broker.security_protocol == "PLAINTEXT" else "kafka-secure"
    return {
        ("kafka" if len(hosts) == 1 else f"kafka-{i}"): {
            "host": host,
            "protocol": protocol,
            "description": f"bootstrap server ({broker.security_protocol})",
            "bindings": {"kafka": {"bindingVersion": _BINDING}},
        }
        for i, host in enumerate(hosts, start=1)
    }


def _header_schemas() -> dict[str, Any]:
    ce = {name: {"type": "string", "description": text} for name, text in _CLOUDEVENTS.items()}
    trace = {
        "type": "string",
        "pattern": _TRACEPARENT,
        "description": "W3C trace context: the trace of what caused this event (the request, "
        "the event being applied, or the job run)",
    }
    dead = {name: {"type": "string", "description": text} for name, text in _DEAD_LETTER.items()}
    return {
        "EventHeaders": {
            "type": "object",
            "description": "CloudEvents Kafka binding (binary mode) plus W3C traceparent",
            "required": [*_CLOUDEVENTS, "traceparent"],
            "properties": {**ce, "traceparent": trace},
        },
        "DeadLetterHeaders": {
            "type": "object",
            "description": "The original message's headers (when it had any) plus where it "
            "came from and why it could not be applied",
            "required": list(_DEAD_LETTER),
            "properties": {**ce, "traceparent": trace, **dead},
        },
    }


def _add_channel(doc: dict[str, Any], topic: TopicSpec, prefix: str) -> None:
    types = _types_on(topic)
    keys = sorted({key_field(cls) for cls in types})
    for cls in types:
        doc["components"]["messages"][_id(cls.event_type_name)] = _message(cls)
    doc["channels"][_id(topic.name)] = {
        "address": prefix + topic.name,
        "title": topic.name,
        "description": f"{topic.partitions} partitions, kept forever; keyed by "
        + "; ".join(f"`{k}`, {KEY_MEANINGS[k]}" for k in keys),
        "messages": {_id(c.event_type_name): _ref("components/messages", c) for c in types},
        "bindings": {"kafka": _topic_binding(prefix + topic.name, topic)},
    }


def _add_dead_letters(doc: dict[str, Any], topic: TopicSpec, prefix: str, r: Receiver) -> None:
    channel = _id(dlq_name(topic.name))
    doc["components"]["messages"]["dead_letter"] = _DEAD_LETTER_MESSAGE
    if channel not in doc["channels"]:
        dlq = TopicSpec(dlq_name(topic.name), partitions=1, retention_ms=30 * 24 * 3600 * 1000)
        doc["channels"][channel] = {
            "address": prefix + dlq.name,
            "title": dlq.name,
            "description": f"Dead letters of {topic.name}: 1 partition (arrival order), kept "
            "30 days; replay with `python -m shared.messaging.dlq_replay`",
            "messages": {"dead_letter": {"$ref": "#/components/messages/dead_letter"}},
            "bindings": {"kafka": _topic_binding(prefix + dlq.name, dlq)},
        }
    doc["operations"][f"send_{channel}_{_id(r.group)}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": f"What group {r.group} cannot apply from {topic.name}",
        "messages": [{"$ref": f"#/channels/{channel}/messages/dead_letter"}],
        "bindings": {"kafka": _group_binding(r.group_id)},
    }


_DEAD_LETTER_MESSAGE = {
    "name": "dead_letter",
    "title": "A message that could not be applied",
    "summary": "The original key, value and headers, unchanged, plus dlq_* headers",
    "contentType": "application/octet-stream",
    "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
    "payload": {"description": "the original value's bytes (may not be JSON: poison lands here)"},
    "bindings": {
        "kafka": {
            "key": {"type": "string", "description": "the original message's key"},
            "bindingVersion": _BINDING,
        }
    },
}


def _add_operation(
    doc: dict[str, Any],
    name: str,
    action: str,
    topic: TopicSpec,
    types: Iterable[type[IntegrationEvent]],
    summary: str,
    *,
    group_id: str | None = None,
) -> None:
    channel = _id(topic.name)
    doc["operations"][name] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": summary,
        "messages": [_ref(f"channels/{channel}/messages", cls) for cls in types],
        "bindings": {"kafka": _group_binding(group_id)},
    }


def _message(cls: type[IntegrationEvent]) -> dict[str, Any]:
    name = cls.event_type_name
    payload = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    key = key_field(cls)
    return {
        "name": name,
        "title": cls.__name__,
        "summary": payload.get("description", name),
        "contentType": "application/json",
        "headers": {
            "allOf": [
                {"$ref": "#/components/schemas/EventHeaders"},
                {"type": "object", "properties": {"ce_type": {"const": name}}},
            ]
        },
        "payload": payload,
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"`{key}`: {KEY_MEANINGS[key]}"},
                "bindingVersion": _BINDING,
            }
        },
    }


def _topic_binding(address: str, topic: TopicSpec) -> dict[str, Any]:
    return {
        "topic": address,
        "partitions": topic.partitions,
        "topicConfiguration": {"cleanup.policy": ["delete"], "retention.ms": topic.retention_ms},
        "bindingVersion": _BINDING,
    }


def _group_binding(group_id: str | None) -> dict[str, Any]:
    binding: dict[str, Any] = {"bindingVersion": _BINDING}
    if group_id is not None:
        binding["groupId"] = {"type": "string", "enum": [group_id]}
    return binding


def _types_on(topic: TopicSpec) -> list[type[IntegrationEvent]]:
    return [cls for cls in EVENT_TYPES.values() if cls.topic == topic.name]


def _on(topic: TopicSpec, types: Iterable[type[IntegrationEvent]]) -> list[type[IntegrationEvent]]:
    return [cls for cls in types if cls.topic == topic.name]


def _ref(base: str, cls: type[IntegrationEvent]) -> dict[str, str]:
    return {"$ref": f"#/{base}/{_id(cls.event_type_name)}"}


def _id(name: str) -> str:
    return name.replace(".", "_").replace("-", "_")
