"""The recipient read model: members by sector, region, committee and status (from events)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1, MemberUpdatedV1
from shared.regions import scope_prefix


class RecipientRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def upsert(self, event: MemberRegisteredV1 | MemberUpdatedV1) -> None:
        status = event.status if isinstance(event, MemberUpdatedV1) else "active"
        await self._conn.execute(
            """INSERT INTO recipient
                   (member_id, display_name, region_code, sector_code, known_since, status,
                    committee_code, special_committee_code)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (member_id) DO UPDATE
               SET display_name = EXCLUDED.display_name, region_code = EXCLUDED.region_code,
                   sector_code = EXCLUDED.sector_code, status = EXCLUDED.status,
                   committee_code = EXCLUDED.committee_code,
                   special_committee_code = EXCLUDED.special_committee_code""",
            event.member_id,
            event.full_name,
            event.region_code,
            event.sector_code,
            event.occurred_at,
            status,
            event.committee_code,
            event.special_committee_code,
        )

    async def retire(self, event: MemberRetiredV1) -> None:
        await self._conn.execute(
            "UPDATE recipient SET status = 'retired' WHERE member_id = $1", event.member_id
        )

    async def name_of(self, member_id: UUID) -> str | None:
        name: str | None = await self._conn.fetchval(
            "SELECT display_name FROM recipient WHERE member_id = $1", member_id
        )
        return name

    async def audience(
        self, sector_codes: tuple[str, ...], region_codes: tuple[str, ...]
    ) -> list[tuple[UUID, str]]:
        """(member_id, region_code) of active members of these sectors inside these scopes."""
        patterns = [scope_prefix(code) + "%" for code in region_codes]
        rows = await self._conn.fetch(
            """SELECT member_id, region_code FROM recipient
               WHERE status = 'active' AND sector_code = ANY($1::text[])
                 AND region_code LIKE ANY($2::text[])
               ORDER BY member_id""",
            list(sector_codes),
            patterns,
        )
        return [(r["member_id"], r["region_code"]) for r in rows]
