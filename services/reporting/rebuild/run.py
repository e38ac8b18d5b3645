"""The rebuild, start to swap: a fresh schema, the retained events, the last records, the swap.

1. `reporting_rebuild_<ts>` is created by the service's own migrations; its outbox and feed
   tables discard what the handlers write there (the live ones carry over, see 4), and its
   secondary indexes are set aside until the bulk is in.
2. Each consumer group's topics are read from their beginning up to that group's committed
   offsets (directory topics first, see plan.py) and applied through the group's own handlers
   in big batches, the next batch decoded while Postgres applies this one; the facts topics'
   partitions are dealt out to worker processes (workers.py). Duplicates are dropped by an
   inbox kept in memory and written with one COPY. The handlers write facts only: no feed
   facts, no rollups. A few catch-up rounds follow the live group while it moves.
3. The rollups are counted once from the fact tables (repository/recount.py, the handlers'
   own delta definitions; the members in shards at once), the indexes built, the tables
   analysed.
4. Under the rebuild lock (held shared by every projection transaction, so the live consumers
   pause between two batches) the rest is applied, rollups included as live does: every record
   below the group's committed offsets, and above them those the live inbox shows were applied
   already. The rebuilt tables then hold exactly the events the live ones do, so the data
   platform's outbox and pull feed carry over untouched. In the same transaction the tables
   are swapped.
5. The live consumers go on where they were, into the new tables; the API never stops.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeAlias

import asyncpg
from aiokafka import ConsumerRecord, TopicPartition

from services.reporting.consumers import reporting_consumers
from services.reporting.rebuild import schema
from services.reporting.rebuild.apply import (
    PinnedPool,
    RebuildInbox,
    SkippedMessages,
    applied_live,
    apply,
    collector_paused,
    consumer_for,
    event_id,
)
from services.reporting.rebuild.bulk import advance
from services.reporting.rebuild.plan import Stream, phases
from services.reporting.rebuild.progress import RebuildProgress
from services.reporting.rebuild.reader import Offsets, TopicReader
from services.reporting.rebuild.workers import Share, deal, run_shares
from services.reporting.repository.recount import recount_in_parallel
from services.reporting.settings import ReportingSettings
from services.reporting.unit_of_work import MIGRATIONS, REBUILD_LOCK, Mode, ReportingUnitOfWork
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations
from shared.db.pool import DbConnection, create_pool
from shared.logging import get_logger
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.security import KafkaConnection
from shared.runtime import ConsumerSpec

log = get_logger(__name__)
Record: TypeAlias = ConsumerRecord[bytes, bytes]

# Only one rebuild at a time per database (a session lock, released when the command ends).
_ONE_REBUILD = REBUILD_LOCK + 1
# Catch-up rounds before the last step stop once this little is left, or after this many.
_CATCH_UP_LEFT = 2_000
_CATCH_UP_ROUNDS = 5
# A swap waits this long for the API's running queries on the live tables, then gives up.
_SWAP_LOCK_TIMEOUT = "15s"
# Records per transaction: big, so each statement's fixed cost is spread over many events;
# 20,000: at 1M events as fast as 50,000, with 0.5 GB per worker instead of 0.8.
DEFAULT_BATCH_SIZE = 20_000
# Per sort or hash of a batch statement (the recount sets its own, recount.py).
_WORK_MEM = "256MB"
# Processes applying the facts' bulk: the machines have two cores, Postgres uses the rest.
DEFAULT_WORKERS = 2


@dataclass(frozen=True)
class _Workers:
    """What worker processes need to apply a share of the facts (workers.py)."""

    settings: ReportingSettings
    dsn: str  # the rebuild schema's
    count: int


@dataclass
class RebuildResult:
    live_schema: str
    events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    swapped: list[str] = field(default_factory=list)
    kept_old_schema: str | None = None
    seconds: float = 0.0
    # Of `seconds`, in the consumers' batch handling (decoding, handlers, transactions).
    applying_seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def rebuild(
    settings: ReportingSettings,
    *,
    consumers: Sequence[ConsumerSpec[ReportingUnitOfWork]] | None = None,
    keep_old: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: RebuildProgress | None = None,
    workers: int = DEFAULT_WORKERS,
) -> RebuildResult:
    """Rebuild every projection of `consumers` (default: the service's, or those renamed) and
    swap it in; the facts' bulk in `workers` processes (1: in this one, see workers.py)."""
    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    rebuilt, old = f"reporting_rebuild_{stamp}", f"reporting_old_{stamp}"
    progress = progress or RebuildProgress(enabled=False)
    async with contextlib.AsyncExitStack() as stack:
        admin = await _connect(stack, settings.database_url)
        if not await admin.fetchval("SELECT pg_try_advisory_lock($1)", _ONE_REBUILD):
            raise RuntimeError("another rebuild of this database is running")
        live = await schema.live_schema(admin)
        result = RebuildResult(live_schema=live)
        stack.push_async_callback(schema.drop, admin, rebuilt)  # emptied by the swap
        # The service's pool setup (its JSON codecs), every connection on the rebuild's schema.
        # No statement timeout: the recount and the index builds of a big history take minutes.
        # Memory enough that a batch's sorts and groupings stay off the disk.
        dsn = schema.with_search_path(settings.database_url, rebuilt, work_mem=_WORK_MEM)
        pool = await create_pool(
            dsn,
            min_size=1,
            max_size=max(1, workers) + 1,  # the rebuild's own and the recount's shards
            command_timeout=None,
        )
        stack.push_async_callback(pool.close)
        conn = await stack.enter_async_context(pool.acquire())
        await _create(conn, admin, live=live, rebuilt=rebuilt)
        reader = TopicReader(KafkaConnection.from_settings(settings), client_id="reporting-rebuild")
        await reader.start()
        stack.push_async_callback(reader.stop)
        run = _Run(
            reader,
            consumers or reporting_consumers(settings),
            result,
            _Workers(settings, dsn, workers),
        )
        with progress:
            await run.prepare(progress)
            indexes = await schema.set_aside_indexes(conn, rebuilt)
            with collector_paused():
                await run.bulk(pool, batch_size, progress)
            await run.save_inboxes(conn)
            progress.phase("counting rollups")
            await recount_in_parallel(pool, shards=max(1, workers))
            progress.phase("indexing")
            await schema.restore_indexes(conn, indexes)
            progress.phase("analyzing")
            await schema.vacuum_analyze(conn, rebuilt)
            progress.phase("swapping")
            result.swapped = await _swap_in(conn, run, (live, rebuilt, old), batch_size, progress)
        log.info("rebuild swapped in", tables=result.swapped, events=result.events)
        if keep_old:
            result.kept_old_schema = old
        else:
            await schema.drop(admin, old)
    result.seconds = time.perf_counter() - started
    return result


async def _swap_in(
    conn: DbConnection,
    run: _Run,
    schemas: tuple[str, str, str],
    batch_size: int,
    progress: RebuildProgress,
) -> list[str]:
    """One transaction under the rebuild lock: the last records, then the tables trade places."""
    live, rebuilt, old = schemas
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", REBUILD_LOCK)
        await run.last_records(conn, live, batch_size, progress)
        await conn.execute(f"SET LOCAL lock_timeout = '{_SWAP_LOCK_TIMEOUT}'")
        return await schema.swap(conn, live=live, rebuilt=rebuilt, old=old)


async def _connect(stack: contextlib.AsyncExitStack, dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    stack.push_async_callback(conn.close)
    return conn


async def _create(conn: DbConnection, admin: DbConnection, *, live: str, rebuilt: str) -> None:
    await schema.create(conn, rebuilt, load_migrations([SHARED_MIGRATIONS, MIGRATIONS]))
    await schema.discard_publications(conn, rebuilt)
    have, want = await schema.versions(admin, live), await schema.versions(admin, rebuilt)
    # A database migrated before the files were squashed into one baseline also lists the
    # versions folded into it; the baseline keeps the newest of them, so compare what matters.
    if not want <= have or max(have) != max(want):
        raise RuntimeError(
            f"the live schema is at migrations {sorted(have)[-1:]}, this code at "
            f"{sorted(want)[-1:]}: deploy (and start) the service first, then rebuild"
        )


class _Run:
    """Where each group's read of each partition stands."""

    def __init__(
        self,
        reader: TopicReader,
        consumers: Sequence[ConsumerSpec[ReportingUnitOfWork]],
        result: RebuildResult,
        workers: _Workers,
    ) -> None:
        self._reader = reader
        self._settings = workers.settings
        self._consumers = list(consumers)
        self._workers = workers
        self._phases = phases(consumers)
        self._result = result
        self._skipped = SkippedMessages()
        # One per consumer group, as in the inbox table (two groups read members.member).
        self._inboxes = {s.group: RebuildInbox(s.group) for s in self._streams()}
        self._partitions: dict[tuple[str, str], list[TopicPartition]] = {}
        self._positions: dict[str, Offsets] = {}

    def _streams(self) -> list[Stream]:
        return [stream for phase in self._phases for stream in phase]

    def _tps(self, stream: Stream) -> list[TopicPartition]:
        return [tp for t in stream.topics for tp in self._partitions[(stream.group, t)]]

    async def prepare(self, progress: RebuildProgress) -> None:
        for stream in self._streams():
            for topic in stream.topics:
                found = await self._reader.partitions([self._settings.kafka_topic_prefix + topic])
                self._partitions[(stream.group, topic)] = found
            tps = self._tps(stream)
            positions = self._positions.setdefault(stream.group, {})
            positions.update(await self._reader.beginnings(tps))

    async def bulk(self, pool: asyncpg.Pool, batch_size: int, progress: RebuildProgress) -> None:
        """Up to the live groups' committed offsets, then catch-up rounds while they move."""
        for round_ in range(1 + _CATCH_UP_ROUNDS):
            targets = {group: await self._committed(group) for group in self._positions}
            left = sum(
                max(0, end - self._positions[group][tp])
                for group, offsets in targets.items()
                for tp, end in offsets.items()
            )
            if round_ > 0 and left <= _CATCH_UP_LEFT:
                return
            progress.grow(left)
            for name, phase in zip(("directory", "facts"), self._phases, strict=True):
                progress.phase(f"{name} (catch-up {round_})" if round_ else name)
                # The facts' first round is the bulk of the bulk: in worker processes.
                workers = self._workers.count if (name, round_) == ("facts", 0) else 1
                for stream in phase:
                    await self._advance(
                        pool, stream, targets[stream.group], batch_size, progress, workers
                    )

    async def save_inboxes(self, conn: DbConnection) -> None:
        for inbox in self._inboxes.values():
            await inbox.save(conn)

    async def _committed(self, group: str) -> Offsets:
        tps = [tp for s in self._streams() if s.group == group for tp in self._tps(s)]
        return await self._reader.committed(self._settings.kafka_group_id(group), tps)

    async def _advance(
        self,
        pool: asyncpg.Pool,
        stream: Stream,
        targets: Offsets,
        batch_size: int,
        progress: RebuildProgress,
        workers: int,
    ) -> None:
        """The stream up to `targets`, here or (`workers` > 1) dealt out to worker processes,
        after which this group's inbox learns what they applied (they saved it themselves)."""
        inbox = self._inboxes[stream.group]
        positions = self._positions[stream.group]
        mine = {tp: targets[tp] for tp in self._tps(stream)}
        if workers <= 1:
            consumer = self._consumer(stream, pool, Mode.REBUILD_BULK)
            await advance(
                self._reader,
                stream.spec,
                consumer,
                inbox,
                (positions, mine),
                batch_size,
                self._result,
                progress.advance,
            )
            return
        w = self._workers
        shares = [
            Share(
                w.settings,
                w.dsn,
                self._consumers.index(stream.spec),
                stream.group,
                share_positions,
                share_targets,
                batch_size,
            )
            for share_positions, share_targets in deal(positions, mine, workers)
        ]
        started = time.perf_counter()
        for done in await run_shares(shares, progress):
            self._result.events += done.events
            self._result.outcomes.update(done.outcomes)
            self._skipped.count += done.skipped
        # Wall time: the workers apply side by side.
        self._result.applying_seconds += time.perf_counter() - started
        positions.update(mine)
        async with pool.acquire() as conn:
            await inbox.adopt_saved(conn)

    def _consumer(
        self, stream: Stream, pool: asyncpg.Pool | PinnedPool, mode: Mode
    ) -> IdempotentConsumer:
        inbox = self._inboxes[stream.group]
        region = self._settings.deployment_region
        return consumer_for(stream.spec, pool, self._skipped, inbox, mode=mode, tenant_scope=region)

    async def last_records(
        self, conn: DbConnection, live: str, batch_size: int, progress: RebuildProgress
    ) -> None:
        """Under the rebuild lock: everything the live groups have applied and we have not.

        Here a record that fails is an error, not a skip: the live tables have it, so swapping
        without it would lose it. The transaction rolls back and nothing is swapped.
        """
        pinned = PinnedPool(conn)
        skipped_before = self._skipped.count
        for phase in self._phases:
            for stream in phase:
                committed = await self._committed(stream.group)
                tps = self._tps(stream)
                ends = await self._reader.ends(tps)
                positions = self._positions[stream.group]
                progress.grow(sum(ends[tp] - positions[tp] for tp in tps))
                consumer = self._consumer(stream, pinned, Mode.REBUILD)
                async for records in self._reader.read(positions, ends, batch_size=batch_size):
                    self._result.events += len(records)
                    progress.advance(len(records))
                    wanted = await _applied_by_live(conn, live, stream.group, records, committed)
                    if wanted:
                        outcomes = await apply(
                            consumer, stream.spec, self._inboxes[stream.group], wanted
                        )
                        self._result.outcomes.update(outcomes)
        await self.save_inboxes(conn)
        if self._skipped.count > skipped_before:
            raise RuntimeError("records the live consumers applied failed here (see the log)")
        self._result.skipped = self._skipped.count


async def _applied_by_live(
    conn: DbConnection, live: str, group: str, records: list[Record], committed: Offsets
) -> list[Record]:
    """Records below the group's committed offsets, and above them those in its live inbox."""
    above = {
        index: event_id(r)
        for index, r in enumerate(records)
        if r.offset >= committed[TopicPartition(r.topic, r.partition)]
    }
    ids = [i for i in above.values() if i is not None]
    done = await applied_live(conn, live_schema=live, group=group, ids=ids) if ids else set()
    return [r for index, r in enumerate(records) if index not in above or above[index] in done]
