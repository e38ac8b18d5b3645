"""Members HTTP endpoints: member workstations (委员工作站) and workrooms (委员工作室)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.members.api.deps import DepsDep
from services.members.domain.workstations import (
    KEEP,
    DutyShift,
    NewWorkstation,
    Shift,
    Workstation,
    WorkstationChanges,
    WorkstationKind,
    WorkstationStatus,
)
from services.members.handlers import workstations as handlers
from services.members.views import workstations as views
from shared.contracts.members import CommitteeCode, Title
from shared.regions import RegionCode
from shared.web.params import Day, IdempotencyKey, NotClearable, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["workstations"])
LocalityCode = Annotated[
    str, Field(pattern=r"^[0-9]{9}([0-9]{3})?$", description="township (9) or community (12)")
]
HeadName = Annotated[str, Field(min_length=1, max_length=64)]


class WorkstationIn(BaseModel):
    """A new workstation in a city or county of your area (a township or community optional)."""

    model_config = ConfigDict(extra="forbid")

    kind: WorkstationKind
    name: Title
    region_code: RegionCode
    locality_code: LocalityCode | None = None
    head_name: HeadName | None = Field(default=None, description="often the party secretary")
    guiding_special_committee_code: CommitteeCode | None = None
    external_id: Annotated[str | None, Field(min_length=1, max_length=100)] = None

    def new(self) -> NewWorkstation:
        return NewWorkstation(**self.model_dump())


class WorkstationPatch(BaseModel):
    """Only the fields sent change; `null` clears the head or the guiding committee."""

    model_config = ConfigDict(extra="forbid")

    name: Title | None = NotClearable
    head_name: HeadName | None = None
    guiding_special_committee_code: CommitteeCode | None = None

    @model_validator(mode="after")
    def _name_is_not_cleared(self) -> Self:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be cleared")
        return self

    def changes(self) -> WorkstationChanges:
        sent = self.model_dump(exclude_unset=True)
        return WorkstationChanges(**{f: sent.get(f, KEEP) for f in type(self).model_fields})


class WorkstationOut(BaseModel):
    id: UUID
    kind: WorkstationKind
    name: str
    region_code: str
    locality_code: str | None
    head_name: str | None
    guiding_special_committee_code: str | None
    status: WorkstationStatus
    external_id: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    member_ids: list[UUID]

    @classmethod
    def of(cls, ws: Workstation) -> WorkstationOut:
        return cls(**{**ws.__dict__, "member_ids": list(ws.member_ids)})


class WorkstationPage(BaseModel):
    items: list[WorkstationOut]
    next_cursor: UUID | None = Field(description="pass as `after` to get the next page")


class AttachedMembers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_ids: Annotated[list[UUID], Field(max_length=500)]


class DutyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: UUID
    date: dt.date
    shift: Shift = Shift.DAY


class Rota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: Annotated[list[DutyEntry], Field(max_length=2000)]

    @classmethod
    def of(cls, rota: list[DutyShift]) -> Rota:
        return cls(
            entries=[
                DutyEntry(member_id=e.member_id, date=e.duty_date, shift=e.shift) for e in rota
            ]
        )


@router.post("/workstations", status_code=201, summary="Open a workstation or workroom")
async def open_workstation(
    body: WorkstationIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> WorkstationOut:
    ws, opened = await handlers.open_workstation(
        handlers.OpenWorkstation(body.new()),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/workstations/{ws.id}", created=opened)
    return WorkstationOut.of(ws)


@router.get("/workstations", summary="Workstations in your area (members: their own), by id")
async def list_workstations(
    principal: CurrentPrincipal,
    deps: DepsDep,
    kind: Annotated[WorkstationKind | None, Query()] = None,
    region_code: Annotated[RegionCode | None, Query(description="only inside this region")] = None,
    status: Annotated[WorkstationStatus | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> WorkstationPage:
    found = await views.list_workstations(
        principal=principal,
        uow=deps.uow(principal),
        kind=kind.value if kind else None,
        region_code=region_code,
        status=status.value if status else None,
        after=after,
        limit=limit,
    )
    next_cursor = found[-1].id if len(found) == limit else None
    return WorkstationPage(items=[WorkstationOut.of(w) for w in found], next_cursor=next_cursor)


@router.get("/workstations/{workstation_id}", summary="One workstation")
async def get_workstation(
    workstation_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> WorkstationOut:
    ws = await views.get_workstation(workstation_id, principal=principal, uow=deps.uow(principal))
    return WorkstationOut.of(ws)


@router.patch("/workstations/{workstation_id}", summary="Rename, change the head or guidance")
async def amend_workstation(
    workstation_id: UUID, body: WorkstationPatch, principal: CurrentPrincipal, deps: DepsDep
) -> WorkstationOut:
    ws = await handlers.amend_workstation(
        handlers.AmendWorkstation(workstation_id, body.changes()),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    return WorkstationOut.of(ws)


@router.put("/workstations/{workstation_id}/members", summary="Replace the attached members")
async def attach_members(
    workstation_id: UUID, body: AttachedMembers, principal: CurrentPrincipal, deps: DepsDep
) -> WorkstationOut:
    ws = await handlers.attach_members(
        handlers.AttachMembers(workstation_id, tuple(body.member_ids)),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    return WorkstationOut.of(ws)


@router.put("/workstations/{workstation_id}/rota", summary="Replace the duty rota (值班表)")
async def set_rota(
    workstation_id: UUID, body: Rota, principal: CurrentPrincipal, deps: DepsDep
) -> Rota:
    entries = tuple(DutyShift(e.date, e.shift, e.member_id) for e in body.entries)
    rota = await handlers.set_rota(
        handlers.SetRota(workstation_id, entries), principal=principal, uow=deps.uow(principal)
    )
    return Rota.of(rota)


@router.get("/workstations/{workstation_id}/rota", summary="The duty rota, by date")
async def get_rota(
    workstation_id: UUID,
    principal: CurrentPrincipal,
    deps: DepsDep,
    from_date: Annotated[Day | None, Query(alias="from")] = None,
    to_date: Annotated[Day | None, Query(alias="to")] = None,
) -> Rota:
    rota = await views.get_rota(
        workstation_id,
        principal=principal,
        uow=deps.uow(principal),
        from_date=from_date,
        to_date=to_date,
    )
    return Rota.of(rota)


@router.post("/workstations/{workstation_id}/close", summary="Close it (kept for the record)")
async def close_workstation(
    workstation_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> WorkstationOut:
    ws = await handlers.close_workstation(
        handlers.CloseWorkstation(workstation_id),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    return WorkstationOut.of(ws)
