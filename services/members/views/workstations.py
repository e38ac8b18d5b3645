"""Reads of workstations: staff see their area's, a member the ones they are attached to."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.members.domain.access import workstation_visible
from services.members.domain.workstations import DutyShift, Shift, Workstation
from services.members.repository.workstations import COLUMNS, MEMBER_IDS, from_row
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import STAFF_ROLES, Principal, Role
from shared.errors import Forbidden, NotFound
from shared.regions import scope_prefix


async def _visible(
    uow: MembersUnitOfWork, principal: Principal, workstation_id: UUID
) -> Workstation:
    ws = await uow.workstations.get(workstation_id)
    if ws is None or not workstation_visible(principal, ws):
        raise NotFound("workstation not found")
    return ws


async def get_workstation(
    workstation_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> Workstation:
    async with uow:
        return await _visible(uow, principal, workstation_id)


async def list_workstations(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    kind: str | None,
    region_code: str | None,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[Workstation]:
    """Staff: the area's workstations (a region filter only narrows). Members: their own."""
    if principal.role is Role.MEMBER:
        region_prefix, member_id = None, principal.member_id
    elif principal.role in STAFF_ROLES:
        region_prefix, member_id = scope_prefix(principal.region_code), None
    else:
        raise Forbidden(f"role {principal.role.value} may not list workstations")
    if region_code is not None:
        region_prefix = _overlap(region_prefix, scope_prefix(region_code))
        if region_prefix is None:
            return []
    async with uow:
        rows = await uow.connection.fetch(
            f"""SELECT {COLUMNS}, {MEMBER_IDS} FROM workstation w
                WHERE ($1::text IS NULL OR w.region_code LIKE $1 || '%')
                  AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM workstation_member a
                       WHERE a.workstation_id = w.id AND a.member_id = $2))
                  AND ($3::text IS NULL OR w.kind = $3)
                  AND ($4::text IS NULL OR w.status = $4)
                  AND ($5::uuid IS NULL OR w.id > $5)
                ORDER BY w.id LIMIT $6""",
            region_prefix,
            member_id,
            kind,
            status,
            after,
            limit,
        )
    return [from_row(r) for r in rows]


def _overlap(scope: str | None, wanted: str) -> str | None:
    """Where a region filter and the caller's area overlap (None: nowhere)."""
    if scope is None or wanted.startswith(scope):
        return wanted
    return scope if scope.startswith(wanted) else None


async def get_rota(
    workstation_id: UUID,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    from_date: date | None,
    to_date: date | None,
) -> list[DutyShift]:
    async with uow:
        ws = await _visible(uow, principal, workstation_id)
        rows = await uow.connection.fetch(
            """SELECT member_id, duty_date, shift FROM duty_rota
               WHERE workstation_id = $1
                 AND ($2::date IS NULL OR duty_date >= $2)
                 AND ($3::date IS NULL OR duty_date <= $3)""",
            ws.id,
            from_date,
            to_date,
        )
    return sorted(DutyShift(r["duty_date"], Shift(r["shift"]), r["member_id"]) for r in rows)
