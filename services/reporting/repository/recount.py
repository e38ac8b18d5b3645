"""Counting the rollups from the fact tables at once: what a rebuild does after its bulk.

The bulk writes facts only (`ReportingUnitOfWork.defers_rollups`); each family's recount then
adds every row's contribution to member_kpi with the same delta definitions its writer uses
per batch, and region_kpi is summed anew from member_kpi. The notifications family is not
here: its rows do not keep the region, day and sector they were counted under, so it is always
counted as it comes, also in a rebuild.
"""

from __future__ import annotations

import asyncio

import asyncpg

from services.reporting.repository.concerns import RECOUNT_CONCERNS
from services.reporting.repository.directory import RECOUNT_LIAISONS
from services.reporting.repository.obligations import RECOUNT_OBLIGATIONS
from services.reporting.repository.rollup import REGION_RECOUNT, member_recount
from services.reporting.repository.visits import DAYS_REACHED, RECOUNT_VISITS
from shared.db.pool import DbConnection

FAMILIES = (RECOUNT_VISITS, RECOUNT_LIAISONS, RECOUNT_OBLIGATIONS, RECOUNT_CONCERNS)
# Each liaison's contact_days, which the bulk's facts-only contact writer left empty.
RECOUNT_CONTACT_DAYS = f"""
UPDATE liaison l SET contact_days = c.days
FROM (SELECT liaison_id, {DAYS_REACHED} AS days
      FROM liaison_period_contact WHERE grain = 'd' GROUP BY 1) AS c
WHERE c.liaison_id = l.liaison_id"""
# Each recount groups every fact row by member and period at once: in memory, not on disk.
_WORK_MEM = "512MB"


async def recount_deferred_rollups(conn: DbConnection) -> None:
    """Inside the caller's transaction, on rollups that hold no deferred family's rows yet."""
    await conn.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
    for statement in (member_recount(FAMILIES), RECOUNT_CONTACT_DAYS, *REGION_RECOUNT):
        await conn.execute(statement)


async def recount_in_parallel(pool: asyncpg.Pool, shards: int) -> None:
    """The same on `shards` connections at once, members split by id, each shard in its own
    transaction (a rebuild's private schema: a failure drops it whole); region_kpi after."""

    async def run(*statements: str) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
            for statement in statements:
                await conn.execute(statement)

    members = [member_recount(FAMILIES, shard=k, shards=shards) for k in range(shards)]
    await asyncio.gather(run(members[0], RECOUNT_CONTACT_DAYS), *(run(m) for m in members[1:]))
    await run(*REGION_RECOUNT)
