"""GET /v1/kpi/member-counts: members by sector and region, scoped by the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.reporting.api.deps import DepsDep
from services.reporting.views import member_counts as views
from shared.auth import STAFF_ROLES
from shared.contracts.members import SectorCode
from shared.errors import NotFound
from shared.regions import RegionCode
from shared.web.security import CurrentPrincipal, require_role

router = APIRouter(prefix="/v1/kpi", tags=["kpi"])


class MemberCountRow(BaseModel):
    region_code: str | None = None
    sector_code: str | None = None
    members: int


class MemberCounts(BaseModel):
    region_code: str = Field(description="the scope the counts cover")
    sector_code: str | None
    total: int
    rows: list[MemberCountRow]


@router.get("/member-counts", summary="Members by sector and region, within your scope")
async def member_counts(
    principal: CurrentPrincipal,
    deps: DepsDep,
    region_code: Annotated[RegionCode | None, Query()] = None,
    sector_code: Annotated[SectorCode | None, Query()] = None,
    group_by: Annotated[views.GroupBy, Query()] = "sector",
) -> MemberCounts:
    require_role(principal, STAFF_ROLES)
    scope = region_code or principal.region_code
    if not principal.can_see_region(scope):
        raise NotFound("region not found")
    async with deps.pool.acquire() as conn:
        rows = await views.member_counts(
            conn, scope=scope, sector_code=sector_code, group_by=group_by
        )
    return MemberCounts(
        region_code=scope,
        sector_code=sector_code,
        total=sum(int(str(r["members"])) for r in rows),
        rows=[MemberCountRow.model_validate(r) for r in rows],
    )
