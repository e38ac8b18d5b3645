"""Delivery rows worked by every replica's loop: claim with SKIP LOCKED, lease, finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.notifications.domain.delivery import Preference
from services.notifications.repository.preferences import preference_from_row


@dataclass(frozen=True)
class DueDelivery:
    id: UUID
    channel: str
    attempts: int
    notification_id: UUID
    source_event_id: UUID
    recipient_key: str
    member_id: UUID | None
    region_code: str
    kind: str
    priority: str
    title: str
    body: str
    preference: Preference | None


class DeliveryRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def due(self, channel: str, now: datetime, limit: int) -> list[DueDelivery]:
        """Pending rows whose time has come, locked for this transaction; others skip them."""
        rows = await self._conn.fetch(
            """WITH due AS (
                   SELECT id FROM delivery
                   WHERE status = 'pending' AND channel = $1 AND next_attempt_at <= $2
                   ORDER BY next_attempt_at LIMIT $3
                   FOR UPDATE SKIP LOCKED)
               SELECT d.id, d.channel, d.attempts, n.id AS notification_id, n.source_event_id,
                      n.recipient_key, n.member_id, n.region_code, n.kind, n.priority, n.title,
                      n.body, p.recipient_key AS has_preference, p.channels, p.email, p.phone,
                      p.wechat_openid, p.quiet_start, p.quiet_end, p.timezone, p.digest
               FROM due JOIN delivery d USING (id)
               JOIN notification n ON n.id = d.notification_id
               LEFT JOIN preference p ON p.recipient_key = n.recipient_key
               ORDER BY d.next_attempt_at""",
            channel,
            now,
            limit,
        )
        return [
            DueDelivery(
                id=r["id"],
                channel=r["channel"],
                attempts=r["attempts"],
                notification_id=r["notification_id"],
                source_event_id=r["source_event_id"],
                recipient_key=r["recipient_key"],
                member_id=r["member_id"],
                region_code=r["region_code"],
                kind=r["kind"],
                priority=r["priority"],
                title=r["title"],
                body=r["body"],
                preference=preference_from_row(r) if r["has_preference"] else None,
            )
            for r in rows
        ]

    async def hold(self, delivery_id: UUID, until: datetime) -> None:
        await self._conn.execute(
            "UPDATE delivery SET next_attempt_at = $2 WHERE id = $1", delivery_id, until
        )

    async def lease(self, delivery_id: UUID, until: datetime, at: datetime) -> None:
        """Counts the attempt now: a replica that dies mid-send leaves it to retry after `until`."""
        await self._conn.execute(
            """UPDATE delivery SET attempts = attempts + 1, next_attempt_at = $2, updated_at = $3
               WHERE id = $1""",
            delivery_id,
            until,
            at,
        )

    async def finish(
        self,
        delivery_id: UUID,
        *,
        attempts: int,
        status: str,
        at: datetime,
        next_attempt_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        """Only if still ours (same attempt, still pending): False if a lease ran out meanwhile."""
        done = await self._conn.fetchval(
            """UPDATE delivery SET status = $3, updated_at = $4,
                      next_attempt_at = coalesce($5, next_attempt_at), last_error = $6
               WHERE id = $1 AND attempts = $2 AND status = 'pending' RETURNING id""",
            delivery_id,
            attempts,
            status,
            at,
            next_attempt_at,
            error,
        )
        return done is not None

    async def retry(self, delivery_id: UUID, region_pattern: str, at: datetime) -> bool:
        """A failed delivery goes round again from the start; False if none such in scope."""
        found = await self._conn.fetchval(
            """UPDATE delivery d SET status = 'pending', attempts = 0, next_attempt_at = $3,
                      updated_at = $3, last_error = NULL
               FROM notification n
               WHERE d.id = $1 AND n.id = d.notification_id AND n.region_code LIKE $2
                 AND d.status = 'failed'
               RETURNING d.id""",
            delivery_id,
            region_pattern,
            at,
        )
        return found is not None

    async def cancel_pending(self, recipient_key: str, at: datetime) -> int:
        status: str = await self._conn.execute(
            """UPDATE delivery d SET status = 'cancelled', updated_at = $2
               FROM notification n
               WHERE n.id = d.notification_id AND n.recipient_key = $1 AND d.status = 'pending'""",
            recipient_key,
            at,
        )
        return int(status.split()[-1])
