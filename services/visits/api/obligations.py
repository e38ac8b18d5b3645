"""Visits HTTP endpoints: must-visit obligations (八必访)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.visits.api.access import owner_filter
from services.visits.api.deps import DepsDep
from services.visits.views import visits as views
from shared.contracts.visits import ObligationStatus, OccasionKind
from shared.errors import NotFound
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["obligations"])
Status = ObligationStatus


class ObligationOut(BaseModel):
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    special_committee_code: str | None
    occasion_kind: str
    source_id: UUID
    title: str
    liaison_id: UUID | None
    opened_at: datetime
    due_on: date
    status: str
    escalation_level: int
    escalated_to: str | None
    fulfilled_by: UUID | None
    fulfilled_on: date | None


class ObligationPage(BaseModel):
    items: list[ObligationOut]
    next_cursor: UUID | None


@router.get("/obligations", summary="Obligations: your own, or your region's")
async def list_obligations(
    principal: CurrentPrincipal,
    deps: DepsDep,
    status: Annotated[list[Status] | None, Query()] = None,
    occasion_kind: Annotated[OccasionKind | None, Query()] = None,
    member_id: Annotated[UUID | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ObligationPage:
    owner = owner_filter(principal) or member_id
    async with deps.pool.acquire() as conn:
        rows = await views.obligations(
            conn,
            scope=principal.region_code,
            member_id=owner,
            statuses=list(status) if status else None,
            occasion_kind=occasion_kind,
            after=after,
            limit=limit,
        )
    items = [ObligationOut.model_validate(r) for r in rows]
    return ObligationPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/obligations/{obligation_id}", summary="One obligation")
async def get_obligation(
    obligation_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> ObligationOut:
    async with deps.pool.acquire() as conn:
        row = await views.obligation(
            conn, obligation_id, scope=principal.region_code, member_id=owner_filter(principal)
        )
    if row is None:
        raise NotFound("obligation not found")
    return ObligationOut.model_validate(row)
