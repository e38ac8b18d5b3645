"""What a service's lifespan starts and stops: pool, migrations, producer, relay, consumers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import asyncpg
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import topics_of
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_up
from shared.db.pool import create_pool
from shared.db.unit_of_work import PgUnitOfWork
from shared.logging import get_logger
from shared.messaging.broker import attach_consumer, create_broker
from shared.messaging.consumer import ConsumerSettings, IdempotentConsumer
from shared.messaging.dead_letter import DeadLetters
from shared.messaging.handlers import Handler, Handles, handler_map
from shared.messaging.producer import create_producer
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.messaging.security import KafkaConnection
from shared.settings import ServiceSettings

log = get_logger(__name__)
U = TypeVar("U", bound=PgUnitOfWork)


@dataclass(frozen=True)
class ConsumerSpec(Generic[U]):
    """A consumer group: the handler of each event type it applies, in the unit of work its
    handlers take. It reads the topics those types are published on, and no others."""

    group: str
    handlers: Sequence[Handles[U]]
    uow_factory: Callable[[asyncpg.Pool], U]

    def __post_init__(self) -> None:
        handler_map(self.handlers)  # an event type given two handlers fails here, at wiring

    @property
    def handler_map(self) -> Mapping[type[IntegrationEvent], Handler[Any, U]]:
        return handler_map(self.handlers)

    @property
    def topics(self) -> tuple[str, ...]:
        """Unprefixed, in the order the handlers name them."""
        return topics_of(self.handler_map)


@dataclass
class Runtime:
    settings: ServiceSettings
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    broker: KafkaBroker
    relay_task: asyncio.Task[None] | None = None
    consumers_task: asyncio.Task[None] | None = None
    consumers: list[IdempotentConsumer] = field(default_factory=list)
    background: list[asyncio.Task[None]] = field(default_factory=list)

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run time-driven work (schedules, sweeps) until the service stops.

        It runs in every replica, so it must be safe by row locks, not by being alone.
        """
        self.background.append(asyncio.create_task(work, name=name))

    async def database_ready(self) -> bool:
        async with self.pool.acquire(timeout=2) as conn:
            return bool(await conn.fetchval("SELECT 1"))

    async def broker_ready(self) -> bool:
        return bool(await self.broker.ping(timeout=2.0))

    async def relay_running(self) -> bool:
        return self.relay_task is None or not self.relay_task.done()

    async def background_running(self) -> bool:
        return not any(task.done() for task in self.background)

    async def consumers_started(self) -> bool:
        """The consumers have joined their groups (they start after the API serves)."""
        task = self.consumers_task
        return task is None or (task.done() and not task.cancelled() and not task.exception())

    async def consumers_not_failed(self) -> bool:
        """False once the consumers' start has failed: only a restart brings them back."""
        task = self.consumers_task
        return task is None or not task.done() or task.cancelled() or task.exception() is None

    def liveness_checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        return {"consumers": self.consumers_not_failed}

    def readiness_checks(self) -> dict[str, Callable[[], Awaitable[bool]]]:
        return {
            "database": self.database_ready,
            "broker": self.broker_ready,
            "outbox_relay": self.relay_running,
            "background_work": self.background_running,
            "consumers": self.consumers_started,
        }


@contextlib.asynccontextmanager
async def running(
    settings: ServiceSettings,
    *,
    migrations_dir: Path,
    consumers: Sequence[ConsumerSpec[Any]] = (),
    run_relay: bool = True,
) -> AsyncIterator[Runtime]:
    """Start everything in order; stop in reverse (also when start-up fails half-way).

    Consumers stop first, so no handler is cut off after its offset could have been committed;
    the relay stops before the producer it uses. The consumers start in the background: the
    HTTP API serves (and says "not ready" under `consumers`) while they join their groups,
    which can take a session timeout after a replica was killed.
    """
    async with contextlib.AsyncExitStack() as stack:
        pool = await create_pool(
            settings.database_url,
            min_size=settings.database_pool_min,
            max_size=settings.database_pool_max,
        )
        stack.push_async_callback(pool.close)
        async with pool.acquire() as conn:
            applied = await migrate_up(conn, load_migrations([SHARED_MIGRATIONS, migrations_dir]))
        if applied:
            log.info("migrations applied", versions=applied)
        # Reads the SASL password file (if any) now: a missing secret fails the start-up.
        kafka = KafkaConnection.from_settings(settings)
        producer = create_producer(kafka, client_id=settings.service_name)
        await producer.start()
        stack.push_async_callback(producer.stop)
        broker = create_broker(kafka, client_id=settings.service_name)
        runtime = Runtime(settings, pool, producer, broker)
        stack.push_async_callback(_cancel_all, runtime.background)
        if run_relay:
            runtime.relay_task = _start_relay(settings, pool, producer)
            stack.push_async_callback(_cancel, runtime.relay_task)
        _attach_consumers(runtime, consumers)
        stack.push_async_callback(broker.stop)
        runtime.consumers_task = asyncio.create_task(_start(broker), name="consumers-start")
        stack.push_async_callback(_stop_starting, runtime.consumers_task)
        yield runtime


async def _start(broker: KafkaBroker) -> None:
    try:
        await broker.start()
    except Exception:
        log.exception("the consumers did not start")
        raise


def _start_relay(
    settings: ServiceSettings, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> asyncio.Task[None]:
    relay = OutboxRelay(
        pool,
        producer,
        RelaySettings(
            service=settings.service_name,
            topic_prefix=settings.kafka_topic_prefix,
            batch_size=settings.relay_batch_size,
            idle_poll_seconds=settings.relay_idle_poll_seconds,
            concurrency=settings.relay_concurrency,
        ),
    )
    return asyncio.create_task(relay.run_forever(), name="outbox-relay")


def _attach_consumers(runtime: Runtime, specs: Sequence[ConsumerSpec[Any]]) -> None:
    settings = runtime.settings
    dead_letters = DeadLetters(runtime.producer, service=settings.service_name)
    for spec in specs:
        consumer = IdempotentConsumer(
            ConsumerSettings(
                service=settings.service_name,
                group=spec.group,
                tenant_scope=settings.deployment_region,
                max_attempts=settings.consumer_max_attempts,
                retry_base_seconds=settings.consumer_retry_base_seconds,
            ),
            uow_factory=_bind_pool(spec.uow_factory, runtime.pool),
            handlers=spec.handler_map,
            dead_letters=dead_letters,
        )
        topics = [settings.kafka_topic_prefix + topic for topic in spec.topics]
        group_id = settings.kafka_group_id(spec.group)
        attach_consumer(runtime.broker, consumer, *topics, group_id=group_id)
        runtime.consumers.append(consumer)


def _bind_pool(
    factory: Callable[[asyncpg.Pool], PgUnitOfWork], pool: asyncpg.Pool
) -> Callable[[], PgUnitOfWork]:
    return lambda: factory(pool)


async def _cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        await _cancel(task)


async def _stop_starting(task: asyncio.Task[None]) -> None:
    """Cancel a start still under way; a start that failed was logged when it did."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
