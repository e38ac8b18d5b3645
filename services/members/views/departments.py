"""Reads of departments (承办单位): the caller's area, searched by name or code, paged."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members.domain.access import require_directory_reader
from services.members.domain.departments import Department
from services.members.repository.departments import COLUMNS
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import NotFound
from shared.regions import scope_prefix


@dataclass(frozen=True)
class DepartmentPage:
    items: list[Department]
    total: int


async def search(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    q: str | None,
    region_code: str | None,
    limit: int,
    offset: int,
) -> DepartmentPage:
    """Departments inside the caller's scope whose name (or code) holds `q`, by region, name."""
    require_directory_reader(principal)
    pattern = f"%{_escape(q.strip())}%" if q and q.strip() else None
    async with uow:
        rows = await uow.connection.fetch(
            f"""SELECT {COLUMNS}, count(*) OVER () AS total FROM department
                WHERE region_code LIKE $1 || '%'
                  AND ($2::text IS NULL OR region_code LIKE $2 || '%')
                  AND ($3::text IS NULL OR name ILIKE $3 OR code ILIKE $3)
                ORDER BY region_code, name, id LIMIT $4 OFFSET $5""",
            scope_prefix(principal.region_code),
            scope_prefix(region_code) if region_code else None,
            pattern,
            limit,
            offset,
        )
    total = rows[0]["total"] if rows else 0
    return DepartmentPage([Department(**{k: r[k] for k in _FIELDS}) for r in rows], total)


async def get(*, principal: Principal, uow: MembersUnitOfWork, department_id: UUID) -> Department:
    require_directory_reader(principal)
    async with uow:
        found = await uow.departments.get_in_scope(department_id, principal.region_code)
    if found is None:
        raise NotFound("未找到该承办单位")
    return found


_FIELDS = [c.strip() for c in COLUMNS.split(",")]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
