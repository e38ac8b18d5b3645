"""Members HTTP endpoints: departments (承办单位), kept by the offices of their area."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.members.api.deps import DepsDep
from services.members.domain.departments import KEEP, Department, DepartmentChanges
from services.members.handlers import departments as handlers
from services.members.views import departments as views
from shared.contracts.members import DepartmentCode, Title
from shared.regions import RegionCode
from shared.web.params import IdempotencyKey, NotClearable, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["departments"])
Contact = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")
]
PlatformId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"\S")
]


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: DepartmentCode
    name: Title
    region_code: RegionCode
    contact: Contact | None = Field(default=None, description="the office's phone or desk")
    platform_id: PlatformId | None = Field(
        default=None, description="its id on the government disposal platform"
    )
    external_id: Annotated[str | None, Field(min_length=1, max_length=64)] = None


class DepartmentPatch(BaseModel):
    """Only the fields sent change; `null` clears the contact or the platform id."""

    model_config = ConfigDict(extra="forbid")

    name: Title | None = NotClearable
    contact: Contact | None = None
    platform_id: PlatformId | None = None

    @model_validator(mode="after")
    def _name_is_not_cleared(self) -> Self:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be cleared")
        return self

    def changes(self) -> DepartmentChanges:
        sent = self.model_dump(exclude_unset=True)
        return DepartmentChanges(**{f: sent.get(f, KEEP) for f in type(self).model_fields})


class DepartmentOut(BaseModel):
    id: UUID
    code: str
    name: str
    region_code: str
    contact: str | None
    platform_id: str | None
    external_id: str | None
    registered_at: datetime
    updated_at: datetime


class DepartmentPageOut(BaseModel):
    items: list[DepartmentOut]
    total: int


def _out(d: Department) -> DepartmentOut:
    return DepartmentOut(**d.__dict__)


@router.get("/departments", summary="Departments in your scope, searched by name")
async def list_departments(
    principal: CurrentPrincipal,
    deps: DepsDep,
    q: Annotated[
        str | None,
        Query(max_length=100, pattern=r"^[^\x00]*$", description="part of the name or code"),
    ] = None,
    region_code: RegionCode | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> DepartmentPageOut:
    found = await views.search(
        principal=principal,
        uow=deps.uow(principal),
        q=q,
        region_code=region_code,
        limit=limit,
        offset=offset,
    )
    return DepartmentPageOut(items=[_out(d) for d in found.items], total=found.total)


@router.get("/departments/{department_id}", summary="One department")
async def get_department(
    department_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> DepartmentOut:
    return _out(
        await views.get(principal=principal, uow=deps.uow(principal), department_id=department_id)
    )


@router.post("/departments", status_code=201, summary="Register a department of your area")
async def register_department(
    body: DepartmentIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> DepartmentOut:
    department, created = await handlers.register_department(
        handlers.RegisterDepartment(**body.model_dump()),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/departments/{department.id}", created=created)
    return _out(department)


@router.patch("/departments/{department_id}", summary="Change a department's name or contact")
async def update_department(
    department_id: UUID, body: DepartmentPatch, principal: CurrentPrincipal, deps: DepsDep
) -> DepartmentOut:
    department = await handlers.update_department(
        handlers.UpdateDepartment(department_id, body.changes()),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
    )
    return _out(department)
