"""Members SQL: departments (承办单位)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.members.domain.departments import Department
from shared.db.constraints import explain_violations
from shared.regions import scope_prefix

COLUMNS = (
    "id, code, name, region_code, contact, platform_id, external_id, registered_at, updated_at"
)
VIOLATIONS = {
    "department_code_key": "该代码已被其他承办单位使用",
    "department_external_id_key": "该外部编号已被其他承办单位使用",
    "department_platform_id_key": "该处置平台编号已被其他承办单位使用",
    "department_region_fk": "行政区划代码不存在",
}


class DepartmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get_in_scope(
        self, department_id: UUID, scope: str, *, lock: bool = False
    ) -> Department | None:
        row = await self._conn.fetchrow(
            f"""SELECT {COLUMNS} FROM department WHERE id = $1 AND region_code LIKE $2 || '%'
                {"FOR UPDATE" if lock else ""}""",
            department_id,
            scope_prefix(scope),
        )
        return Department(**dict(row)) if row else None

    async def region_of(self, code: str, scope: str) -> str | None:
        """The region of the department with `code`, if it lies in `scope`."""
        region: str | None = await self._conn.fetchval(
            "SELECT region_code FROM department WHERE code = $1 AND region_code LIKE $2 || '%'",
            code,
            scope_prefix(scope),
        )
        return region

    async def add(self, d: Department) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                f"INSERT INTO department ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                d.id,
                d.code,
                d.name,
                d.region_code,
                d.contact,
                d.platform_id,
                d.external_id,
                d.registered_at,
                d.updated_at,
            )

    async def save(self, d: Department) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """UPDATE department SET name = $2, contact = $3, platform_id = $4,
                       updated_at = $5 WHERE id = $1""",
                d.id,
                d.name,
                d.contact,
                d.platform_id,
                d.updated_at,
            )
