"""The idempotent consumer: its settings, its handler map, and where what cannot apply goes.

How records are applied (decode, claim the event ids, apply, commit; poison to the DLQ) is
`shared/messaging/batch.py`, the one path every record takes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from shared.contracts.base import IntegrationEvent
from shared.db.inbox import Inbox, PgInbox
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.handlers import Handler
from shared.regions import in_scope

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
# However long the database stays away, it is asked again at least this often.
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


UowFactory = Callable[[], PgUnitOfWork]


@dataclass(frozen=True)
class ConsumerSettings:
    service: str
    # The logical group: the inbox's key and the metrics' label (Kafka's group id is prefixed).
    group: str
    # The deployment's region (`ServiceSettings.deployment_region`): one deployment serves one
    # provincial CPPCC, its tenant; an event of another region was misrouted or forged.
    tenant_scope: str
    max_attempts: int = 3
    retry_base_seconds: float = 0.2

    def transient_delay(self, attempt: int) -> float:
        """Seconds before asking the database again after `attempt` transient failures."""
        return min(_MAX_TRANSIENT_BACKOFF, self.retry_base_seconds * 2.0**attempt)


def foreign_tenant(settings: ConsumerSettings, event: IntegrationEvent) -> str | None:
    """Why `event` must not be applied here, if it belongs to another tenant's region."""
    if in_scope(settings.tenant_scope, event.region_code):
        return None
    return f"rejected: region {event.region_code} is outside tenant {settings.tenant_scope}"


class IdempotentConsumer:
    """One consumer group's settings, inbox, unit of work and handler map."""

    def __init__(
        self,
        settings: ConsumerSettings,
        *,
        uow_factory: UowFactory,
        handlers: Mapping[type[IntegrationEvent], Handler[Any, Any]],
        dead_letters: DeadLetterSink,
        inbox: Inbox | None = None,
    ) -> None:
        self.settings = settings
        self.inbox: Inbox = inbox or PgInbox()
        self._uow_factory = uow_factory
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters

    def handler_for(self, event: IntegrationEvent) -> Handler[Any, Any] | None:
        return self._handlers.get(type(event))

    def unit_of_work(self) -> PgUnitOfWork:
        return self._uow_factory()

    async def dead_letter(self, record: InboundRecord, headers: dict[str, str], reason: str) -> str:
        await self._dead_letters.send(record, headers, reason=reason, group=self.settings.group)
        return "dead_lettered"
