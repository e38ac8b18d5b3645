"""Notifications (the inbox items) and their per-channel delivery rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class NewNotification:
    id: UUID
    source_event_id: UUID
    recipient_key: str
    member_id: UUID | None
    region_code: str
    kind: str
    priority: str
    title: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class NewDelivery:
    id: UUID
    notification_id: UUID
    channel: str
    status: str
    next_attempt_at: datetime


class NotificationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_many(self, items: list[NewNotification]) -> set[UUID]:
        """Insert; the ids actually created (one per event and recipient, whatever the retries)."""
        if not items:
            return set()
        rows = await self._conn.fetch(
            """INSERT INTO notification (id, source_event_id, recipient_key, member_id,
                   region_code, kind, priority, title, body, created_at)
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[],
                                    $6::text[], $7::text[], $8::text[], $9::text[],
                                    $10::timestamptz[])
               ON CONFLICT ON CONSTRAINT notification_event_recipient_key DO NOTHING
               RETURNING id""",
            [i.id for i in items],
            [i.source_event_id for i in items],
            [i.recipient_key for i in items],
            [i.member_id for i in items],
            [i.region_code for i in items],
            [i.kind for i in items],
            [i.priority for i in items],
            [i.title for i in items],
            [i.body for i in items],
            [i.created_at for i in items],
        )
        return {r["id"] for r in rows}

    async def add_deliveries(self, items: list[NewDelivery], at: datetime) -> None:
        if not items:
            return
        await self._conn.execute(
            """INSERT INTO delivery (id, notification_id, channel, status, attempts,
                   next_attempt_at, created_at, updated_at)
               SELECT u.id, u.nid, u.channel, u.status,
                      CASE WHEN u.status = 'sent' THEN 1 ELSE 0 END, u.next_at, $6, $6
               FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
                    AS u(id, nid, channel, status, next_at)
               ON CONFLICT ON CONSTRAINT delivery_notification_channel_key DO NOTHING""",
            [i.id for i in items],
            [i.notification_id for i in items],
            [i.channel for i in items],
            [i.status for i in items],
            [i.next_attempt_at for i in items],
            at,
        )

    async def mark_read(self, key: str, notification_id: UUID, at: datetime) -> bool:
        """False: not in this caller's inbox (answered 404 either way)."""
        found = await self._conn.fetchval(
            """UPDATE notification SET read_at = coalesce(read_at, $3)
               WHERE id = $1 AND recipient_key = $2 RETURNING id""",
            notification_id,
            key,
            at,
        )
        return found is not None
