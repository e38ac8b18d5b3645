"""One row per must-visit obligation (八必访); every fact only moves it forward."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from services.reporting.events import ObligationEvent


class ObligationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def ensure(self, e: ObligationEvent) -> None:
        """Every obligation event carries the row's identity, so any of them may come first."""
        await self._conn.execute(
            """INSERT INTO obligation (obligation_id, member_id, region_code, sector_code,
                   occasion_kind, due_on)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
            e.obligation_id,
            e.member_id,
            e.region_code,
            e.sector_code,
            e.occasion_kind,
            e.due_on,
        )

    async def mark_opened(self, obligation_id: UUID) -> None:
        await self._set(obligation_id, "opened = true")

    async def mark_fulfilled(self, obligation_id: UUID, on: date, on_time: bool) -> None:
        await self._set(
            obligation_id,
            "fulfilled_on = least(fulfilled_on, $2), "
            "fulfilled_on_time = CASE WHEN fulfilled_on IS NULL OR $2 <= fulfilled_on "
            "THEN $3 ELSE fulfilled_on_time END",
            on,
            on_time,
        )

    async def mark_overdue(self, obligation_id: UUID) -> None:
        await self._set(obligation_id, "overdue = true")

    async def mark_escalated(self, obligation_id: UUID, level: int) -> None:
        await self._set(obligation_id, "escalation_level = greatest(escalation_level, $2)", level)

    async def mark_withdrawn(self, obligation_id: UUID) -> None:
        await self._set(obligation_id, "withdrawn = true")

    async def _set(self, obligation_id: UUID, assignments: str, *args: object) -> None:
        # `assignments` is one of this module's constants, never input.
        await self._conn.execute(
            f"UPDATE obligation SET {assignments} WHERE obligation_id = $1",
            obligation_id,
            *args,
        )
