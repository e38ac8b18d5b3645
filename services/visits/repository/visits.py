"""Visits SQL: contact records."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.visits.domain.visits import ContactRecord


class ContactRecordRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, r: ContactRecord) -> None:
        await self._conn.execute(
            """INSERT INTO contact_record (id, member_id, region_code, sector_code, channel,
                   occasion, occurred_on, place_kind, place_id, place_name, liaison_ids,
                   people_reached, heart_to_heart_talks, summary, evidence, recorded_by,
                   recorded_by_role, recorded_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                       $17, $18)""",
            r.id,
            r.member_id,
            r.region_code,
            r.sector_code,
            r.channel,
            r.occasion,
            r.occurred_on,
            r.place_kind,
            r.place_id,
            r.place_name,
            r.liaison_ids,
            r.people_reached,
            r.heart_to_heart_talks,
            r.summary,
            r.evidence,
            r.recorded_by,
            r.recorded_by_role,
            r.recorded_at,
        )

    async def get(self, record_id: UUID) -> ContactRecord | None:
        row = await self._conn.fetchrow(
            """SELECT r.*, coalesce(array_agg(o.id) FILTER (WHERE o.id IS NOT NULL), '{}')
                      AS fulfilled_obligation_ids
               FROM contact_record r LEFT JOIN obligation o ON o.fulfilled_by = r.id
               WHERE r.id = $1 GROUP BY r.id""",
            record_id,
        )
        return ContactRecord(**dict(row)) if row else None
