"""Members SQL: declared occasions (八必访 1-4, 8) and the festival calendar they come from."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.members.domain.occasions import Festival, Occasion, OccasionKind
from shared.regions import scope_prefix

COLUMNS = (
    "id, kind, title, occurs_on, sector_codes, region_codes, declared_at, declared_by, festival_key"
)
_INSERT = f"INSERT INTO occasion ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
# An occasion concerns a caller when one of its regions lies inside the caller's area, or the
# caller's area lies inside one of its regions (a province-wide occasion concerns every city).
CONCERNS_SCOPE = """EXISTS (
    SELECT 1 FROM unnest(region_codes) AS r(code)
    WHERE r.code LIKE $1 || '%'
       OR $2 LIKE (CASE WHEN r.code LIKE '%0000' THEN left(r.code, 2)
                        WHEN r.code LIKE '%00' THEN left(r.code, 4)
                        ELSE r.code END) || '%')"""


class OccasionRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, o: Occasion) -> None:
        await self._conn.execute(_INSERT, *_values(o))

    async def add_festival(self, o: Occasion) -> bool:
        """False when this festival's year was declared already (by any replica, any time)."""
        inserted = await self._conn.fetchval(
            _INSERT + " ON CONFLICT (festival_key) DO NOTHING RETURNING true", *_values(o)
        )
        return bool(inserted)

    async def get_in_scope(self, occasion_id: UUID, scope: str) -> Occasion | None:
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM occasion WHERE id = $3 AND {CONCERNS_SCOPE}",
            scope_prefix(scope),
            scope,
            occasion_id,
        )
        return from_row(row) if row else None

    async def festival_calendar(self) -> list[Festival]:
        """Every festival of every active sector."""
        rows = await self._conn.fetch(
            """SELECT f.sector_code, f.name, f.month, f.day FROM sector_festival f
               JOIN sector s ON s.code = f.sector_code WHERE s.active"""
        )
        return [Festival(r["sector_code"], r["name"], r["month"], r["day"]) for r in rows]

    async def unknown_sectors(self, codes: Sequence[str]) -> list[str]:
        """Those of `codes` that are not active sectors."""
        rows = await self._conn.fetch(
            """SELECT c FROM unnest($1::text[]) AS c
               WHERE NOT EXISTS (SELECT 1 FROM sector s WHERE s.code = c AND s.active)
               ORDER BY c""",
            list(codes),
        )
        return [r["c"] for r in rows]

    async def unknown_regions(self, codes: Sequence[str]) -> list[str]:
        rows = await self._conn.fetch(
            """SELECT c FROM unnest($1::text[]) AS c
               WHERE NOT EXISTS (SELECT 1 FROM region r WHERE r.code = c) ORDER BY c""",
            list(codes),
        )
        return [r["c"] for r in rows]


def _values(o: Occasion) -> tuple[object, ...]:
    return (
        o.id,
        o.kind.value,
        o.title,
        o.occurs_on,
        list(o.sector_codes),
        list(o.region_codes),
        o.declared_at,
        o.declared_by,
        o.festival_key,
    )


def from_row(row: asyncpg.Record) -> Occasion:
    return Occasion(
        id=row["id"],
        kind=OccasionKind(row["kind"]),
        title=row["title"],
        occurs_on=row["occurs_on"],
        sector_codes=tuple(row["sector_codes"]),
        region_codes=tuple(row["region_codes"]),
        declared_at=row["declared_at"],
        declared_by=row["declared_by"],
        festival_key=row["festival_key"],
    )
