"""OpenTelemetry tracing: spans always exist (for log correlation), export only when configured.

Every event leaves with a W3C `traceparent`. Which trace it joins: the event that caused it (a
consumer continues the trace of the event it is applying, per event, even when a set-based
handler applies a run of them), else the job run that produced it (one trace per pass of the
sweep, a schedule or the bridge), else the active span (the HTTP request). With no tracer
provider at all a fresh id is generated, so the header is never missing.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from uuid import UUID

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import SpanContext

_configured = False
# The traceparent events recorded now belong to (set per consumed event, or per job run).
_cause: ContextVar[str | None] = ContextVar("cppcc_cause_traceparent", default=None)
# While a consumer applies a run: each event id's trace, for `caused_by`.
_run: ContextVar[Mapping[UUID, str] | None] = ContextVar("cppcc_run_traces", default=None)


def configure_tracing(
    *, service: str, otlp_endpoint: str = "", exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Install a tracer provider once per process; later calls return None and change nothing.

    The provider is installed with or without an exporter: spans (and their ids, which the
    logs and the `traceparent` headers carry) exist either way; only export is optional."""
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


def format_traceparent(ctx: SpanContext) -> str:
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def new_traceparent() -> str:
    """A fresh root trace (sampled), for work that has no span to take one from."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def trace_id_of(traceparent: str) -> str:
    return traceparent[3:35]


def current_traceparent() -> str:
    """The traceparent to store with an outbox row recorded now (never None, see above)."""
    cause = _cause.get()
    if cause is not None:
        return cause
    ctx = trace.get_current_span().get_span_context()
    return format_traceparent(ctx) if ctx.is_valid else new_traceparent()


def context_from_headers(headers: Mapping[str, str]) -> Context:
    """The remote parent carried by a Kafka message, so the consumer span joins the trace."""
    return propagate.extract(dict(headers))


def run_traces(headers_by_event: Mapping[UUID, Mapping[str, str]]) -> dict[UUID, str]:
    """Each consumed event's trace, as the events it causes will carry it: the current (run)
    span as parent when the event is in that span's trace, the event's own parent otherwise."""
    here = current_traceparent()
    here_trace = trace_id_of(here)
    traces: dict[UUID, str] = {}
    for event_id, headers in headers_by_event.items():
        theirs = headers.get("traceparent")
        if theirs is None or len(theirs) != 55 or trace_id_of(theirs) == here_trace:
            traces[event_id] = here
        else:
            traces[event_id] = theirs
    return traces


@contextlib.contextmanager
def applying(traces: Mapping[UUID, str]) -> Iterator[None]:
    """A consumer applies a run of events whose traces are `traces` (see `caused_by`)."""
    token = _run.set(traces)
    try:
        yield
    finally:
        _run.reset(token)


@contextlib.contextmanager
def caused_by(event_id: UUID) -> Iterator[None]:
    """Events recorded in this block continue the trace of the consumed event `event_id`."""
    traces = _run.get()
    cause = traces.get(event_id) if traces is not None else None
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


@contextlib.contextmanager
def job_run(name: str) -> Iterator[None]:
    """One pass of time-driven work: a new root trace that every event it records joins."""
    with tracer("cppcc.jobs").start_as_current_span(name, context=Context()) as span:
        ctx = span.get_span_context()
        token = _cause.set(format_traceparent(ctx) if ctx.is_valid else new_traceparent())
        try:
            yield
        finally:
            _cause.reset(token)
