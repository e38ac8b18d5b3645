"""Notifications that reached a member: once per notification, whatever the channels."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from services.reporting.repository.rollup import delta_select, rollup_statement

# The event names the member but not their sector: the member's sector when it is counted
# ('-' if the member is not known yet) is the one it is filed under.
_DELTA = delta_select(
    "new n JOIN input i USING (notification_id, member_id) "
    "LEFT JOIN member_dim md ON md.member_id = n.member_id",
    {"notifications_reached": "1"},
    member="n.member_id",
    region="i.region_code",
    sector="md.sector_code",
    day="i.day",
)


def reached_statement(deliveries: str) -> str:
    """`deliveries`: a FROM item with (notification_id, member_id, region_code, day)."""
    return rollup_statement(
        f"""WITH input AS (SELECT * FROM {deliveries}),
        new AS (
          INSERT INTO notification_reach (notification_id, member_id)
          SELECT notification_id, member_id FROM input ORDER BY 1, 2
          ON CONFLICT DO NOTHING
          RETURNING notification_id, member_id
        ),
        delta AS ({_DELTA})"""
    )


_REACHED = reached_statement(
    "unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[]) AS u(notification_id, member_id, "
    "region_code, day)"
)


class NotificationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def reached(self, deliveries: list[tuple[UUID, UUID, str, date]]) -> None:
        """(notification id, member id, region, local day), one per notification and member."""
        await self._conn.execute(
            _REACHED,
            [d[0] for d in deliveries],
            [d[1] for d in deliveries],
            [d[2] for d in deliveries],
            [d[3] for d in deliveries],
        )
