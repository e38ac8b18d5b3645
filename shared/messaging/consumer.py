"""The idempotent consumer: parse, claim the event id, apply, commit; poison goes to the DLQ.

The Kafka offset is committed by FastStream (AckPolicy.ACK) only after `handle()` returns, and
`handle()` returns only once the event is applied and committed in Postgres, recognised as a
duplicate, or safely in the dead-letter topic. A crash anywhere before that redelivers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
import structlog
from opentelemetry import trace

from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import MalformedMessage, UnknownEventType, decode, decode_headers
from shared.db.inbox import Inbox, PgInbox
from shared.db.unit_of_work import PgUnitOfWork
from shared.faults import failpoint
from shared.logging import get_logger
from shared.metrics import EVENTS_HANDLED, HANDLER_DURATION
from shared.regions import in_scope
from shared.telemetry import context_from_headers, tracer

log = get_logger(__name__)

# Errors that say "the database is away", not "this message is bad": retried without limit,
# holding the partition, so a Postgres restart delays events but never dead-letters them.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    # A pooled connection cut off mid-operation by a Postgres restart can surface as
    # "cannot switch to state ...; another operation is in progress" (seen in the fault suite).
    asyncpg.InternalClientError,
)
_MAX_TRANSIENT_BACKOFF = 5.0


class RejectEvent(Exception):
    """Raised by a handler for an event that can never be applied (e.g. another tenant's)."""


class InboundRecord(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Any


class DeadLetterSink(Protocol):
    """Where unappliable messages go (`DeadLetters` in production, a list in unit tests)."""

    async def send(
        self, record: Any, headers: dict[str, str], *, reason: str, group: str
    ) -> None: ...


EventHandler = Callable[[Any, Any], Awaitable[object]]
BatchHandler = Callable[[list[Any], Any], Awaitable[object]]
UowFactory = Callable[[], PgUnitOfWork]


# One deployment serves one provincial CPPCC (Heilongjiang): its tenant. An event of another
# region was misrouted or forged; applying it would put another tenant's data in our tables.
DEPLOYMENT_REGION = "230000"


@dataclass(frozen=True)
class ConsumerSettings:
    service: str
    group: str
    max_attempts: int = 3
    retry_base_seconds: float = 0.2
    tenant_scope: str = DEPLOYMENT_REGION


def foreign_tenant(settings: ConsumerSettings, event: IntegrationEvent) -> str | None:
    """Why `event` must not be applied here, if it belongs to another tenant's region."""
    if in_scope(settings.tenant_scope, event.region_code):
        return None
    return f"rejected: region {event.region_code} is outside tenant {settings.tenant_scope}"


class IdempotentConsumer:
    def __init__(
        self,
        settings: ConsumerSettings,
        *,
        uow_factory: UowFactory,
        handlers: Mapping[type[IntegrationEvent], EventHandler],
        dead_letters: DeadLetterSink,
        batch_handlers: Mapping[type[IntegrationEvent], BatchHandler] | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.settings = settings
        self.inbox: Inbox = inbox or PgInbox()
        self._uow_factory = uow_factory
        self._batch_handlers = dict(batch_handlers or {})
        # A type with only a set-based handler is applied one at a time as a run of one.
        self._handlers = {t: _one_of(h) for t, h in self._batch_handlers.items()} | dict(handlers)
        self._dead_letters = dead_letters

    def handler_for(self, event: IntegrationEvent) -> EventHandler | None:
        return self._handlers.get(type(event))

    def batch_handler_for(self, event: IntegrationEvent) -> BatchHandler | None:
        return self._batch_handlers.get(type(event))

    def unit_of_work(self) -> PgUnitOfWork:
        return self._uow_factory()

    async def dead_letter(
        self, record: InboundRecord, headers: dict[str, str], reason: str
    ) -> None:
        await self._dead_letters.send(record, headers, reason=reason, group=self.settings.group)

    async def apply_one(
        self,
        event: IntegrationEvent,
        handler: EventHandler,
        record: InboundRecord,
        headers: dict[str, str],
    ) -> str:
        """Apply one event in its own transaction, with retries and the DLQ as the last step."""
        with structlog.contextvars.bound_contextvars(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            event_id=str(event.event_id),
        ):
            return await self._apply(event, handler, record, headers)

    async def handle(self, record: InboundRecord) -> str:
        """Process one record; returns the outcome (for metrics and tests)."""
        headers = decode_headers(record.headers)
        with (
            structlog.contextvars.bound_contextvars(
                topic=record.topic, partition=record.partition, offset=record.offset
            ),
            tracer(__name__).start_as_current_span(
                f"{record.topic} process",
                context=context_from_headers(headers),
                kind=trace.SpanKind.CONSUMER,
            ),
        ):
            outcome, event_type = await self._handle(record, headers)
        EVENTS_HANDLED.labels(self.settings.service, self.settings.group, event_type, outcome).inc()
        return outcome

    async def _handle(self, record: InboundRecord, headers: dict[str, str]) -> tuple[str, str]:
        try:
            event = decode(record.value, headers)
        except UnknownEventType as exc:
            log.info("unknown event type acknowledged", event_type=str(exc))
            return "unknown_type", str(exc)
        except MalformedMessage as exc:
            await self._dead_letters.send(
                record, headers, reason=str(exc), group=self.settings.group
            )
            return "dead_lettered", headers.get("ce_type", "unknown")
        handler = self._handlers.get(type(event))
        if handler is None:
            return "not_subscribed", event.event_type_name
        if reason := foreign_tenant(self.settings, event):
            return await self._dead_letter(record, headers, reason), event.event_type_name
        with structlog.contextvars.bound_contextvars(event_id=str(event.event_id)):
            return await self._apply(event, handler, record, headers), event.event_type_name

    async def _apply(
        self,
        event: IntegrationEvent,
        handler: EventHandler,
        record: InboundRecord,
        headers: dict[str, str],
    ) -> str:
        failures = 0
        transient = 0
        while True:
            started = time.perf_counter()
            try:
                return await self._apply_once(event, handler)
            except TRANSIENT_ERRORS as exc:
                transient += 1
                delay = min(_MAX_TRANSIENT_BACKOFF, self.settings.retry_base_seconds * 2**transient)
                log.warning("transient failure, retrying", error=repr(exc), retry_in=delay)
                await asyncio.sleep(delay)
            except RejectEvent as exc:
                return await self._dead_letter(record, headers, f"rejected: {exc}")
            except Exception as exc:
                failures += 1
                log.warning("handler failed", error=repr(exc), attempt=failures)
                if failures >= self.settings.max_attempts:
                    return await self._dead_letter(record, headers, f"handler failed: {exc!r}")
                await asyncio.sleep(self.settings.retry_base_seconds * 2 ** (failures - 1))
            finally:
                HANDLER_DURATION.labels(self.settings.service, self.settings.group).observe(
                    time.perf_counter() - started
                )

    async def _apply_once(self, event: IntegrationEvent, handler: EventHandler) -> str:
        async with self._uow_factory() as uow:
            claimed = await self.inbox.claim(
                uow.connection,
                group=self.settings.group,
                events=[(event.event_id, event.event_type_name)],
            )
            if event.event_id not in claimed:
                return "duplicate"
            await handler(event, uow)
            failpoint("consumer.before_db_commit")
            await uow.commit()
        failpoint("consumer.after_db_commit")
        return "applied"

    async def _dead_letter(
        self, record: InboundRecord, headers: dict[str, str], reason: str
    ) -> str:
        await self._dead_letters.send(record, headers, reason=reason, group=self.settings.group)
        return "dead_lettered"


def _one_of(batch_handler: BatchHandler) -> EventHandler:
    async def handle_one(event: Any, uow: Any) -> object:
        return await batch_handler([event], uow)

    return handle_one
