"""KPI and drill-down queries at province scale: p50/p95/p99 per query kind against a baseline.

    .venv/bin/python -m bench.kpi_queries                 # 10M contact records, 25k members
    .venv/bin/python -m bench.kpi_queries --scale 0.02    # a quick run
    .venv/bin/python -m bench.kpi_queries --pg-dsn-base postgresql://postgres@127.0.0.1:5432

Loading: the facts (members, liaisons, contact records, obligations, concerns, notifications)
are generated inside Postgres (generate_series, seeded random()) into staging tables, then
applied with the very statements the consumer's batch handlers run (`visits_statement`,
`liaison_contacts_statement`, `obligations_statement`, ... from services/reporting/repository,
fed from a staging table instead of unnest arrays) writing the fact rows, then the rollups are
counted once from them as a rebuild does (repository/recount.py, the same delta definitions),
so the projection and rollup rows are exactly what the event path would write. Only the Kafka
and per-event decoding is skipped.

Querying: a realistic mix of dashboard and drill-down requests (province -> city -> county ->
member, by sector, special committee, workstation, series by month and day, cut periods),
each run through the same code path as GET /v1/kpi/summary (views.kpi_counts, paging, labels,
rates), interleaved, with random regions, sectors and months. The baseline, measured in the
same run on the same pool: `SELECT 1` and a primary-key lookup of one member.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import asyncpg

from deploy.local.postgres import PostgresCluster
from services.reporting.api.kpi import kpi_row
from services.reporting.repository.concerns import ConcernChange, concerns_statement
from services.reporting.repository.directory import (
    DirectoryRepository,
    WorkstationState,
    liaisons_statement,
    profiles_statement,
)
from services.reporting.repository.notifications import reached_statement
from services.reporting.repository.obligations import obligations_statement
from services.reporting.repository.recount import recount_deferred_rollups
from services.reporting.repository.visits import liaison_contacts_statement, visits_statement
from services.reporting.views import kpi as views
from services.reporting.views import names as names_of
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_up
from shared.db.pool import create_pool

MIGRATIONS = Path(__file__).resolve().parents[1] / "services/reporting/migrations"
FULL = {"visits": 10_000_000, "members": 25_000}
CITIES, COUNTIES_PER_CITY, SECTORS, COMMITTEES, WORKSTATIONS_PER_COUNTY = 13, 10, 34, 9, 12
# Per member over the two years.
LIAISONS_PER_MEMBER, OBLIGATIONS_PER_MEMBER = 10, 20
CONCERNS_PER_MEMBER, NOTICES_PER_MEMBER = 12, 10
START, DAYS = date(2024, 1, 1), 731  # two years of history
CHUNK = 250_000
VISIT_DAYS_PER_CHUNK = 30
CONCERN_COLUMNS = tuple(ConcernChange.__dataclass_fields__)
FAST_PG = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # The rollups and their indexes stay in memory, as on a production database server.
    "shared_buffers": "2GB",
    "max_wal_size": "8GB",
}


@dataclass(frozen=True)
class Scale:
    members: int
    visits: int


def _county(n: str) -> str:
    """SQL: the county code of member number n (13 cities x 10 counties)."""
    return (
        f"'23' || lpad((1 + {n} % {CITIES})::text, 2, '0')"
        f" || lpad((1 + ({n} / {CITIES}) % {COUNTIES_PER_CITY})::text, 2, '0')"
    )


def _id(prefix: str, n: str) -> str:
    return f"md5('{prefix}' || ({n})::text)::uuid"


async def load(conn: asyncpg.Connection, scale: Scale, say: Callable[[str], None]) -> None:
    m = scale.members
    # Big chunks aggregate in memory rather than in temp files (the handlers' batches are small).
    await conn.execute("SET work_mem = '256MB'")
    await conn.execute("SELECT setseed(0.42)")
    await conn.execute(
        f"""CREATE UNLOGGED TABLE bench_member AS
            SELECT n, {_id("m", "n")} AS member_id, {_county("n")} AS region_code,
                   's' || lpad((1 + (n * 7) % {SECTORS})::text, 2, '0') AS sector_code,
                   'sc-' || (1 + n % {COMMITTEES}) AS special_committee_code,
                   (n / {CITIES * COUNTIES_PER_CITY}) % {WORKSTATIONS_PER_COUNTY} AS ws
            FROM generate_series(0, {m - 1}) AS n"""  # noqa: S608
    )
    await conn.execute(
        profiles_statement(
            """(SELECT member_id, region_code, timestamptz '2024-01-01', '委员' || n,
                       sector_code, 'cppcc-' || left(region_code, 4) || '00',
                       special_committee_code, 'active'::text, timestamptz '2024-01-01'
                FROM bench_member)
               AS u(member_id, region_code, profile_at, full_name, sector_code, committee_code,
                    special_committee_code, status, status_at)"""
        )
    )
    await _workstations(conn)
    say(f"{m:,} members and their workstations")
    await conn.execute(
        f"""CREATE UNLOGGED TABLE bench_liaison AS
            SELECT {_id("l", f"b.n * {LIAISONS_PER_MEMBER} + j")} AS liaison_id,
                   b.member_id, b.region_code, b.sector_code,
                   date '{START}' + (random() * 60)::int AS linked_on
            FROM bench_member b, generate_series(0, {LIAISONS_PER_MEMBER - 1}) AS j"""  # noqa: S608
    )
    await conn.execute(
        liaisons_statement(
            """(SELECT liaison_id, member_id, region_code, sector_code, linked_on,
                        CASE WHEN random() < 0.1 THEN linked_on + 100 + (random() * 500)::int
                        END AS unlinked_on
                 FROM bench_liaison) AS u""",
            rollups=False,
        )
    )
    say(f"{m * LIAISONS_PER_MEMBER:,} liaisons")
    await _visits(conn, scale, say)
    await _obligations(conn, m)
    say(f"{m * OBLIGATIONS_PER_MEMBER:,} obligations")
    await _concerns(conn, m)
    say(f"{m * CONCERNS_PER_MEMBER:,} concerns")
    await conn.execute(
        reached_statement(
            f"""(SELECT {_id("n", "i")}, b.member_id, b.region_code,
                        date '{START}' + (random() * {DAYS - 1})::int
                 FROM generate_series(0, {m * NOTICES_PER_MEMBER - 1}) AS i
                 JOIN bench_member b ON b.n = i % {m})
                AS u(notification_id, member_id, region_code, day)"""  # noqa: S608
        )
    )
    say(f"{m * NOTICES_PER_MEMBER:,} notifications reached")
    async with conn.transaction():
        await recount_deferred_rollups(conn)
    say("rollups counted from the fact tables (as a rebuild does)")
    for table in ("bench_member", "bench_liaison"):
        await conn.execute(f"DROP TABLE {table}")
    await conn.execute("VACUUM ANALYZE")


async def _workstations(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT region_code, ws, array_agg(member_id) AS members FROM bench_member GROUP BY 1, 2"
    )
    states = [
        WorkstationState(
            UUID(int=random.Random(f"{r['region_code']}-{r['ws']}").getrandbits(128)),
            r["region_code"],
            "workstation",
            f"委员工作站 {r['region_code']}-{r['ws']}",
            datetime(2024, 1, 1, tzinfo=UTC),
            False,
            tuple(r["members"]),
        )
        for r in rows
    ]
    await DirectoryRepository(conn).save_workstations(states)


async def _visits(conn: asyncpg.Connection, scale: Scale, say: Callable[[str], None]) -> None:
    """In time order, a month of contact records per batch, as a replay would bring them: ids
    are time-ordered (like the services' UUIDv7), each record names one or two liaisons."""
    m, started, done = scale.members, time.perf_counter(), 0
    per_day = scale.visits / DAYS
    for first_day in range(0, DAYS, VISIT_DAYS_PER_CHUNK):
        days = min(VISIT_DAYS_PER_CHUNK, DAYS - first_day)
        first, last = round(first_day * per_day), round((first_day + days) * per_day) - 1
        async with conn.transaction():
            await conn.execute(
                f"""CREATE TEMP TABLE bench_visit ON COMMIT DROP AS
                    SELECT (lpad(to_hex(i), 12, '0') || '7' || left(md5('v' || i), 19))::uuid
                             AS visit_id, b.member_id, b.region_code, b.sector_code,
                           (ARRAY['face_to_face', 'regular_work', 'online', 'service',
                                  'innovative'])[1 + (random() * 4)::int] AS channel,
                           'routine'::text AS occasion,
                           date '{START}' + (i / {per_day})::int AS occurred_on,
                           1 + (random() * 19)::int AS people_reached,
                           (random() * 5)::int AS heart_to_heart_talks, b.n,
                           (random() * {LIAISONS_PER_MEMBER - 1})::int AS l1,
                           CASE WHEN random() < 0.5
                                THEN (random() * {LIAISONS_PER_MEMBER - 1})::int END AS l2
                    FROM generate_series({first}, {last}) AS i
                    JOIN bench_member b ON b.n = (hashint4(i) & 2147483647) % {m}
                    ORDER BY i"""  # noqa: S608
            )
            await conn.execute(
                visits_statement(
                    """(SELECT visit_id, member_id, region_code, sector_code, channel, occasion,
                               occurred_on, people_reached, heart_to_heart_talks
                        FROM bench_visit) AS v""",
                    rollups=False,
                )
            )
            await conn.execute(
                liaison_contacts_statement(
                    f"""(SELECT DISTINCT {_id("l", f"n * {LIAISONS_PER_MEMBER} + x")} AS liaison_id,
                                occurred_on AS day
                         FROM bench_visit, LATERAL (VALUES (l1), (l2)) AS l(x)
                         WHERE x IS NOT NULL) AS u""",  # noqa: S608
                    rollups=False,
                )
            )
        done = last + 1
        rate = done / (time.perf_counter() - started)
        say(f"{done:,} / {scale.visits:,} contact records ({rate:,.0f}/s)")


async def _obligations(conn: asyncpg.Connection, m: int) -> None:
    total = m * OBLIGATIONS_PER_MEMBER
    for first in range(0, total, CHUNK):
        last = min(total, first + CHUNK) - 1
        await conn.execute(
            obligations_statement(
                f"""(SELECT {_id("o", "i")}, b.member_id, b.region_code, b.sector_code,
                            'policy_issued', due, true,
                            CASE WHEN r < 0.7 THEN due - 10 + (r * 20)::int END,
                            CASE WHEN r < 0.7 THEN due - 10 + (r * 20)::int <= due END,
                            r >= 0.7 AND due < date '2025-12-01',
                            CASE WHEN r >= 0.9 THEN 1 + (r * 10)::int % 2 ELSE 0 END,
                            random() < 0.03
                     FROM (SELECT i, random() AS r,
                                  date '{START}' + (random() * {DAYS - 1})::int AS due
                           FROM generate_series({first}, {last}) AS i) AS x
                     JOIN bench_member b ON b.n = x.i % {m})
                    AS u(obligation_id, member_id, region_code, sector_code, occasion_kind, due_on,
                         opened, fulfilled_on, fulfilled_on_time, overdue, escalation_level,
                         withdrawn)""",  # noqa: S608
                rollups=False,
            )
        )


async def _concerns(conn: asyncpg.Connection, m: int) -> None:
    total = m * CONCERNS_PER_MEMBER
    for first in range(0, total, CHUNK):
        last = min(total, first + CHUNK) - 1
        await conn.execute(
            concerns_statement(
                f"""(SELECT {_id("c", "i")}, b.member_id, b.region_code, b.sector_code, sub,
                            'micro_suggestion', r < 0.9, r >= 0.95, r >= 0.9 AND r < 0.95,
                            CASE WHEN r < 0.8 THEN 1 END,
                            CASE WHEN r < 0.7 THEN 1 END,
                            CASE WHEN r < 0.7 THEN sub + 3 + (r * 30)::int END,
                            CASE WHEN r < 0.7 THEN r < 0.6 END,
                            CASE WHEN r < 0.5 THEN 1 END,
                            CASE WHEN r < 0.5 THEN 1 + (r * 9)::int END,
                            CASE WHEN r < 0.5 THEN r < 0.4 END,
                            0, r < 0.45, CASE WHEN r < 0.45 THEN r < 0.4 END,
                            random() < 0.05, random() < 0.02
                     FROM (SELECT i, random() AS r,
                                  date '{START}' + (random() * {DAYS - 1})::int AS sub
                           FROM generate_series({first}, {last}) AS i) AS x
                     JOIN bench_member b ON b.n = x.i % {m})
                    AS u({", ".join(CONCERN_COLUMNS)})""",  # noqa: S608
                rollups=False,
            )
        )


# --- the query mix -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[random.Random], tuple[views.KpiFilter, views.GroupBy | None]]


def _city(rng: random.Random) -> str:
    return f"23{rng.randint(1, CITIES):02d}00"


def _county_code(rng: random.Random) -> str:
    return f"23{rng.randint(1, CITIES):02d}{rng.randint(1, COUNTIES_PER_CITY):02d}"


def _year(rng: random.Random) -> tuple[date, date]:
    y = rng.choice((2024, 2025))
    return date(y, 1, 1), date(y, 12, 31)


def _month(rng: random.Random) -> tuple[date, date]:
    y, mo = rng.choice((2024, 2025)), rng.randint(1, 12)
    end = (date(y + mo // 12, mo % 12 + 1, 1)) - timedelta(days=1)
    return date(y, mo, 1), end


def _cut(rng: random.Random) -> tuple[date, date]:
    lo = START + timedelta(days=rng.randint(0, 500))
    return lo, lo + timedelta(days=rng.randint(20, 200))


def _sector(rng: random.Random) -> str:
    return f"s{rng.randint(1, SECTORS):02d}"


def _prefix(code: str) -> str:
    return code.rstrip("0") if code.endswith("00") else code


def _f(region: str, period: tuple[date, date], **kw: Any) -> views.KpiFilter:
    return views.KpiFilter(_prefix(region), from_day=period[0], to_day=period[1], **kw)


KINDS: tuple[Kind, ...] = (
    Kind("province total, a year", lambda r: (_f("230000", _year(r)), None)),
    Kind("province by city, a year", lambda r: (_f("230000", _year(r)), "city")),
    Kind("province by sector, a month", lambda r: (_f("230000", _month(r)), "sector")),
    Kind(
        "province by month, one sector",
        lambda r: (
            views.KpiFilter(
                "23", sector_code=_sector(r), from_day=date(2024, 1, 1), to_day=date(2025, 12, 31)
            ),
            "month",
        ),
    ),
    Kind("province by special committee", lambda r: (_f("230000", _year(r)), "special_committee")),
    Kind("city by county, a year", lambda r: (_f(_city(r), _year(r)), "county")),
    Kind(
        "city by month, two years",
        lambda r: (
            views.KpiFilter(
                _prefix(_city(r)), from_day=date(2024, 1, 1), to_day=date(2025, 12, 31)
            ),
            "month",
        ),
    ),
    Kind("city by county, cut period", lambda r: (_f(_city(r), _cut(r)), "county")),
    Kind("city by workstation, a year", lambda r: (_f(_city(r), _year(r)), "workstation")),
    Kind("county by member, a year", lambda r: (_f(_county_code(r), _year(r)), "member")),
    Kind("county by day, a month", lambda r: (_f(_county_code(r), _month(r)), "day")),
    Kind(
        "county by sector, cut period",
        lambda r: (_f(_county_code(r), _cut(r), sector_code=_sector(r)), "sector"),
    ),
)


async def summary(conn: asyncpg.Connection, flt: views.KpiFilter, group_by: Any) -> int:
    """What GET /v1/kpi/summary does after auth: counts, the first page, labels, rates."""
    counts = await views.kpi_counts(conn, flt, group_by)
    keys = sorted(counts)[:51]
    if group_by == "member":
        names = await names_of.member_names(conn, [UUID(k) for k in keys[:50]])
    elif group_by == "workstation":
        names = await names_of.workstation_names(conn, keys[:50])
    else:
        names = {}
    rows = [kpi_row(k, counts[k], names.get(k), group_by) for k in keys[:50]]
    return len(rows)


async def measure(pool: asyncpg.Pool, iterations: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    member = await pool.fetchval("SELECT member_id FROM member_dim LIMIT 1")
    baseline: dict[str, Callable[[asyncpg.Connection], Awaitable[object]]] = {
        "baseline: SELECT 1": lambda c: c.fetchval("SELECT 1"),
        "baseline: member by primary key": lambda c: c.fetchrow(
            "SELECT * FROM member_dim WHERE member_id = $1", member
        ),
    }
    names = [*baseline, *(k.name for k in KINDS)]
    timings: dict[str, list[float]] = {name: [] for name in names}
    async with pool.acquire() as proxy:
        conn = cast(asyncpg.Connection, proxy)
        for kind in KINDS:  # warm-up: plans and caches, not timed
            await summary(conn, *kind.make(rng))
        for _ in range(iterations):
            for name, call in baseline.items():
                started = time.perf_counter()
                await call(conn)
                timings[name].append(time.perf_counter() - started)
            for kind in KINDS:
                flt, group_by = kind.make(rng)
                started = time.perf_counter()
                await summary(conn, flt, group_by)
                timings[kind.name].append(time.perf_counter() - started)
    return timings


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(timings: dict[str, list[float]]) -> None:
    base = statistics.median(timings["baseline: SELECT 1"]) * 1000
    print(f"\n{'query kind':<38} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/SELECT 1':>13}")
    for name, values in timings.items():
        p95 = _pct(values, 95)
        print(
            f"{name:<38} {_pct(values, 50):8.1f} {p95:8.1f} {_pct(values, 99):8.1f}"
            f" {p95 / base:12.0f}x"
        )
    queries = [v for k, vs in timings.items() if not k.startswith("baseline") for v in vs]
    print(
        f"{'all KPI queries':<38} {_pct(queries, 50):8.1f} {_pct(queries, 95):8.1f} "
        f"{_pct(queries, 99):8.1f}"
    )


@contextlib.asynccontextmanager
async def postgres(dsn_base: str | None, state_dir: Path | None) -> AsyncIterator[str]:
    if dsn_base:
        yield dsn_base
        return
    with tempfile.TemporaryDirectory(prefix="bench-kpi-") as tmp:
        cluster = PostgresCluster(state_dir or Path(tmp), extra_settings=FAST_PG)
        await asyncio.to_thread(cluster.start)
        try:
            yield cluster.dsn("").rstrip("/")
        finally:
            await asyncio.to_thread(cluster.stop)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 10M contacts, 25k members")
    parser.add_argument("--members", type=int, help="override the scaled member count")
    parser.add_argument("--visits", type=int, help="override the scaled contact record count")
    parser.add_argument("--iterations", type=int, default=40, help="timed runs per query kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-dsn-base", help="use a running Postgres (creates a database)")
    parser.add_argument("--state-dir", type=Path, help="keep the bench Postgres's files here")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--database", help="measure a database loaded by an earlier --keep run (no loading)"
    )
    args = parser.parse_args()
    scale = Scale(
        args.members or max(100, round(FULL["members"] * args.scale)),
        args.visits or round(FULL["visits"] * args.scale),
    )
    started = time.perf_counter()

    def say(what: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {what}", flush=True)

    async with postgres(args.pg_dsn_base, args.state_dir) as dsn_base:
        name = args.database or "benchkpi_" + secrets.token_hex(4)
        admin = await asyncpg.connect(f"{dsn_base}/postgres")
        if not args.database:
            await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            # Loading runs statements longer than the services' 30 s command timeout.
            conn = await asyncpg.connect(f"{dsn_base}/{name}")
            try:
                if not args.database:
                    await migrate_up(conn, load_migrations([SHARED_MIGRATIONS, MIGRATIONS]))
                    say(f"loading {scale.visits:,} contact records for {scale.members:,} members")
                    await load(conn, scale, say)
                sizes = await conn.fetch(
                    """SELECT relname, n_live_tup FROM pg_stat_user_tables
                       WHERE n_live_tup > 0 ORDER BY n_live_tup DESC"""
                )
                say("rows: " + ", ".join(f"{r['relname']} {r['n_live_tup']:,}" for r in sizes))
            finally:
                await conn.close()
            pool = await create_pool(f"{dsn_base}/{name}", min_size=1, max_size=2)
            try:
                timings = await measure(pool, args.iterations, args.seed)
            finally:
                await pool.close()
        finally:
            if not (args.keep or args.database):
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    say(f"{args.iterations} runs of each kind, interleaved")
    report(timings)


if __name__ == "__main__":
    asyncio.run(main())
