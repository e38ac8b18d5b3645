"""Contact records, the daily facts per member, and which liaisons were reached on which day."""

from __future__ import annotations

import asyncpg

from shared.contracts.visits import VisitRecordedV1

_CHANNELS = ("face_to_face", "regular_work", "online", "service", "innovative")


class VisitRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, e: VisitRecordedV1) -> bool:
        """False if this contact record is already projected (then nothing is added twice)."""
        status: str = await self._conn.execute(
            """INSERT INTO visit (visit_id, member_id, region_code, sector_code, channel,
                   occasion, occurred_on, people_reached, heart_to_heart_talks)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING""",
            e.visit_id,
            e.member_id,
            e.region_code,
            e.sector_code,
            e.channel,
            e.occasion,
            e.occurred_on,
            e.people_reached,
            e.heart_to_heart_talks,
        )
        if not status.endswith(" 1"):
            return False
        await self._add_to_day(e)
        await self._conn.executemany(
            """INSERT INTO liaison_contact (member_id, liaison_id, day) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING""",
            [(e.member_id, liaison, e.occurred_on) for liaison in set(e.liaison_ids)],
        )
        return True

    async def _add_to_day(self, e: VisitRecordedV1) -> None:
        per_channel = [int(e.channel == c) for c in _CHANNELS]
        await self._conn.execute(
            """INSERT INTO member_day AS d (member_id, day, region_code, sector_code, contacts,
                   face_to_face, regular_work, online, service, innovative,
                   people_reached, heart_to_heart_talks)
               VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT ON CONSTRAINT member_day_pk DO UPDATE SET
                 contacts = d.contacts + 1,
                 face_to_face = d.face_to_face + $5,
                 regular_work = d.regular_work + $6,
                 online = d.online + $7,
                 service = d.service + $8,
                 innovative = d.innovative + $9,
                 people_reached = d.people_reached + $10,
                 heart_to_heart_talks = d.heart_to_heart_talks + $11""",
            e.member_id,
            e.occurred_on,
            e.region_code,
            e.sector_code,
            *per_channel,
            e.people_reached,
            e.heart_to_heart_talks,
        )
