"""Sign-in accounts (登录账号): members' follow the directory; offices create staff and
department accounts; a liaison's own account is linked so they can report for themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from services.members.api.deps import DepsDep
from services.members.api.liaisons import CircumstanceIn, CircumstanceOut
from services.members.handlers import accounts as handlers
from services.members.handlers import liaison_accounts as liaison_handlers
from services.members.repository.accounts import AccountRow
from services.members.views import accounts as views
from shared.auth import Role
from shared.regions import RegionCode
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["accounts"])


class AccountOut(BaseModel):
    username: str
    enabled: bool = Field(description="false once the member is retired")
    state: Literal["synced", "pending", "failing"]
    attempts: int
    last_error: str | None
    synced_at: datetime | None

    @classmethod
    def of(cls, row: AccountRow) -> AccountOut:
        state: Literal["synced", "pending", "failing"] = (
            "synced" if not row.due else "failing" if row.attempts else "pending"
        )
        return cls(
            username=row.username,
            enabled=row.wanted_enabled,
            state=state,
            attempts=row.attempts,
            last_error=row.last_error,
            synced_at=row.synced_at,
        )


class IssuedPasswordOut(BaseModel):
    username: str
    temporary_password: str = Field(description="one-time: a new one is chosen at first sign-in")


class OfficeAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=64)]
    full_name: Annotated[str, Field(min_length=1, max_length=64)]
    role: Literal["province_admin", "city_admin", "county_admin", "committee_staff", "department"]
    region_code: RegionCode
    department_code: Annotated[str | None, Field(max_length=64)] = None


class LiaisonAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Annotated[str, Field(min_length=1, max_length=255, description="the account's sub")]


class OwnLiaisonOut(BaseModel):
    liaison_id: UUID


@router.get("/members/{member_id}/account", summary="A member's sign-in account and its sync")
async def member_account(member_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> AccountOut:
    row = await views.member_account(member_id, principal=principal, uow=deps.uow(principal))
    return AccountOut.of(row)


@router.post(
    "/members/{member_id}/account/password",
    summary="Issue a member a one-time password (the office hands it over)",
)
async def reset_member_password(
    member_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> IssuedPasswordOut:
    issued = await handlers.reset_member_password(
        handlers.ResetMemberPassword(member_id),
        principal=principal,
        uow=deps.uow(principal),
        directory=deps.directory,
    )
    return IssuedPasswordOut(**vars(issued))


@router.post(
    "/accounts", status_code=201, summary="Create a staff or department account in your area"
)
async def create_office_account(
    body: OfficeAccountIn, principal: CurrentPrincipal, deps: DepsDep
) -> IssuedPasswordOut:
    cmd = handlers.CreateOfficeAccount(
        body.username, body.full_name, Role(body.role), body.region_code, body.department_code
    )
    issued = await handlers.create_office_account(
        cmd, principal=principal, uow=deps.uow(principal), directory=deps.directory
    )
    return IssuedPasswordOut(**vars(issued))


@router.put(
    "/liaisons/{liaison_id}/account",
    status_code=204,
    summary="Link the liaison's own (constituent) account, by its subject",
)
async def link_liaison_account(
    liaison_id: UUID, body: LiaisonAccountIn, principal: CurrentPrincipal, deps: DepsDep
) -> Response:
    await liaison_handlers.link_liaison_account(
        liaison_handlers.LinkLiaisonAccount(liaison_id, body.subject),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
    )
    return Response(status_code=204)


@router.delete(
    "/liaisons/{liaison_id}/account", status_code=204, summary="Unlink the liaison's account"
)
async def unlink_liaison_account(
    liaison_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> Response:
    await liaison_handlers.link_liaison_account(
        liaison_handlers.LinkLiaisonAccount(liaison_id, None),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
    )
    return Response(status_code=204)


@router.get("/me/liaison", summary="The liaison the signed-in constituent speaks for")
async def own_liaison(principal: CurrentPrincipal, deps: DepsDep) -> OwnLiaisonOut:
    liaison_id = await liaison_handlers.own_liaison(principal=principal, uow=deps.uow(principal))
    return OwnLiaisonOut(liaison_id=liaison_id)


@router.post(
    "/me/circumstances",
    status_code=201,
    summary="A liaison signed in as a constituent reports their own life change, request or "
    "hardship (opens their member's must-visit obligation)",
)
async def report_own_circumstance(
    body: CircumstanceIn, principal: CurrentPrincipal, deps: DepsDep
) -> CircumstanceOut:
    report = await liaison_handlers.report_own_circumstance(
        liaison_handlers.ReportOwnCircumstance(body.kind, body.summary),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        clock=deps.clock,
    )
    return CircumstanceOut.of(report)
