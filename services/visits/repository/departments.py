"""Visits SQL: the departments read model (承办单位), kept from members' department events."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from shared.contracts import members as ev


@dataclass(frozen=True)
class DirectoryDepartment:
    department_id: UUID
    code: str
    name: str
    region_code: str
    platform_id: str | None


_COLUMNS = "department_id, code, name, region_code, platform_id"


class DepartmentDirectory:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def upsert(self, e: ev.DepartmentRegisteredV1 | ev.DepartmentUpdatedV1) -> None:
        await self._conn.execute(
            """INSERT INTO department_directory
                   (department_id, code, name, region_code, platform_id, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (department_id) DO UPDATE SET
                   code = EXCLUDED.code, name = EXCLUDED.name,
                   region_code = EXCLUDED.region_code, platform_id = EXCLUDED.platform_id,
                   updated_at = EXCLUDED.updated_at
               -- an older event delivered late must not undo a newer one
               WHERE department_directory.updated_at <= EXCLUDED.updated_at""",
            e.department_id,
            e.code,
            e.name,
            e.region_code,
            e.platform_id,
            e.occurred_at,
        )

    async def by_code(self, code: str) -> DirectoryDepartment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM department_directory WHERE code = $1", code
        )
        return DirectoryDepartment(**dict(row)) if row else None
