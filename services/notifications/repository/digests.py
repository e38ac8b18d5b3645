"""The daily digest: open one per (recipient, day), attach the items, claim with SKIP LOCKED."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from services.notifications.domain.digest import DigestLine


@dataclass(frozen=True)
class DueDigest:
    id: UUID
    recipient_key: str
    day: date
    attempts: int
    email: str | None
    lines: tuple[DigestLine, ...]


class DigestRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def open_day(self, day: date, now: datetime) -> int:
        """Opens today's digest for each subscriber with something to summarise, and attaches
        their low-priority items that had no e-mail of their own; the (recipient, day) key
        makes this safe to run in every replica at once. How many digests were opened."""
        opened: str = await self._conn.execute(
            """INSERT INTO digest (id, recipient_key, day, status, created_at, updated_at)
               SELECT gen_random_uuid(), p.recipient_key, $1, 'pending', $2, $2
               FROM preference p
               WHERE p.digest AND p.email IS NOT NULL AND 'email' = ANY (p.channels)
                 AND EXISTS (SELECT 1 FROM notification n
                             WHERE n.recipient_key = p.recipient_key AND n.priority = 'low'
                               AND n.digest_id IS NULL AND n.created_at <= $2)
               ON CONFLICT ON CONSTRAINT digest_recipient_day_key DO NOTHING""",
            day,
            now,
        )
        await self._conn.execute(
            """UPDATE notification n SET digest_id = d.id
               FROM digest d
               WHERE d.day = $1 AND d.status = 'pending' AND n.recipient_key = d.recipient_key
                 AND n.priority = 'low' AND n.digest_id IS NULL AND n.created_at <= $2
                 AND NOT EXISTS (SELECT 1 FROM delivery x
                                 WHERE x.notification_id = n.id AND x.channel = 'email')""",
            day,
            now,
        )
        await self._conn.execute(
            """UPDATE digest d SET items = (SELECT count(*) FROM notification n
                                            WHERE n.digest_id = d.id)
               WHERE d.day = $1 AND d.status = 'pending'""",
            day,
        )
        return int(opened.split()[-1])

    async def due(self, limit: int) -> list[DueDigest]:
        """Pending digests, locked until this transaction ends; other replicas skip them."""
        rows = await self._conn.fetch(
            """WITH due AS (
                   SELECT id FROM digest WHERE status = 'pending'
                   ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
               SELECT d.id, d.recipient_key, d.day, d.attempts, p.email,
                      coalesce(array_agg(n.kind ORDER BY n.created_at, n.id)
                               FILTER (WHERE n.id IS NOT NULL), '{}') AS kinds,
                      coalesce(array_agg(n.title ORDER BY n.created_at, n.id)
                               FILTER (WHERE n.id IS NOT NULL), '{}') AS titles,
                      coalesce(array_agg(n.created_at ORDER BY n.created_at, n.id)
                               FILTER (WHERE n.id IS NOT NULL), '{}') AS times
               FROM due JOIN digest d USING (id)
               LEFT JOIN preference p ON p.recipient_key = d.recipient_key
               LEFT JOIN notification n ON n.digest_id = d.id
               GROUP BY d.id, d.recipient_key, d.day, d.attempts, p.email
               ORDER BY d.day, d.recipient_key""",
            limit,
        )
        return [
            DueDigest(
                id=r["id"],
                recipient_key=r["recipient_key"],
                day=r["day"],
                attempts=r["attempts"],
                email=r["email"],
                lines=tuple(
                    DigestLine(k, t, c)
                    for k, t, c in zip(r["kinds"], r["titles"], r["times"], strict=True)
                ),
            )
            for r in rows
        ]

    async def finish(
        self, digest_id: UUID, *, status: str, attempts: int, at: datetime, error: str | None
    ) -> None:
        await self._conn.execute(
            """UPDATE digest SET status = $2, attempts = $3, updated_at = $4, last_error = $5
               WHERE id = $1""",
            digest_id,
            status,
            attempts,
            at,
            error,
        )
