"""Visits SQL, write side: assignments waiting for, sent to or failed at the disposal platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.db.pool import DbConnection

COLUMNS = """id, concern_id, round, region_code, department_code, status, attempts,
    next_attempt_at, last_error, created_at, sent_at"""


@dataclass(frozen=True)
class Dispatch:
    id: UUID
    concern_id: UUID
    round: int
    region_code: str
    department_code: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class DueDispatch:
    id: UUID
    concern_id: UUID
    round: int
    payload: str
    attempts: int


class DispatchRepository:
    def __init__(self, conn: DbConnection) -> None:
        self._conn = conn

    async def add(
        self,
        *,
        dispatch_id: UUID,
        concern_id: UUID,
        round_: int,
        region_code: str,
        department_code: str,
        payload: str,
    ) -> None:
        await self._conn.execute(
            """INSERT INTO concern_dispatch (id, concern_id, round, region_code, department_code,
                   payload)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            dispatch_id,
            concern_id,
            round_,
            region_code,
            department_code,
            payload,
        )

    async def lock_due(self, limit: int) -> list[DueDispatch]:
        """Due rows no other replica holds; they stay locked until this transaction ends."""
        rows = await self._conn.fetch(
            """SELECT id, concern_id, round, payload, attempts FROM concern_dispatch
               WHERE status = 'pending' AND next_attempt_at <= now()
               ORDER BY next_attempt_at, id LIMIT $1
               FOR UPDATE SKIP LOCKED""",
            limit,
        )
        return [DueDispatch(**dict(r)) for r in rows]

    async def mark_sent(self, dispatch_id: UUID) -> None:
        await self._conn.execute(
            """UPDATE concern_dispatch
               SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
               WHERE id = $1""",
            dispatch_id,
        )

    async def mark_failed(self, dispatch_id: UUID, *, error: str, retry_in: float | None) -> None:
        """One more failed attempt: try again in `retry_in` seconds, or (None) give up."""
        await self._conn.execute(
            """UPDATE concern_dispatch
               SET attempts = attempts + 1, last_error = $2,
                   status = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE 'pending' END,
                   next_attempt_at = now() + make_interval(secs => coalesce($3::float8, 0))
               WHERE id = $1""",
            dispatch_id,
            error[:500],
            retry_in,
        )

    async def lock(self, dispatch_id: UUID) -> Dispatch | None:
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM concern_dispatch WHERE id = $1 FOR UPDATE", dispatch_id
        )
        return Dispatch(**dict(row)) if row else None

    async def replay(self, dispatch_id: UUID) -> Dispatch:
        """Back in the queue, due now, with a fresh allowance of attempts."""
        row = await self._conn.fetchrow(
            f"""UPDATE concern_dispatch
                SET status = 'pending', attempts = 0, next_attempt_at = now()
                WHERE id = $1 RETURNING {COLUMNS}""",
            dispatch_id,
        )
        assert row is not None
        return Dispatch(**dict(row))
