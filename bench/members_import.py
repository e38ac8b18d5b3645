"""`python -m bench.members_import`: city onboarding at province scale against a plain COPY.

Prints a table and `RATIO import/COPY` per file; writes nothing into the repo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import asyncpg

from bench.namespace import fresh_namespace
from deploy.local.stack import running_stack
from services.members.domain.members import LiaisonQuota
from services.members.handlers import imports as handlers
from services.members.importing.base import CHUNK_ROWS, SOURCE, chunks
from services.members.importing.files import write_csv
from services.members.importing.kinds import COLUMNS, ImportKind
from services.members.importing.synthetic import City
from services.members.main import MIGRATIONS
from services.members.pii import PiiCipher
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from services.members.views import imports as views
from shared.auth import Principal, Role
from shared.contracts.members import LiaisonLinkedV1
from shared.contracts.topics import MEMBERS_LIAISON, MEMBERS_MEMBER
from shared.db.outbox import append_to_outbox
from shared.kernel import SystemClock, new_id
from shared.logging import configure_logging
from shared.runtime import running
from tests.support.wait import eventually

FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
CITY_ADMIN = Principal("bench-registrar", Role.CITY_ADMIN, "230300")


@dataclass(frozen=True)
class Timed:
    label: str
    rows: int
    upload_s: float  # read the file, check headers, create the job (inside the request)
    validate_s: float  # parse and check every row, references, diff (background)
    apply_s: float  # stage, insert/update, outbox, audit, commit (background)
    copy_s: float | None  # the baseline: COPY of the same file into a bare text table

    @property
    def total_s(self) -> float:
        return self.upload_s + self.validate_s + self.apply_s


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    configure_logging(service="bench", level="WARNING", json=False)
    with _stack(args) as (bootstrap, dsn_base):
        results, outbox = asyncio.run(_measure(bootstrap, dsn_base, args))
    print(render(results, outbox, args))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=25_000)
    parser.add_argument("--liaisons-per-member", type=int, default=10)
    parser.add_argument("--state-dir", type=Path, help="stack state (default: a temp dir)")
    parser.add_argument("--bootstrap", help="use this Kafka instead of starting a stack")
    parser.add_argument("--pg-dsn-base", help="e.g. postgresql://postgres@127.0.0.1:55432")
    parser.add_argument("--fast-postgres", action="store_true", help="fsync off, as in tests")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    if bool(args.bootstrap) != bool(args.pg_dsn_base):
        parser.error("--bootstrap and --pg-dsn-base go together")
    if args.members < 1 or not 0 <= args.liaisons_per_member <= 15:
        parser.error("--members ≥ 1 and 0 ≤ --liaisons-per-member ≤ 15 (the quota)")
    return args


@contextlib.contextmanager
def _stack(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if args.bootstrap:
        yield args.bootstrap, args.pg_dsn_base.rstrip("/")
        return
    settings = FAST_POSTGRES if args.fast_postgres else None
    with contextlib.ExitStack() as stack:
        state_dir = args.state_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        info = stack.enter_context(
            running_stack(state_dir, databases=(), postgres_settings=settings)
        )
        if args.state_dir is None:  # as root the cluster lives outside the temp dir
            stack.callback(shutil.rmtree, info.postgres.base_dir, ignore_errors=True)
        yield info.kafka_bootstrap, info.postgres_dsn_base


async def _measure(
    bootstrap: str, dsn_base: str, args: argparse.Namespace
) -> tuple[list[Timed], tuple[int, float]]:
    city = City(members=args.members, liaisons_per_member=args.liaisons_per_member)
    files = {kind: write_csv(kind, city.rows(kind)) for kind in ImportKind}
    async with (
        asyncio.timeout(args.timeout),
        fresh_namespace(
            bootstrap,
            dsn_base,
            services=("members",),
            topics=(MEMBERS_MEMBER, MEMBERS_LIAISON),
            timeout=args.timeout,
        ) as ns,
    ):
        settings = MembersSettings(
            database_url=ns.database_urls["members"],
            kafka_bootstrap_servers=bootstrap,
            kafka_topic_prefix=ns.topic_prefix,
        )
        async with running(settings, migrations_dir=MIGRATIONS, run_relay=False) as rt:
            s = handlers.ImportServices(
                uow=lambda p: MembersUnitOfWork(rt.pool, scope=p.region_code if p else None),
                clock=SystemClock(),
                cipher=PiiCipher(os.urandom(32)),
                quota=LiaisonQuota(8, 10, 15),
                max_bytes=1 << 31,
            )
            dsn = ns.database_urls["members"]
            committees = files[ImportKind.COMMITTEES]
            await _import(rt.pool, dsn, s, ImportKind.COMMITTEES, committees, "committees")
            results = [
                await _import(rt.pool, dsn, s, kind, files[kind], f"{kind.value} (new)", copy=True)
                for kind in (ImportKind.MEMBERS, ImportKind.UNITS, ImportKind.LIAISONS)
            ]
            results += [
                await _import(rt.pool, dsn, s, kind, files[kind], f"{kind.value} (again)")
                for kind in (ImportKind.MEMBERS, ImportKind.LIAISONS)
            ]
            outbox = await _outbox_alone(rt.pool, args.members * args.liaisons_per_member)
    return results, outbox


async def _import(
    pool: asyncpg.Pool,
    dsn: str,
    s: handlers.ImportServices,
    kind: ImportKind,
    content: bytes,
    label: str,
    *,
    copy: bool = False,
) -> Timed:
    started = time.perf_counter()
    job, table = await handlers.accept_upload(
        handlers.UploadImport(kind, f"{kind.value}.csv", content), principal=CITY_ADMIN, s=s
    )
    accepted = time.perf_counter()
    watcher = asyncio.create_task(_first_seen_applying(pool, job.id))
    await handlers.run_import(handlers.RunImport(job, table), principal=CITY_ADMIN, s=s)
    finished = time.perf_counter()
    applying = watcher.result() if watcher.done() else finished
    watcher.cancel()
    job = await views.get_import(job.id, principal=CITY_ADMIN, uow=s.uow(CITY_ADMIN))
    if job.status.value != "done":
        raise SystemExit(f"{label}: {job.status.value} {job.detail} {job.errors[:5]}")
    copy_s = await _plain_copy(dsn, kind, content) if copy else None
    return Timed(
        label,
        job.total_rows,
        accepted - started,
        applying - accepted,
        finished - applying,
        copy_s,
    )


async def _first_seen_applying(pool: asyncpg.Pool, job_id: UUID) -> float:
    async with pool.acquire() as conn:
        await eventually(
            lambda: conn.fetchval("SELECT status FROM import_job WHERE id=$1", job_id),
            lambda status: status in ("applying", "done", "failed"),
            timeout=3600,
            interval=0.02,
        )
    return time.perf_counter()


async def _plain_copy(dsn: str, kind: ImportKind, content: bytes) -> float:
    """The same file, COPY'd as it is into a table of text columns with no index or check."""
    table = f"bench_plain_{kind.value}"
    columns = ", ".join(f"{c.key} text" for c in COLUMNS[kind])
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE TABLE {table} ({columns})")
        started = time.perf_counter()
        await conn.copy_to_table(table, source=io.BytesIO(content), format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _outbox_alone(pool: asyncpg.Pool, count: int) -> tuple[int, float]:
    """append_to_outbox alone (shared code), in the import's chunks, rolled back after."""
    at = datetime.now(UTC)
    events = [
        LiaisonLinkedV1(
            occurred_at=at,
            region_code="230302",
            liaison_id=new_id(),
            member_id=new_id(),
            display_name="张*",
            sector_code="education",
            consent_to_departments=False,
        )
        for _ in range(count)
    ]
    async with MembersUnitOfWork(pool, scope=None) as uow:  # never committed: rolled back
        started = time.perf_counter()
        for part in chunks(events, CHUNK_ROWS):
            await append_to_outbox(uow.connection, list(part), source=SOURCE)
        elapsed = time.perf_counter() - started
    return count, elapsed


def render(results: list[Timed], outbox: tuple[int, float], args: argparse.Namespace) -> str:
    postgres = "given" if args.bootstrap else "fsync off" if args.fast_postgres else "durable"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = f"{'file':<30}{'rows':>9}{'upload':>8}{'check':>8}{'apply':>8}{'total':>8}{'rows/s':>10}"
    lines = [
        f"{args.members:,} members x {args.liaisons_per_member} liaisons, Postgres {postgres}, "
        f"through handlers.accept_upload + run_import (CSV, city-admin scope)",
        head + f"{'COPY s':>8}{'COPY rows/s':>13}",
    ]
    for r in results:
        line = (
            f"{r.label:<30}{r.rows:>9,}{r.upload_s:>8.2f}{r.validate_s:>8.2f}{r.apply_s:>8.2f}"
            f"{r.total_s:>8.2f}{r.rows / r.total_s:>10,.0f}"
        )
        if r.copy_s is not None:
            line += f"{r.copy_s:>8.2f}{r.rows / r.copy_s:>13,.0f}"
        lines.append(line)
    count, seconds = outbox
    lines.append(
        f"outbox alone: {count:,} events via append_to_outbox in {CHUNK_ROWS}-event chunks: "
        f"{seconds:.2f}s ({count / seconds:,.0f} events/s)"
    )
    lines.append(f"peak RSS of this process (generator and files included): {peak_mb:,.0f} MB")
    lines += [
        f"RATIO import/COPY {r.label.split()[0]}: {r.copy_s / r.total_s:.3f}"
        for r in results
        if r.copy_s is not None
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
