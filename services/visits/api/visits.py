"""Visits HTTP endpoints: contact records (走访记录)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from services.visits.api.access import owner_filter
from services.visits.api.concerns import RaisedConcernIn
from services.visits.api.deps import DepsDep
from services.visits.commands import RaisedConcern, RecordVisit
from services.visits.handlers.visits import record_visit
from services.visits.views import visits as views
from shared.contracts.visits import Channel, PlaceKind, VisitOccasion
from shared.errors import NotFound
from shared.web.params import Day, IdempotencyKey, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["visits"])
Count = Annotated[int, Field(ge=0, le=100_000)]


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["photo", "sign_in_sheet", "document"]
    ref: Annotated[str, Field(min_length=1, max_length=500, description="storage key or URL")]


class VisitIn(BaseModel):
    """One contact. Staff recording on a member's behalf give that member's id."""

    model_config = ConfigDict(extra="forbid")

    member_id: UUID
    channel: Channel
    occasion: VisitOccasion = "routine"
    occurred_on: date
    place_kind: PlaceKind = "other"
    place_id: UUID | None = None
    liaison_ids: Annotated[list[UUID], Field(max_length=50)] = []
    people_reached: Count
    heart_to_heart_talks: Count = 0
    summary: Annotated[str, Field(min_length=1, max_length=4000)]
    evidence: Annotated[list[Evidence], Field(max_length=20)] = []
    obligation_ids: Annotated[
        list[UUID] | None,
        Field(max_length=50, description="which obligations it fulfils; default: all it can"),
    ] = None
    concerns: Annotated[
        list[RaisedConcernIn],
        Field(max_length=20, description="concerns raised: they join the member's duty list"),
    ] = []


class VisitOut(BaseModel):
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    channel: str
    occasion: str
    occurred_on: date
    place_kind: str
    place_id: UUID | None
    place_name: str | None
    liaison_ids: list[UUID]
    people_reached: int
    heart_to_heart_talks: int
    summary: str
    evidence: list[Evidence]
    recorded_by_role: str
    recorded_at: datetime
    fulfilled_obligation_ids: list[UUID]


class VisitPage(BaseModel):
    items: list[VisitOut]
    next_cursor: UUID | None


@router.post("/visits", status_code=201, summary="Record a contact with constituents")
async def post_visit(
    body: VisitIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> VisitOut:
    cmd = RecordVisit(
        **body.model_dump(exclude={"evidence", "concerns"}),
        evidence=[e.model_dump() for e in body.evidence],
        concerns=[RaisedConcern(**c.model_dump()) for c in body.concerns],
    )
    record, created = await record_visit(
        cmd,
        principal=principal,
        uow=deps.uow(),
        clock=deps.clock,
        timezone=deps.settings.timezone,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/visits/{record.id}", created=created)
    return VisitOut.model_validate(
        {**record.__dict__, "evidence": record.evidence}, from_attributes=False
    )


@router.get("/visits", summary="Contact records: your own, or your region's")
async def list_visits(
    principal: CurrentPrincipal,
    deps: DepsDep,
    member_id: Annotated[UUID | None, Query()] = None,
    occasion: Annotated[VisitOccasion | None, Query()] = None,
    since: Annotated[Day | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> VisitPage:
    owner = owner_filter(principal) or member_id
    async with deps.pool.acquire() as conn:
        rows = await views.visits(
            conn,
            scope=principal.region_code,
            member_id=owner,
            occasion=occasion,
            since=since,
            after=after,
            limit=limit,
        )
    items = [VisitOut.model_validate(r) for r in rows]
    return VisitPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/visits/{visit_id}", summary="One contact record")
async def get_visit(visit_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> VisitOut:
    async with deps.pool.acquire() as conn:
        row = await views.visit(
            conn, visit_id, scope=principal.region_code, member_id=owner_filter(principal)
        )
    if row is None:
        raise NotFound("contact record not found")
    return VisitOut.model_validate(row)
