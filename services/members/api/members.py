"""Members HTTP endpoints: the directory of committee members."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from services.members.api.deps import DepsDep
from services.members.domain.members import Member, MemberProfile, MemberStatus
from services.members.handlers import members as handlers
from services.members.views import members as views
from shared.contracts.members import CommitteeCode, SectorCode
from shared.regions import RegionCode
from shared.web.params import IdempotencyKey, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["members"])


class MemberIn(BaseModel):
    """A member's profile. The region must lie inside the caller's scope."""

    model_config = ConfigDict(extra="forbid")

    full_name: Annotated[str, Field(min_length=1, max_length=64)]
    sector_code: SectorCode
    committee_code: CommitteeCode
    region_code: RegionCode
    special_committee_code: CommitteeCode | None = None
    term: Annotated[str | None, Field(max_length=40, description="e.g. 第十四届")] = None
    title: Annotated[str | None, Field(max_length=200, description="public post")] = None

    def profile(self) -> MemberProfile:
        return MemberProfile(**self.model_dump())


class MemberUpdate(MemberIn):
    status: MemberStatus = MemberStatus.ACTIVE


class MemberOut(BaseModel):
    id: UUID
    full_name: str
    sector_code: str
    committee_code: str
    special_committee_code: str | None
    region_code: str
    term: str | None
    title: str | None
    status: str
    registered_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        return cls(
            id=m.id,
            full_name=m.full_name,
            sector_code=m.sector_code,
            committee_code=m.committee_code,
            special_committee_code=m.special_committee_code,
            region_code=m.region_code,
            term=m.term,
            title=m.title,
            status=m.status.value,
            registered_at=m.registered_at,
            updated_at=m.updated_at,
        )


class MemberDetail(MemberOut):
    linked_liaisons: int
    warnings: list[str] = Field(description="e.g. below the liaison quota (not an error)")


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_cursor: UUID | None = Field(description="pass as `after` to get the next page")


@router.post("/members", status_code=201, summary="Register a member")
async def register_member(
    body: MemberIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> MemberOut:
    member, created = await handlers.register_member(
        handlers.RegisterMember(body.profile()),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/members/{member.id}", created=created)
    return MemberOut.of(member)


@router.get("/members/{member_id}", summary="One member in your scope, with roster warnings")
async def get_member(member_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> MemberDetail:
    view = await views.get_member(
        member_id, principal=principal, uow=deps.uow(principal), quota=deps.quota
    )
    return MemberDetail(
        **MemberOut.of(view.member).model_dump(),
        linked_liaisons=view.linked_liaisons,
        warnings=view.warnings,
    )


@router.get("/members", summary="Members in your scope, by id, a page at a time")
async def list_members(
    principal: CurrentPrincipal,
    deps: DepsDep,
    sector_code: Annotated[SectorCode | None, Query()] = None,
    committee_code: Annotated[CommitteeCode | None, Query()] = None,
    status: Annotated[MemberStatus | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MemberPage:
    members = await views.list_members(
        principal=principal,
        uow=deps.uow(principal),
        sector_code=sector_code,
        committee_code=committee_code,
        status=status.value if status else None,
        after=after,
        limit=limit,
    )
    next_cursor = members[-1].id if len(members) == limit else None
    return MemberPage(items=[MemberOut.of(m) for m in members], next_cursor=next_cursor)


@router.put("/members/{member_id}", summary="Replace a member's profile, placement or status")
async def update_member(
    member_id: UUID, body: MemberUpdate, principal: CurrentPrincipal, deps: DepsDep
) -> MemberOut:
    profile = MemberIn.model_validate(body.model_dump(exclude={"status"})).profile()
    member = await handlers.update_member(
        handlers.UpdateMember(member_id, profile, body.status),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    return MemberOut.of(member)


@router.post("/members/{member_id}/retire", summary="A member leaves the committee")
async def retire_member(member_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> MemberOut:
    member = await handlers.retire_member(
        handlers.RetireMember(member_id),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    return MemberOut.of(member)
