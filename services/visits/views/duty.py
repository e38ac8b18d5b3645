"""The office's duty list (履职清单) as the console reads it: filtered, searched, most urgent
first, paged by offset with a total; the departments an office may pick for a concern; and the
dispatches to the disposal platform with what they are about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.visits.domain import concerns as domain
from services.visits.repository.departments import DirectoryDepartment
from services.visits.views.concerns import ConcernView, present, read_many
from shared.auth import Principal, Role
from shared.db.pool import DbConnection
from shared.errors import Forbidden
from shared.regions import scope_prefix

# Most urgent first: overdue rounds, then what waits for the office (new, reopened), then
# what is accepted but not yet assigned, then rounds running, then what is finished.
_URGENCY = """CASE
    WHEN c.status = 'assigned' AND c.due_on < $6 THEN 0
    WHEN c.status IN ('submitted', 'reopened') THEN 1
    WHEN c.status = 'accepted' THEN 2
    WHEN c.status IN ('assigned', 'replied') THEN 3
    ELSE 4 END"""


# A department's region as a scope prefix (shared.regions.scope_prefix, in SQL).
_PREFIX = """(CASE WHEN region_code LIKE '__0000' THEN left(region_code, 2)
    WHEN region_code LIKE '____00' THEN left(region_code, 4) ELSE region_code END)"""


@dataclass(frozen=True)
class DutyPage:
    items: list[ConcernView]
    total: int


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def duty_page(
    conn: DbConnection,
    viewer: Principal,
    *,
    statuses: list[str] | None,
    overdue: bool,
    q: str | None,
    today: date,
    limit: int,
    offset: int,
) -> DutyPage:
    """Staff only: every concern of the caller's region, as `page` shows them."""
    if not domain.may_manage_bridge(viewer):
        raise Forbidden(f"role {viewer.role.value} may not read the duty list")
    pattern = f"%{_escape(q.strip())}%" if q and q.strip() else None
    rows = await conn.fetch(
        f"""SELECT c.id, count(*) OVER () AS total FROM concern c
            LEFT JOIN department_directory dd ON dd.code = c.department_code
            WHERE c.region_code LIKE $1 || '%'
              AND ($2::text[] IS NULL OR c.status = ANY($2))
              AND (NOT $3 OR (c.status = 'assigned' AND c.due_on < $6))
              AND ($4::text IS NULL OR c.title ILIKE $4 OR c.body ILIKE $4 OR dd.name ILIKE $4)
            ORDER BY {_URGENCY}, c.due_on NULLS LAST, c.submitted_at, c.id
            LIMIT $5 OFFSET $7""",
        scope_prefix(viewer.region_code),
        statuses,
        overdue,
        pattern,
        limit,
        today,
        offset,
    )
    if not rows:
        return DutyPage([], 0)
    found = await read_many(conn, [r["id"] for r in rows])
    by_id = {r.concern.id: r for r in found}
    ordered = [present(by_id[r["id"]], viewer) for r in rows if r["id"] in by_id]
    return DutyPage(ordered, rows[0]["total"])


async def departments_for(
    conn: DbConnection, viewer: Principal, *, region_code: str | None, q: str | None, limit: int
) -> list[DirectoryDepartment]:
    """Departments that may take a concern of `region_code` (default: the caller's region):
    its own area's, those above it and those below it; searched by name. Staff and members
    assign, so they pick."""
    if not (domain.may_manage_bridge(viewer) or viewer.role is Role.MEMBER):
        raise Forbidden(f"role {viewer.role.value} may not assign concerns")
    region = region_code if region_code and viewer.can_see_region(region_code) else None
    here = scope_prefix(region or viewer.region_code)
    pattern = f"%{_escape(q.strip())}%" if q and q.strip() else None
    rows = await conn.fetch(
        f"""SELECT department_id, code, name, region_code, platform_id FROM department_directory
            WHERE ({_PREFIX} LIKE $1 || '%' OR $1 LIKE {_PREFIX} || '%')
              AND ($2::text IS NULL OR name ILIKE $2)
            ORDER BY length({_PREFIX}) DESC, name LIMIT $3""",
        here,
        pattern,
        limit,
    )
    return [DirectoryDepartment(**dict(r)) for r in rows]


async def failed_dispatches(conn: DbConnection, viewer: Principal, *, limit: int) -> list[Any]:
    """Dispatches the platform did not take, with the concern's title and the department's name."""
    if not domain.may_manage_bridge(viewer):
        raise Forbidden(f"role {viewer.role.value} may not manage the bridge")
    rows = await conn.fetch(
        """SELECT d.id, d.concern_id, d.round, d.status, d.attempts, d.last_error,
                  d.created_at, c.title, coalesce(dd.name, '未登记的承办单位') AS department_name
           FROM concern_dispatch d JOIN concern c ON c.id = d.concern_id
           LEFT JOIN department_directory dd ON dd.code = d.department_code
           WHERE d.region_code LIKE $1 || '%' AND d.status = 'failed'
           ORDER BY d.created_at DESC LIMIT $2""",
        scope_prefix(viewer.region_code),
        limit,
    )
    return [dict(r) for r in rows]
