"""Members HTTP endpoints: parse, call a use case, map the result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.members import handlers
from services.members.domain import Member
from shared.contracts.members import CommitteeCode, SectorCode
from shared.regions import RegionCode
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["members"])


class MemberIn(BaseModel):
    """A member to add to the directory. The region must lie inside the caller's scope."""

    model_config = ConfigDict(extra="forbid")

    full_name: Annotated[str, Field(min_length=1, max_length=64)]
    sector_code: SectorCode
    committee_code: CommitteeCode
    region_code: RegionCode


class MemberOut(BaseModel):
    id: UUID
    full_name: str
    sector_code: str
    committee_code: str
    region_code: str
    status: str
    registered_at: datetime

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        return cls(
            id=m.id,
            full_name=m.full_name,
            sector_code=m.sector_code,
            committee_code=m.committee_code,
            region_code=m.region_code,
            status=m.status.value,
            registered_at=m.registered_at,
        )


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_cursor: UUID | None = Field(description="pass as `after` to get the next page")


@router.post("/members", status_code=201, summary="Register a member")
async def register_member(
    body: MemberIn, principal: CurrentPrincipal, request: Request, response: Response
) -> MemberOut:
    deps = request.app.state.deps
    member = await handlers.register_member(
        handlers.RegisterMember(**body.model_dump()),
        principal=principal,
        uow=deps.uow(),
        clock=deps.clock,
    )
    response.headers["Location"] = f"/v1/members/{member.id}"
    return MemberOut.of(member)


@router.get("/members/{member_id}", summary="One member in your scope")
async def get_member(member_id: UUID, principal: CurrentPrincipal, request: Request) -> MemberOut:
    deps = request.app.state.deps
    member = await handlers.get_member(member_id, principal=principal, uow=deps.uow())
    return MemberOut.of(member)


@router.get("/members", summary="Members in your scope, by id, a page at a time")
async def list_members(
    principal: CurrentPrincipal,
    request: Request,
    sector_code: Annotated[SectorCode | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MemberPage:
    deps = request.app.state.deps
    members = await handlers.list_members(
        principal=principal, uow=deps.uow(), sector_code=sector_code, after=after, limit=limit
    )
    next_cursor = members[-1].id if len(members) == limit else None
    return MemberPage(items=[MemberOut.of(m) for m in members], next_cursor=next_cursor)
