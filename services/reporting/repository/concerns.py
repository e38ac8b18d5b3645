"""One row per concern; round-bound facts keep the latest round, flags only move forward."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from services.reporting.events import ConcernEvent

_LATEST_REPLY = """
  first_replied_on = least(first_replied_on, $3),
  replied_on_time = CASE WHEN replied_round IS NULL OR $2 >= replied_round
                         THEN $4 ELSE replied_on_time END,
  replied_round = greatest(replied_round, $2)"""
_LATEST_RATING = """
  satisfaction = CASE WHEN rated_round IS NULL OR $2 >= rated_round
                      THEN $3 ELSE satisfaction END,
  rated_resolved = CASE WHEN rated_round IS NULL OR $2 >= rated_round
                        THEN $4 ELSE rated_resolved END,
  rated_round = greatest(rated_round, $2)"""
_FLAGS = {
    "accepted": "accepted = true",
    "rejected": "rejected = true",
    "merged": "merged = true",
    "reopened": "reopened = reopened + 1",
    "public_opinion_report": "to_public_opinion = true",
    "proposal": "to_proposal = true",
}


class ConcernRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def ensure(self, e: ConcernEvent) -> None:
        await self._conn.execute(
            """INSERT INTO concern (concern_id, member_id, region_code, sector_code)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
            e.concern_id,
            e.member_id,
            e.region_code,
            e.sector_code,
        )

    async def mark_submitted(self, concern_id: UUID, on: date, kind: str) -> None:
        await self._set(concern_id, "submitted_on = $2, kind = $3", on, kind)

    async def flag(self, concern_id: UUID, flag: str) -> None:
        await self._set(concern_id, _FLAGS[flag])

    async def mark_assigned(self, concern_id: UUID, round_: int) -> None:
        await self._set(concern_id, "assigned_round = greatest(assigned_round, $2)", round_)

    async def mark_replied(self, concern_id: UUID, round_: int, on: date, on_time: bool) -> None:
        await self._set(concern_id, _LATEST_REPLY, round_, on, on_time)

    async def mark_rated(
        self, concern_id: UUID, round_: int, satisfaction: int, resolved: bool
    ) -> None:
        await self._set(concern_id, _LATEST_RATING, round_, satisfaction, resolved)

    async def mark_closed(self, concern_id: UUID, resolved: bool) -> None:
        await self._set(concern_id, "closed = true, closed_resolved = $2", resolved)

    async def _set(self, concern_id: UUID, assignments: str, *args: object) -> None:
        # `assignments` is one of this module's constants, never input.
        await self._conn.execute(
            f"UPDATE concern SET {assignments} WHERE concern_id = $1", concern_id, *args
        )
