"""OpenTelemetry tracing: spans always exist (for log correlation), export only when configured."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

_configured = False


def configure_tracing(
    *, service: str, otlp_endpoint: str = "", exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Install a tracer provider once per process; later calls return None and change nothing."""
    global _configured
    if _configured:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if exporter is None and otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    return provider


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, to store with an outbox row."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_from_headers(headers: Mapping[str, str]) -> Context:
    """The remote parent carried by a Kafka message, so the consumer span joins the trace."""
    return propagate.extract(dict(headers))
