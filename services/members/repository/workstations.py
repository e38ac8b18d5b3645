"""Members SQL: workstations and workrooms, who is attached to them, and their duty rota."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.members.domain.workstations import (
    DutyShift,
    Workstation,
    WorkstationKind,
    WorkstationStatus,
)
from shared.db.constraints import explain_violations

COLUMNS = (
    "w.id, w.kind, w.name, w.region_code, w.locality_code, w.head_name, "
    "w.guiding_special_committee_code, w.status, w.external_id, w.opened_at, w.closed_at"
)
MEMBER_IDS = (
    "ARRAY(SELECT m.member_id FROM workstation_member m "
    "WHERE m.workstation_id = w.id ORDER BY m.member_id) AS member_ids"
)
VIOLATIONS = {
    "workstation_special_committee_fk": "unknown guiding_special_committee_code",
    "workstation_external_id_key": "external_id is already used by another workstation",
    "workstation_locality_in_region": "locality_code must lie inside region_code",
    "workstation_member_member_fk": "unknown member",
}


class WorkstationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, ws: Workstation) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """INSERT INTO workstation (id, kind, name, region_code, locality_code, head_name,
                       guiding_special_committee_code, status, external_id, opened_at, closed_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                ws.id,
                ws.kind.value,
                ws.name,
                ws.region_code,
                ws.locality_code,
                ws.head_name,
                ws.guiding_special_committee_code,
                ws.status.value,
                ws.external_id,
                ws.opened_at,
                ws.closed_at,
            )

    async def save(self, ws: Workstation) -> None:
        """Name, head, guidance and status (the rest never changes after opening)."""
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """UPDATE workstation SET name = $2, head_name = $3,
                       guiding_special_committee_code = $4, status = $5, closed_at = $6
                   WHERE id = $1""",
                ws.id,
                ws.name,
                ws.head_name,
                ws.guiding_special_committee_code,
                ws.status.value,
                ws.closed_at,
            )

    async def get(self, workstation_id: UUID, *, lock: bool = False) -> Workstation | None:
        """By id, unscoped: the caller decides who may see it. `lock` serialises changes."""
        if lock:
            await self._conn.execute(
                "SELECT 1 FROM workstation WHERE id = $1 FOR UPDATE", workstation_id
            )
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS}, {MEMBER_IDS} FROM workstation w WHERE w.id = $1",
            workstation_id,
        )
        return from_row(row) if row else None

    async def get_by_external_id(self, external_id: str) -> Workstation | None:
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS}, {MEMBER_IDS} FROM workstation w WHERE w.external_id = $1",
            external_id,
        )
        return from_row(row) if row else None

    async def attachable_members(self, member_ids: Sequence[UUID], region_prefix: str) -> set[UUID]:
        """Those of `member_ids` that are serving members inside the region."""
        rows = await self._conn.fetch(
            """SELECT id FROM member WHERE id = ANY($1::uuid[])
                   AND region_code LIKE $2 || '%' AND status <> 'retired'""",
            list(member_ids),
            region_prefix,
        )
        return {r["id"] for r in rows}

    async def guiding_committee_region(self, special_committee_code: str) -> str | None:
        """The region of the committee a special committee (专委会) belongs to."""
        region: str | None = await self._conn.fetchval(
            """SELECT c.region_code FROM special_committee s
               JOIN committee c ON c.code = s.committee_code WHERE s.code = $1""",
            special_committee_code,
        )
        return region

    async def replace_members(self, workstation_id: UUID, member_ids: Sequence[UUID]) -> None:
        """Attach exactly `member_ids`; the detached leave the rota too."""
        keep = list(member_ids)
        await self._conn.execute(
            "DELETE FROM duty_rota WHERE workstation_id = $1 AND NOT member_id = ANY($2::uuid[])",
            workstation_id,
            keep,
        )
        await self._conn.execute(
            """DELETE FROM workstation_member
               WHERE workstation_id = $1 AND NOT member_id = ANY($2::uuid[])""",
            workstation_id,
            keep,
        )
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """INSERT INTO workstation_member (workstation_id, member_id)
                   SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING""",
                workstation_id,
                keep,
            )

    async def replace_rota(self, workstation_id: UUID, rota: Sequence[DutyShift]) -> None:
        await self._conn.execute("DELETE FROM duty_rota WHERE workstation_id = $1", workstation_id)
        await self._conn.executemany(
            """INSERT INTO duty_rota (workstation_id, member_id, duty_date, shift)
               VALUES ($1, $2, $3, $4)""",
            [(workstation_id, e.member_id, e.duty_date, e.shift.value) for e in rota],
        )


def from_row(row: asyncpg.Record) -> Workstation:
    return Workstation(
        id=row["id"],
        kind=WorkstationKind(row["kind"]),
        name=row["name"],
        region_code=row["region_code"],
        locality_code=row["locality_code"],
        head_name=row["head_name"],
        guiding_special_committee_code=row["guiding_special_committee_code"],
        status=WorkstationStatus(row["status"]),
        external_id=row["external_id"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        member_ids=tuple(row["member_ids"]),
    )
