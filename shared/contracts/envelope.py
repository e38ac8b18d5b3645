"""The wire format: a JSON body plus CloudEvents Kafka-binding headers (binary mode)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import event_class

CONTENT_TYPE = "application/json"
# pydantic's error types for a body that is not a JSON object at all.
_NOT_JSON = frozenset({"json_invalid", "model_type", "model_attributes_type"})
SPEC_VERSION = "1.0"


class MalformedMessage(Exception):
    """The message cannot be read as the event it claims to be: it belongs in the DLQ."""


class UnknownEventType(Exception):
    """A type this build does not know (a newer producer): logged and acknowledged."""


def encode_body(event: IntegrationEvent) -> bytes:
    return event.model_dump_json().encode()


def cloudevent_headers(
    event: IntegrationEvent, *, source: str, traceparent: str | None = None
) -> dict[str, str]:
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(event.event_id),
        "ce_type": event.event_type_name,
        "ce_source": source,
        "ce_time": event.occurred_at.isoformat(),
        "content-type": CONTENT_TYPE,
    }
    if traceparent:
        headers["traceparent"] = traceparent
    return headers


def decode(body: bytes | None, headers: Mapping[str, str]) -> IntegrationEvent:
    """Parse a message into its event model, or say why it cannot be done."""
    event_type = headers.get("ce_type")
    if not event_type:
        # Only a message without the header pays for parsing its JSON twice.
        event_type = _json_object(body).get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedMessage("no event type in ce_type header or body")
    cls = event_class(event_type)
    if cls is None:
        raise UnknownEventType(event_type)
    if not body:
        raise MalformedMessage("empty body")
    try:
        # Straight from the bytes: pydantic's JSON parser, no intermediate dict.
        return cls.model_validate_json(body)
    except ValidationError as exc:
        if any(e["type"] in _NOT_JSON for e in exc.errors()):
            _json_object(body)  # raises the precise reason (not JSON, not an object)
        fields = ", ".join(".".join(map(str, e["loc"])) or "(body)" for e in exc.errors())
        raise MalformedMessage(f"{event_type} does not match its schema: {fields}") from None


def _json_object(body: bytes | None) -> dict[str, Any]:
    if not body:
        raise MalformedMessage("empty body")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedMessage(f"body is not JSON: {exc.__class__.__name__}") from None
    if not isinstance(payload, dict):
        raise MalformedMessage("body is not a JSON object")
    return payload


def decode_headers(raw: Any) -> dict[str, str]:
    """Kafka headers arrive as (name, bytes) pairs; undecodable values are dropped."""
    result: dict[str, str] = {}
    for name, value in raw or ():
        try:
            # bytes, as aiokafka hands them, first: this runs for every header of every record.
            result[name] = value.decode() if type(value) is bytes else _as_text(value)
        except (UnicodeDecodeError, TypeError):
            continue
    return result


def _as_text(value: object) -> str:
    if isinstance(value, bytearray):
        return value.decode()
    if isinstance(value, str):
        return value
    raise TypeError(type(value).__name__)
