"""Prometheus metrics every service exposes at /metrics (names match the Grafana dashboard)."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter(
    "http_requests", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_HANDLED = Counter(
    "events_handled",
    "Consumed events by outcome (applied, duplicate, unknown_type, dead_lettered)",
    ["service", "group", "event_type", "outcome"],
)
HANDLER_DURATION = Histogram(
    "event_handler_duration_seconds", "Time to apply one consumed event", ["service", "group"]
)
CONSUMER_LAG = Gauge(
    "consumer_lag",
    "Messages behind the partition's high watermark, as this replica last saw it",
    ["service", "group", "topic", "partition"],
)
DLQ_MESSAGES = Counter("dlq_messages", "Messages sent to a dead-letter topic", ["service", "topic"])
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter("outbox_published", "Outbox rows published to Kafka", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures", "Failed attempts to publish outbox rows", ["service"]
)


def render_latest() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
