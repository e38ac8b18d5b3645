"""Notifications SQL: the obligations still owed, for reminders before their due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from shared.contracts import visits as v


@dataclass(frozen=True)
class WatchedObligation:
    obligation_id: UUID
    member_id: UUID
    region_code: str
    occasion_kind: str
    due_on: date


class ObligationWatchRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def watch(self, e: v.ObligationOpenedV1) -> None:
        await self._conn.execute(
            """INSERT INTO obligation_watch
                   (obligation_id, member_id, region_code, occasion_kind, due_on)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
            e.obligation_id,
            e.member_id,
            e.region_code,
            e.occasion_kind,
            e.due_on,
        )

    async def settle(self, obligation_id: UUID) -> None:
        """Fulfilled or withdrawn: nothing to remind of. (Arriving before `watch` is harmless:
        the row is then created owed and stays so until the sweep finds its date passed.)"""
        await self._conn.execute(
            "UPDATE obligation_watch SET owed = false WHERE obligation_id = $1", obligation_id
        )

    async def due_for_reminder(
        self, *, today: date, days_before: int, limit: int
    ) -> list[WatchedObligation]:
        """Owed, not yet reminded, due within `days_before` days and not past; row-locked."""
        rows = await self._conn.fetch(
            """SELECT obligation_id, member_id, region_code, occasion_kind, due_on
               FROM obligation_watch
               WHERE owed AND reminded_at IS NULL AND due_on >= $1 AND due_on - $2::int <= $1
               ORDER BY due_on LIMIT $3 FOR UPDATE SKIP LOCKED""",
            today,
            days_before,
            limit,
        )
        return [WatchedObligation(**dict(r)) for r in rows]

    async def mark_reminded(self, ids: list[UUID], at: datetime) -> None:
        await self._conn.execute(
            "UPDATE obligation_watch SET reminded_at = $2 WHERE obligation_id = ANY($1::uuid[])",
            ids,
            at,
        )
