"""Members HTTP endpoints: regions, sectors, committees and special committees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.members.api.deps import DepsDep
from services.members.handlers import organisation as handlers
from services.members.views import organisation as views
from shared.contracts.members import CommitteeCode, SectorCode
from shared.regions import RegionCode
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["organisation"])
LocalityCode = Annotated[str, Field(pattern=r"^[1-9][0-9]{5}([0-9]{3}([0-9]{3})?)?$")]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class RegionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: LocalityCode = Field(description="6 (county), 9 (township) or 12 (community) digits")
    name: Name


class RegionOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None


class Festival(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]


class SectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: SectorCode
    name: Name
    festivals: Annotated[list[Festival], Field(max_length=12)] = []


class SectorOut(BaseModel):
    code: str
    name: str
    active: bool
    festivals: list[Festival]


class CommitteeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: CommitteeCode
    name: Name
    region_code: RegionCode


class CommitteeOut(BaseModel):
    code: str
    name: str
    level: str
    region_code: str


class SpecialCommitteeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: CommitteeCode
    name: Name
    committee_code: CommitteeCode


class SpecialCommitteeOut(BaseModel):
    code: str
    name: str
    committee_code: str


@router.get("/regions", summary="Regions in your scope")
async def list_regions(
    principal: CurrentPrincipal,
    deps: DepsDep,
    parent_code: Annotated[str | None, Query(pattern=r"^[0-9]{6,12}$")] = None,
) -> list[RegionOut]:
    regions = await views.list_regions(
        principal=principal, uow=deps.uow(principal), parent_code=parent_code
    )
    return [RegionOut(**r.__dict__) for r in regions]


@router.post("/regions", status_code=201, summary="Add a county, township or community")
async def add_region(body: RegionIn, principal: CurrentPrincipal, deps: DepsDep) -> RegionOut:
    region = await handlers.add_region(
        handlers.AddRegion(body.code, body.name), principal=principal, uow=deps.uow(principal)
    )
    return RegionOut(**region.__dict__)


@router.get("/sectors", summary="The sector list (界别) with each sector's festivals")
async def list_sectors(principal: CurrentPrincipal, deps: DepsDep) -> list[SectorOut]:
    sectors = await views.list_sectors(uow=deps.uow(principal))
    return [
        SectorOut(
            code=s.code,
            name=s.name,
            active=s.active,
            festivals=[Festival(name=n, month=m, day=d) for n, m, d in s.festivals],
        )
        for s in sectors
    ]


@router.post("/sectors", status_code=201, summary="Add a sector (provincial office)")
async def add_sector(body: SectorIn, principal: CurrentPrincipal, deps: DepsDep) -> SectorOut:
    festivals = tuple((f.name, f.month, f.day) for f in body.festivals)
    await handlers.add_sector(
        handlers.AddSector(body.code, body.name, festivals),
        principal=principal,
        uow=deps.uow(principal),
    )
    return SectorOut(code=body.code, name=body.name, active=True, festivals=body.festivals)


@router.put("/sectors/{code}/festivals", summary="Replace a sector's festival calendar")
async def set_festivals(
    code: SectorCode, body: list[Festival], principal: CurrentPrincipal, deps: DepsDep
) -> list[Festival]:
    festivals = tuple((f.name, f.month, f.day) for f in body[:12])
    await handlers.set_festivals(
        handlers.SetFestivals(code, festivals), principal=principal, uow=deps.uow(principal)
    )
    return body[:12]


@router.get("/committees", summary="CPPCC committees in your scope")
async def list_committees(principal: CurrentPrincipal, deps: DepsDep) -> list[CommitteeOut]:
    committees = await views.list_committees(principal=principal, uow=deps.uow(principal))
    return [CommitteeOut(**c.__dict__) for c in committees]


@router.post("/committees", status_code=201, summary="Add a city or county committee")
async def add_committee(
    body: CommitteeIn, principal: CurrentPrincipal, deps: DepsDep
) -> CommitteeOut:
    committee = await handlers.add_committee(
        handlers.AddCommittee(body.code, body.name, body.region_code),
        principal=principal,
        uow=deps.uow(principal),
    )
    return CommitteeOut(**committee.__dict__)


@router.get("/special-committees", summary="Special committees (专委会) in your scope")
async def list_special_committees(
    principal: CurrentPrincipal, deps: DepsDep
) -> list[SpecialCommitteeOut]:
    specials = await views.list_special_committees(principal=principal, uow=deps.uow(principal))
    return [SpecialCommitteeOut(**s.__dict__) for s in specials]


@router.post("/special-committees", status_code=201, summary="Add a special committee")
async def add_special_committee(
    body: SpecialCommitteeIn, principal: CurrentPrincipal, deps: DepsDep
) -> SpecialCommitteeOut:
    special = await handlers.add_special_committee(
        handlers.AddSpecialCommittee(body.code, body.name, body.committee_code),
        principal=principal,
        uow=deps.uow(principal),
    )
    return SpecialCommitteeOut(**special.__dict__)
