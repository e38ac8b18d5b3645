"""One Postgres transaction for one use case: business rows and outbox rows commit together."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from shared.contracts.base import IntegrationEvent
from shared.db.outbox import append_to_outbox
from shared.faults import failpoint
from shared.telemetry import current_traceparent


class PgUnitOfWork:
    """`async with uow:` opens the transaction, `await uow.commit()` ends it, all else rolls back.

    Services subclass it and build their repositories in `_bind(conn)`.
    """

    def __init__(self, pool: asyncpg.Pool, *, source: str) -> None:
        self._pool = pool
        self._source = source
        self._conn: PoolConnectionProxy | None = None
        self._tx: Transaction | None = None
        self._events: list[IntegrationEvent] = []
        # The trace each recorded event joins, taken when it is recorded (its cause's trace).
        self._traceparents: list[str] = []

    @property
    def connection(self) -> asyncpg.Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._conn  # type: ignore[return-value]

    async def __aenter__(self) -> Self:
        conn = await self._pool.acquire()
        try:
            self._conn, self._tx = conn, conn.transaction()
            await self._tx.start()
            self._events, self._traceparents = [], []
            await self._on_begin(self.connection)
            self._bind(self.connection)
        except BaseException:
            # Cancelled or failed before `async with` took over: give the connection back
            # here, or the pool never closes (shielded, the cancellation must not cut it short).
            self._conn = self._tx = None
            await asyncio.shield(self._pool.release(conn))
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx is not None:
                # A failed rollback means the connection is gone; the pool replaces it, and
                # raising here would hide the error that got us here.
                with contextlib.suppress(Exception):
                    await self._tx.rollback()
        finally:
            conn, self._conn, self._tx = self._conn, None, None
            if conn is not None:
                await _give_back(self._pool, conn)

    async def _on_begin(self, conn: asyncpg.Connection) -> None:
        """Subclasses set transaction-local settings here (role, row-level-security scope)."""

    def _bind(self, conn: asyncpg.Connection) -> None:
        """Subclasses create their repositories on `conn` here."""

    def record(self, *events: IntegrationEvent) -> None:
        """Events to publish if, and only if, this unit of work commits."""
        self._events.extend(events)
        self._traceparents.extend([current_traceparent()] * len(events))

    async def commit(self) -> None:
        if self._tx is None:
            raise RuntimeError("nothing to commit")
        if self._events:
            await append_to_outbox(
                self.connection,
                self._events,
                source=self._source,
                traceparents=self._traceparents,
            )
            # Business and outbox rows written, not yet committed: a crash here loses both.
            failpoint("uow.before_commit")
        await self._tx.commit()
        self._tx = None
        self._events, self._traceparents = [], []


async def _give_back(pool: asyncpg.Pool, conn: PoolConnectionProxy) -> None:
    """Return the connection; one cut off by a database restart fails its reset on release.

    asyncpg then terminates it (the pool opens a new one) and re-raises, which would replace
    the outcome already decided (committed, or the error that rolled it back) with a 500 for
    a connection nobody needs any more (seen in the Postgres-restart fault test)."""
    with contextlib.suppress(Exception):
        await pool.release(conn)
