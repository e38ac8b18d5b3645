"""One trace from the HTTP request through the outbox and Kafka to the consumer that applies it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.reporting.consumers import MEMBER_DIRECTORY_GROUP
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_MEMBER
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        # The OTel provider is process-wide and can be set once; this module sets it.
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.clear()


async def test_the_trace_follows_the_event_from_request_to_consumer(
    platform: Platform, spans: InMemorySpanExporter
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, "230300")
    body = {
        "full_name": "吴委员",
        "sector_code": "culture_arts",
        "committee_code": JIXI_COMMITTEE,
        "region_code": "230381",
    }
    members = members_app(platform.settings(MembersSettings, "members"))
    reporting = reporting_app(platform.settings(ReportingSettings, "reporting"))
    async with serving(members) as m_url, serving(reporting):
        async with httpx.AsyncClient(base_url=m_url) as client:
            await add_jixi_committee(client, platform.keys)
            headers = {**admin, "traceparent": INCOMING}
            assert (await client.post("/v1/members", json=body, headers=headers)).status_code == 201
        await eventually(
            lambda: platform.fetchval(
                "reporting",
                "SELECT count(*) FROM inbox_message WHERE consumer_group = $1",
                MEMBER_DIRECTORY_GROUP,
            ),
            lambda n: n == 1,
        )

    stored = await platform.fetchval("members", "SELECT headers FROM outbox_message")
    assert TRACE_ID in (stored if isinstance(stored, dict) else json.loads(stored))["traceparent"]
    [message] = await read_all(platform.stack.kafka_bootstrap, platform.topic(MEMBERS_MEMBER.name))
    assert TRACE_ID in dict(message.headers)["traceparent"].decode()
    consumer_spans = [
        s
        for s in spans.get_finished_spans()
        if s.kind is trace.SpanKind.CONSUMER and s.name.endswith("members.member process")
    ]
    assert consumer_spans, "the consumer recorded a span"
    assert {format(s.context.trace_id, "032x") for s in consumer_spans} == {TRACE_ID}
