"""Applying retained records exactly as the live consumers do, into the rebuild's tables."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

import asyncpg

from services.reporting.rebuild.schema import quote
from services.reporting.unit_of_work import Mode, ReportingUnitOfWork
from shared.contracts.envelope import MalformedMessage, UnknownEventType, decode, decode_headers
from shared.db.pool import DbConnection
from shared.logging import get_logger
from shared.messaging.batch import ParsedBatch, apply_batch, parse_batch
from shared.messaging.consumer import ConsumerSettings, IdempotentConsumer
from shared.runtime import ConsumerSpec

log = get_logger(__name__)
T = TypeVar("T")


class SkippedMessages:
    """The rebuild's dead-letter sink: it counts and logs, and sends nothing anywhere.

    What the live consumer could not apply it dead-lettered already; publishing it again would
    only duplicate the operators' DLQ.
    """

    def __init__(self) -> None:
        self.count = 0

    async def send(self, record: Any, headers: dict[str, str], *, reason: str, group: str) -> None:
        self.count += 1
        log.warning(
            "rebuild skipped a message",
            group=group,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )


class RebuildInbox:
    """One consumer group's inbox during a rebuild, in memory (about 200 bytes an event).

    Claiming in the inbox table row by row is a tenth of a rebuild's database time, so the
    rebuild drops what it has applied before, or earlier in the same batch, from each batch
    before applying it (`fresh`), its claims grant the rest, and `save` writes what it applied
    into the rebuilt inbox table with one COPY (before the swap, which moves that table in with
    the projections: a reporting database rebuilt from nothing has its inbox again).
    """

    def __init__(self, group: str) -> None:
        self._group = group
        self._applied: set[UUID] = set()
        self._unsaved: list[tuple[str, UUID, str]] = []

    async def claim(
        self, conn: DbConnection, *, group: str, events: list[tuple[UUID, str]]
    ) -> set[UUID]:
        return {event_id for event_id, _ in events}

    def fresh(self, batch: ParsedBatch) -> ParsedBatch:
        """`batch` without its duplicates (their outcome: "duplicate", as the inbox's)."""
        kept, seen = [], set()
        for p in batch.parsed:
            event_id = p.event.event_id
            if event_id in self._applied or event_id in seen:
                batch.outcomes[p.index] = ("duplicate", p.event.event_type_name)
            else:
                seen.add(event_id)
                kept.append(p)
        batch.parsed = kept
        return batch

    def remember(self, batch: ParsedBatch, outcomes: list[str]) -> None:
        """After the batch's transaction: what it applied (a dead-lettered event is not, so a
        later copy of it is tried again, as the live inbox would let it)."""
        for p in batch.parsed:
            if outcomes[p.index] == "applied":
                self._applied.add(p.event.event_id)
                self._unsaved.append((self._group, p.event.event_id, p.event.event_type_name))

    async def adopt_saved(self, conn: DbConnection) -> None:
        """What workers applied and saved into `conn`'s inbox table for this group, as applied
        (and saved) here too (workers.py)."""
        rows = await conn.fetch(
            "SELECT event_id FROM inbox_message WHERE consumer_group = $1", self._group
        )
        self._applied.update(r["event_id"] for r in rows)

    async def save(self, conn: DbConnection) -> None:
        """Into `conn`'s inbox table (the rebuild's schema), what it applied since last time."""
        if self._unsaved:
            await conn.copy_records_to_table(
                "inbox_message",
                records=self._unsaved,
                columns=["consumer_group", "event_id", "event_type"],
            )
            self._unsaved = []


class PinnedPool:
    """A pool of one connection, already in a transaction: units of work nest as savepoints.

    The swap transaction applies the last records through the same units of work as the bulk,
    inside the transaction that holds the rebuild lock.
    """

    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def acquire(self) -> DbConnection:
        return self._conn

    async def release(self, conn: DbConnection) -> None:
        return None


def consumer_for(
    spec: ConsumerSpec[ReportingUnitOfWork],
    pool: asyncpg.Pool | PinnedPool,
    skipped: SkippedMessages,
    inbox: RebuildInbox,
    *,
    mode: Mode,
    tenant_scope: str,
) -> IdempotentConsumer:
    """The live group's handlers and inbox name; the rebuild's own unit of work, in `mode`
    (publishing nothing: the live outbox and feed carry over, schema.KEPT), on its schema."""
    target = cast(asyncpg.Pool, pool)
    return IdempotentConsumer(
        # Its own service label: the rebuild's counts stay apart from the live consumers'.
        ConsumerSettings(service="reporting-rebuild", group=spec.group, tenant_scope=tenant_scope),
        uow_factory=lambda: ReportingUnitOfWork(target, mode=mode),
        handlers=spec.handler_map,
        dead_letters=skipped,
        inbox=inbox,
    )


def in_handler_order(spec: ConsumerSpec[Any], batch: ParsedBatch) -> ParsedBatch:
    """`batch` with its events stably sorted by the handler that will apply them.

    The consumer applies a batch as runs of consecutive events sharing one handler. A rebuild
    batch interleaves chunks of dozens of partitions of several topics; sorted, it is a handful
    of long runs. Each handler's events keep their order (so each key's do); across handlers
    the projections do not depend on order (the live consumer interleaves topics freely).
    """
    rank: dict[object, int] = {}
    for entry in spec.handlers:
        rank.setdefault(entry.handler, len(rank))
    batch.parsed.sort(key=lambda p: rank[p.handler])
    return batch


async def apply(
    consumer: IdempotentConsumer,
    spec: ConsumerSpec[Any],
    inbox: RebuildInbox,
    records: Sequence[Any],
) -> list[str]:
    """One transaction for the lot (a poison record is replayed alone, as live does)."""
    batch = in_handler_order(spec, await parse_batch(consumer, records))
    return await apply_fresh(consumer, inbox, batch)


async def apply_fresh(
    consumer: IdempotentConsumer, inbox: RebuildInbox, batch: ParsedBatch
) -> list[str]:
    """`batch` less what `inbox` has seen, in one transaction; `inbox` learns what it applied."""
    outcomes = await apply_batch(consumer, inbox.fresh(batch))
    inbox.remember(batch, outcomes)
    return outcomes


async def one_ahead(source: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """What `source` yields, its next item already being produced while the caller works on
    this one (one at a time: the source is never asked twice at once)."""
    end = object()
    pending: asyncio.Future[object] = asyncio.ensure_future(anext(source, end))
    try:
        while (item := await pending) is not end:
            pending = asyncio.ensure_future(anext(source, end))
            yield cast(T, item)
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the bulk.

    The bulk keeps two batches of decoded events (hundreds of thousands of small objects) and
    the in-memory inboxes alive; the collector traversed them over and over, about a quarter
    of the bulk's time at 200,000 events. What the bulk drops is freed by reference counting
    as usual; any cycles it left wait for the collector's next run (not forced here: a full
    collection over the inboxes would cost half a second for nothing).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def event_id(record: Any) -> UUID | None:
    """The record's event id (its `ce_id` header, else its body); None if it has none."""
    headers = decode_headers(record.headers)
    try:
        return UUID(headers["ce_id"])
    except (KeyError, ValueError):
        pass
    try:
        return decode(record.value, headers).event_id
    except (MalformedMessage, UnknownEventType):
        return None


async def applied_live(
    conn: DbConnection, *, live_schema: str, group: str, ids: list[UUID]
) -> set[UUID]:
    """Which of `ids` the live consumer group has applied (its inbox in the live schema)."""
    rows = await conn.fetch(
        f"SELECT event_id FROM {quote(live_schema)}.inbox_message "  # noqa: S608
        "WHERE consumer_group = $1 AND event_id = ANY($2::uuid[])",
        group,
        ids,
    )
    return {r["event_id"] for r in rows}
