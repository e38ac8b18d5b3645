"""Visits HTTP endpoints the office console reads: the duty list most urgent first, paged;
the departments a concern may be assigned to, by name; the dispatches that failed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.visits.api.concerns import ConcernOut
from services.visits.api.concerns import _out as concern_out
from services.visits.api.deps import DepsDep
from services.visits.domain.concerns import Status
from services.visits.handlers.obligations import local_today
from services.visits.views import duty as views
from shared.regions import RegionCode
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["duty list"])
Filter = Literal["submitted", "accepted", "assigned", "overdue", "replied", "reopened", "closed"]


class DutyPageOut(BaseModel):
    items: list[ConcernOut]
    total: int
    offset: int
    limit: int


class DepartmentOut(BaseModel):
    code: str
    name: str
    region_code: str


class FailedDispatchOut(BaseModel):
    id: UUID
    concern_id: UUID
    round: int
    title: str
    department_name: str
    attempts: int
    last_error: str | None
    created_at: datetime


@router.get("/duty-list", summary="The region's concerns, most urgent first (staff)")
async def duty_list(
    principal: CurrentPrincipal,
    deps: DepsDep,
    state: Annotated[Filter | None, Query(description="a status, or overdue")] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, pattern=r"^[^\x00]*$", description="title, text or 承办单位"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> DutyPageOut:
    overdue = state == "overdue"
    statuses = [Status(state).value] if state and not overdue else None
    today = local_today(deps.clock, deps.settings.timezone)
    async with deps.pool.acquire() as conn:
        page = await views.duty_page(
            conn,
            principal,
            statuses=statuses,
            overdue=overdue,
            q=q,
            today=today,
            limit=limit,
            offset=offset,
        )
    return DutyPageOut(
        items=[concern_out(v) for v in page.items], total=page.total, offset=offset, limit=limit
    )


@router.get("/departments", summary="Departments a concern of a region may go to, by name")
async def departments(
    principal: CurrentPrincipal,
    deps: DepsDep,
    region_code: Annotated[RegionCode | None, Query(description="the concern's region")] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[DepartmentOut]:
    async with deps.pool.acquire() as conn:
        found = await views.departments_for(
            conn, principal, region_code=region_code, q=q, limit=limit
        )
    return [DepartmentOut(code=d.code, name=d.name, region_code=d.region_code) for d in found]


@router.get("/duty-list/failed-dispatches", summary="Assignments the platform did not take")
async def failed_dispatches(
    principal: CurrentPrincipal,
    deps: DepsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[FailedDispatchOut]:
    async with deps.pool.acquire() as conn:
        rows = await views.failed_dispatches(conn, principal, limit=limit)
    return [FailedDispatchOut(**r) for r in rows]
