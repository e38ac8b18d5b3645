"""Read-side SQL for the member counts (the first slice)."""

from __future__ import annotations

from typing import Literal

from shared.db.pool import DbConnection
from shared.regions import scope_prefix

GroupBy = Literal["sector", "region", "region_sector"]

_GROUP_COLUMNS: dict[GroupBy, str] = {
    "sector": "sector_code",
    "region": "region_code",
    "region_sector": "region_code, sector_code",
}


async def member_counts(
    conn: DbConnection, *, scope: str, sector_code: str | None, group_by: GroupBy
) -> list[dict[str, object]]:
    # group_by is a Literal checked by the API and mapped here, never interpolated from input.
    columns = _GROUP_COLUMNS[group_by]
    rows = await conn.fetch(
        f"""SELECT {columns}, sum(members)::int AS members
            FROM member_count
            WHERE region_code LIKE $1 || '%' AND ($2::text IS NULL OR sector_code = $2)
            GROUP BY {columns} ORDER BY {columns}""",
        scope_prefix(scope),
        sector_code,
    )
    return [dict(r) for r in rows]
