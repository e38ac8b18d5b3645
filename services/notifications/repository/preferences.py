"""Per-user preferences: channels on/off, addresses, quiet hours, digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from services.notifications.domain.delivery import Preference

PREFERENCE_COLUMNS = (
    "channels, email, phone, wechat_openid, quiet_start, quiet_end, timezone, digest"
)


def preference_from_row(row: Any) -> Preference:
    return Preference(
        channels=frozenset(row["channels"]),
        email=row["email"],
        phone=row["phone"],
        wechat_openid=row["wechat_openid"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        timezone=row["timezone"],
        digest=row["digest"],
    )


class PreferenceRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get_many(self, keys: list[str]) -> dict[str, Preference]:
        rows = await self._conn.fetch(
            f"""SELECT recipient_key, {PREFERENCE_COLUMNS} FROM preference
                WHERE recipient_key = ANY($1)""",
            keys,
        )
        return {r["recipient_key"]: preference_from_row(r) for r in rows}

    async def put(self, key: str, p: Preference, at: datetime) -> None:
        await self._conn.execute(
            f"""INSERT INTO preference (recipient_key, {PREFERENCE_COLUMNS}, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (recipient_key) DO UPDATE SET
                  channels = EXCLUDED.channels, email = EXCLUDED.email,
                  phone = EXCLUDED.phone, wechat_openid = EXCLUDED.wechat_openid,
                  quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
                  timezone = EXCLUDED.timezone, digest = EXCLUDED.digest,
                  updated_at = EXCLUDED.updated_at""",
            key,
            sorted(p.channels),
            p.email,
            p.phone,
            p.wechat_openid,
            p.quiet_start,
            p.quiet_end,
            p.timezone or "Asia/Shanghai",
            p.digest,
            at,
        )
