"""Members HTTP endpoints: a member's one grassroots unit (基层单元)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from services.members.api.deps import DepsDep
from services.members.domain.liaisons import GrassrootsUnit, UnitKind
from services.members.handlers import units as handlers
from services.members.views import liaisons as views
from shared.regions import RegionCode
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["liaisons"])


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: UnitKind
    region_code: RegionCode = Field(description="inside the member's region")
    address: Annotated[str | None, Field(max_length=500)] = None


class UnitOut(BaseModel):
    id: UUID
    member_id: UUID
    name: str
    kind: str
    region_code: str
    address: str | None
    linked_at: datetime

    @classmethod
    def of(cls, u: GrassrootsUnit) -> UnitOut:
        return cls(
            id=u.id,
            member_id=u.member_id,
            name=u.name,
            kind=u.kind,
            region_code=u.region_code,
            address=u.address,
            linked_at=u.linked_at,
        )


@router.put(
    "/members/{member_id}/unit",
    summary="Link the member's one grassroots unit (基层单元), replacing any earlier one",
    responses={201: {"description": "linked for the first time"}},
)
async def link_unit(
    member_id: UUID, body: UnitIn, principal: CurrentPrincipal, deps: DepsDep, response: Response
) -> UnitOut:
    unit, created = await handlers.link_unit(
        handlers.LinkUnit(member_id, **body.model_dump()),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    response.status_code = 201 if created else 200
    return UnitOut.of(unit)


@router.get("/members/{member_id}/unit", summary="The member's grassroots unit")
async def get_unit(member_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> UnitOut:
    unit = await views.get_unit(member_id, principal=principal, uow=deps.uow(principal))
    return UnitOut.of(unit)
