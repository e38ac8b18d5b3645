"""Visits SQL: the read models of members, liaisons and workstations (from members' events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.contracts import members as ev


@dataclass(frozen=True)
class RosterMember:
    member_id: UUID
    region_code: str
    sector_code: str
    special_committee_code: str | None
    status: str
    unit_id: UUID | None
    unit_name: str | None


class RosterRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def upsert_member(self, e: ev.MemberRegisteredV1 | ev.MemberUpdatedV1) -> None:
        status = e.status if isinstance(e, ev.MemberUpdatedV1) else "active"
        await self._conn.execute(
            """INSERT INTO member_roster (member_id, region_code, sector_code, committee_code,
                   special_committee_code, status, joined_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
               ON CONFLICT (member_id) DO UPDATE SET
                   region_code = EXCLUDED.region_code, sector_code = EXCLUDED.sector_code,
                   committee_code = EXCLUDED.committee_code,
                   special_committee_code = EXCLUDED.special_committee_code,
                   status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
               -- an older event delivered late must not undo a newer one
               WHERE member_roster.updated_at IS NULL
                  OR member_roster.updated_at <= EXCLUDED.updated_at""",
            e.member_id,
            e.region_code,
            e.sector_code,
            e.committee_code,
            e.special_committee_code,
            status,
            e.occurred_at,
        )

    async def retire_member(self, member_id: UUID, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE member_roster SET status = 'retired', updated_at = $2 WHERE member_id = $1",
            member_id,
            at,
        )

    async def link_unit(self, e: ev.UnitLinkedV1) -> None:
        await self._conn.execute(
            "UPDATE member_roster SET unit_id = $2, unit_name = $3 WHERE member_id = $1",
            e.member_id,
            e.unit_id,
            e.unit_name,
        )

    async def member(self, member_id: UUID) -> RosterMember | None:
        row = await self._conn.fetchrow(
            """SELECT member_id, region_code, sector_code, special_committee_code, status,
                      unit_id, unit_name
               FROM member_roster WHERE member_id = $1""",
            member_id,
        )
        return RosterMember(**dict(row)) if row else None

    async def upsert_liaison(
        self,
        e: ev.LiaisonLinkedV1 | ev.LiaisonUpdatedV1 | ev.LiaisonUnlinkedV1,
    ) -> None:
        linked = not isinstance(e, ev.LiaisonUnlinkedV1)
        await self._conn.execute(
            """INSERT INTO liaison_roster (liaison_id, member_id, region_code, display_name,
                   consent_to_departments, linked, updated_at)
               VALUES ($1, $2, $3, coalesce($4, ''), coalesce($5, false), $6, $7)
               ON CONFLICT (liaison_id) DO UPDATE SET
                   member_id = EXCLUDED.member_id,
                   display_name = coalesce($4, liaison_roster.display_name),
                   consent_to_departments = coalesce($5, liaison_roster.consent_to_departments),
                   linked = EXCLUDED.linked, updated_at = EXCLUDED.updated_at
               WHERE liaison_roster.updated_at <= EXCLUDED.updated_at""",
            e.liaison_id,
            e.member_id,
            e.region_code,
            getattr(e, "display_name", None),
            getattr(e, "consent_to_departments", None),
            linked,
            e.occurred_at,
        )

    async def linked_liaisons(self, member_id: UUID) -> set[UUID]:
        rows = await self._conn.fetch(
            "SELECT liaison_id FROM liaison_roster WHERE member_id = $1 AND linked", member_id
        )
        return {r["liaison_id"] for r in rows}

    async def upsert_workstation(
        self,
        e: ev.WorkstationOpenedV1 | ev.WorkstationChangedV1 | ev.WorkstationClosedV1,
    ) -> None:
        if isinstance(e, ev.WorkstationClosedV1):
            await self._conn.execute(
                """UPDATE workstation_roster SET open = false, updated_at = $2
                   WHERE workstation_id = $1 AND updated_at <= $2""",
                e.workstation_id,
                e.occurred_at,
            )
            return
        await self._conn.execute(
            """INSERT INTO workstation_roster (workstation_id, name, kind, region_code, open,
                   member_ids, updated_at)
               VALUES ($1, $2, $3, $4, true, $5, $6)
               ON CONFLICT (workstation_id) DO UPDATE SET
                   name = EXCLUDED.name, kind = EXCLUDED.kind,
                   member_ids = EXCLUDED.member_ids, updated_at = EXCLUDED.updated_at
               WHERE workstation_roster.updated_at <= EXCLUDED.updated_at""",
            e.workstation_id,
            e.name,
            e.kind,
            e.region_code,
            e.member_ids,
            e.occurred_at,
        )

    async def open_workstation_name(self, workstation_id: UUID) -> str | None:
        name: str | None = await self._conn.fetchval(
            "SELECT name FROM workstation_roster WHERE workstation_id = $1 AND open",
            workstation_id,
        )
        return name
