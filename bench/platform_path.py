"""The real path: members' outbox → OutboxRelay → Kafka → reporting's IdempotentConsumer."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from prometheus_client import REGISTRY

from bench.namespace import Namespace, wait_until_group_stable
from services.members.main import MIGRATIONS as MEMBERS_MIGRATIONS
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from services.reporting.consumers import member_directory
from services.reporting.settings import ReportingSettings
from services.reporting.unit_of_work import MIGRATIONS as REPORTING_MIGRATIONS
from shared.contracts.members import MemberRegisteredV1
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.support.wait import eventually

EVENTS_PER_TRANSACTION = 500
S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")


@dataclass(frozen=True)
class PlatformResult:
    outbox_write_s: float
    relay_s: float
    end_to_end_s: float
    handler_mean_s: float


async def run_platform(
    ns: Namespace, events: Sequence[MemberRegisteredV1], *, timeout: float
) -> PlatformResult:
    """Fill the outbox first (timed apart), then time relay start → projection complete."""
    # The runtime prefixes topics and Kafka's group ids with the run's namespace; a per-run
    # group name also keeps the handler histogram's samples (labelled by group) per run.
    consumer = dataclasses.replace(member_directory, group=ns.topic(member_directory.group))
    members_settings = _settings(MembersSettings, ns, "members")
    reporting_settings = _settings(ReportingSettings, ns, "reporting")
    async with running(
        members_settings, migrations_dir=MEMBERS_MIGRATIONS, run_relay=False
    ) as members:
        write_s = await _fill_outbox(members, events)
        async with running(
            reporting_settings,
            migrations_dir=REPORTING_MIGRATIONS,
            consumers=[consumer],
            run_relay=False,
        ):
            group_id = reporting_settings.kafka_group_id(consumer.group)
            await wait_until_group_stable(ns.bootstrap, group_id, timeout=timeout)
            relay_s, e2e_s = await _drain(members, ns, len(events), timeout=timeout)
    return PlatformResult(write_s, relay_s, e2e_s, _mean_handler_seconds(consumer.group))


def _settings(cls: type[S], ns: Namespace, service: str) -> S:
    return cls(
        database_url=ns.database_urls[service],
        kafka_bootstrap_servers=ns.bootstrap,
        kafka_topic_prefix=ns.topic_prefix,
    )


async def _fill_outbox(members: Runtime, events: Sequence[MemberRegisteredV1]) -> float:
    """The members unit of work, many events per transaction: writing is not what we measure."""
    started = time.perf_counter()
    for start in range(0, len(events), EVENTS_PER_TRANSACTION):
        async with MembersUnitOfWork(members.pool, scope=None) as uow:
            uow.record(*events[start : start + EVENTS_PER_TRANSACTION])
            await uow.commit()
    return time.perf_counter() - started


async def _drain(
    members: Runtime, ns: Namespace, count: int, *, timeout: float
) -> tuple[float, float]:
    """Seconds from relay start until the outbox is sent, and until reporting counted all."""
    relay = OutboxRelay(members.pool, members.producer, _relay_settings(members.settings))
    async with _probes(ns) as (outbox_db, reporting_db):
        started = time.perf_counter()
        task = asyncio.create_task(relay.run_forever(), name="bench-relay")
        try:
            relay_s, e2e_s = await asyncio.gather(
                _seconds_until(started, lambda: _unsent(outbox_db), 0, "outbox sent", timeout),
                _seconds_until(
                    started,
                    lambda: _projected(reporting_db),
                    (count, count),
                    "all counted",
                    timeout,
                ),
            )
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return relay_s, e2e_s


def _relay_settings(settings: ServiceSettings) -> RelaySettings:
    # As shared.runtime starts it for a service with run_relay=True.
    return RelaySettings(
        service=settings.service_name,
        topic_prefix=settings.kafka_topic_prefix,
        batch_size=settings.relay_batch_size,
        idle_poll_seconds=settings.relay_idle_poll_seconds,
    )


@contextlib.asynccontextmanager
async def _probes(ns: Namespace) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Connection]]:
    """Connections of our own, so polling does not borrow from the services' pools."""
    outbox_db = await asyncpg.connect(ns.database_urls["members"])
    try:
        reporting_db = await asyncpg.connect(ns.database_urls["reporting"])
        try:
            yield outbox_db, reporting_db
        finally:
            await reporting_db.close()
    finally:
        await outbox_db.close()


async def _seconds_until(
    started: float, probe: Callable[[], Awaitable[T]], expected: T, what: str, timeout: float
) -> float:
    await eventually(probe, lambda value: value == expected, timeout=timeout, what=what)
    return time.perf_counter() - started


async def _unsent(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"))


async def _projected(conn: asyncpg.Connection) -> tuple[int, int]:
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM inbox_message) AS applied,
                  (SELECT coalesce(sum(members), 0) FROM member_count) AS counted"""
    )
    assert row is not None
    return int(row["applied"]), int(row["counted"])


def _mean_handler_seconds(group: str) -> float:
    """Mean time inside IdempotentConsumer's apply (its DB transaction), from its histogram."""
    labels = {"service": "reporting", "group": group}
    total = REGISTRY.get_sample_value("event_handler_duration_seconds_sum", labels) or 0.0
    count = REGISTRY.get_sample_value("event_handler_duration_seconds_count", labels) or 0.0
    return total / count if count else 0.0
