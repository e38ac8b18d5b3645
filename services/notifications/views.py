"""Read-side SQL for notifications' GET endpoints: the inbox, preferences, staff's deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.notifications.domain.delivery import Preference
from services.notifications.repository.preferences import PREFERENCE_COLUMNS, preference_from_row
from shared.db.pool import DbConnection


@dataclass(frozen=True)
class InboxItem:
    id: UUID
    kind: str
    priority: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class DeliveryRow:
    """No message text and no address: the recipient appears by its pseudonymous key."""

    id: UUID
    notification_id: UUID
    channel: str
    status: str
    attempts: int
    kind: str
    recipient_key: str
    region_code: str
    last_error: str | None
    updated_at: datetime


_ITEM = "id, kind, priority, title, body, created_at, read_at"


async def inbox(conn: DbConnection, key: str, *, limit: int, unread_only: bool) -> list[InboxItem]:
    rows = await conn.fetch(
        f"""SELECT {_ITEM} FROM notification
            WHERE recipient_key = $1 AND (NOT $2 OR read_at IS NULL)
            ORDER BY created_at DESC, id DESC LIMIT $3""",
        key,
        unread_only,
        limit,
    )
    return [InboxItem(**dict(r)) for r in rows]


async def newer_than(
    conn: DbConnection, key: str, after: datetime, after_id: UUID
) -> list[InboxItem]:
    rows = await conn.fetch(
        f"""SELECT {_ITEM} FROM notification
            WHERE recipient_key = $1 AND (created_at, id) > ($2, $3)
            ORDER BY created_at, id LIMIT 100""",
        key,
        after,
        after_id,
    )
    return [InboxItem(**dict(r)) for r in rows]


async def unread_count(conn: DbConnection, key: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM notification WHERE recipient_key = $1 AND read_at IS NULL", key
    )
    return count


async def preference(conn: DbConnection, key: str) -> Preference | None:
    row = await conn.fetchrow(
        f"SELECT {PREFERENCE_COLUMNS} FROM preference WHERE recipient_key = $1",
        key,
    )
    return preference_from_row(row) if row else None


async def deliveries(
    conn: DbConnection, *, status: str, region_pattern: str, limit: int
) -> list[DeliveryRow]:
    rows = await conn.fetch(
        """SELECT d.id, d.notification_id, d.channel, d.status, d.attempts, n.kind,
                  n.recipient_key, n.region_code, d.last_error, d.updated_at
           FROM delivery d JOIN notification n ON n.id = d.notification_id
           WHERE d.status = $1 AND n.region_code LIKE $2
           ORDER BY d.updated_at DESC, d.id LIMIT $3""",
        status,
        region_pattern,
        limit,
    )
    return [DeliveryRow(**dict(r)) for r in rows]
