"""Members HTTP endpoints: must-visit occasions (八必访 1-4) and policies.

A policy (no. 3) has its own endpoint and event (`members.policy.issued.v1`); the other declared
kinds publish `members.occasion.declared.v1`. Sector festivals (no. 8) are never posted: the
festival calendar declares them (see services/members/jobs.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from services.members.api.deps import Deps, DepsDep
from services.members.domain.occasions import Declaration, Occasion, OccasionKind
from services.members.handlers import occasions as handlers
from services.members.views import occasions as views
from shared.auth import Principal
from shared.contracts.members import SectorCode, Title
from shared.regions import RegionCode
from shared.web.params import Day, IdempotencyKey, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["occasions"])
SectorCodes = Annotated[list[SectorCode], Field(min_length=1, max_length=50)]
RegionCodes = Annotated[
    list[RegionCode],
    Field(min_length=1, max_length=200, description="each inside your scope; 230000: province"),
]


class OccasionIn(BaseModel):
    """An important speech, a closed congress or session, or the coming plenary."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["leader_speech", "congress_closed", "plenary_upcoming"]
    title: Title
    occurs_on: dt.date = Field(description="the speech or close (past), the plenary (ahead)")
    sector_codes: SectorCodes
    region_codes: RegionCodes

    def declaration(self) -> Declaration:
        return Declaration(
            OccasionKind(self.kind),
            self.title,
            self.occurs_on,
            tuple(self.sector_codes),
            tuple(self.region_codes),
        )


class PolicyIn(BaseModel):
    """A central or provincial policy closely related to some sectors (八必访 no. 3)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    issued_on: dt.date
    sector_codes: SectorCodes
    region_codes: RegionCodes

    def declaration(self) -> Declaration:
        return Declaration(
            OccasionKind.POLICY_ISSUED,
            self.title,
            self.issued_on,
            tuple(self.sector_codes),
            tuple(self.region_codes),
        )


class OccasionOut(BaseModel):
    id: UUID
    kind: OccasionKind
    title: str
    occurs_on: dt.date
    sector_codes: list[str]
    region_codes: list[str]
    declared_at: dt.datetime
    declared_by: str

    @classmethod
    def of(cls, o: Occasion) -> OccasionOut:
        return cls(
            id=o.id,
            kind=o.kind,
            title=o.title,
            occurs_on=o.occurs_on,
            sector_codes=list(o.sector_codes),
            region_codes=list(o.region_codes),
            declared_at=o.declared_at,
            declared_by=o.declared_by,
        )


class OccasionPage(BaseModel):
    items: list[OccasionOut]
    next_cursor: UUID | None = Field(description="pass as `after` to get the next page")


async def _declare(
    declaration: Declaration,
    principal: Principal,
    deps: Deps,
    response: Response,
    idempotency_key: str | None,
) -> OccasionOut:
    occasion, created = await handlers.declare_occasion(
        handlers.DeclareOccasion(declaration),
        principal=principal,
        uow=deps.uow(principal),
        clock=deps.clock,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/occasions/{occasion.id}", created=created)
    return OccasionOut.of(occasion)


@router.post("/occasions", status_code=201, summary="Declare a must-visit occasion (1, 2, 4)")
async def declare_occasion(
    body: OccasionIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> OccasionOut:
    return await _declare(body.declaration(), principal, deps, response, idempotency_key)


@router.post("/policies", status_code=201, summary="Announce an issued policy (occasion 3)")
async def issue_policy(
    body: PolicyIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> OccasionOut:
    return await _declare(body.declaration(), principal, deps, response, idempotency_key)


@router.get("/occasions", summary="Occasions concerning your area, by id")
async def list_occasions(
    principal: CurrentPrincipal,
    deps: DepsDep,
    kind: Annotated[OccasionKind | None, Query()] = None,
    sector_code: Annotated[SectorCode | None, Query()] = None,
    from_date: Annotated[Day | None, Query(alias="from", description="occurs on or after")] = None,
    to_date: Annotated[Day | None, Query(alias="to", description="occurs on or before")] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OccasionPage:
    found = await views.list_occasions(
        principal=principal,
        uow=deps.uow(principal),
        kind=kind.value if kind else None,
        sector_code=sector_code,
        from_date=from_date,
        to_date=to_date,
        after=after,
        limit=limit,
    )
    next_cursor = found[-1].id if len(found) == limit else None
    return OccasionPage(items=[OccasionOut.of(o) for o in found], next_cursor=next_cursor)


@router.get("/occasions/{occasion_id}", summary="One occasion concerning your area")
async def get_occasion(
    occasion_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> OccasionOut:
    occasion = await views.get_occasion(occasion_id, principal=principal, uow=deps.uow(principal))
    return OccasionOut.of(occasion)
