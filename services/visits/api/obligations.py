"""Visits HTTP endpoints: must-visit obligations (八必访)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, computed_field

from services.visits.api.access import owner_filter
from services.visits.api.deps import DepsDep
from services.visits.commands import SweepObligations
from services.visits.handlers.obligations import SWEEP_OPERATORS, sweep_obligations
from services.visits.views import visits as views
from shared.contracts.visits import ObligationStatus, OccasionKind
from shared.errors import Forbidden, NotFound
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["obligations"])
Status = ObligationStatus
Escalation = Literal["none", "open", "fulfilled_late", "withdrawn"]


class ObligationOut(BaseModel):
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    special_committee_code: str | None
    occasion_kind: str
    source_id: UUID
    title: str
    liaison_id: UUID | None
    opened_at: datetime
    due_on: date
    status: str
    escalation_level: int
    escalated_to: str | None
    fulfilled_by: UUID | None
    fulfilled_on: date | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def escalation(self) -> Escalation:
        """'open': escalated and still owed; 'fulfilled_late': escalated, then fulfilled;
        'withdrawn': escalated, then no longer owed; 'none': never escalated."""
        if self.escalation_level == 0:
            return "none"
        if self.status == "fulfilled":
            return "fulfilled_late"  # escalation happens only past the due date
        return "withdrawn" if self.status == "withdrawn" else "open"


class SweepRunOut(BaseModel):
    trigger: Literal["schedule", "on_demand"]
    requested_by: str | None = Field(description="who asked for it (none for the schedule)")
    started_at: datetime
    finished_at: datetime
    overdue: int = Field(description="obligations that turned overdue in this pass")
    escalated: int = Field(description="obligations that climbed a rung in this pass")


class SweepRuns(BaseModel):
    runs: list[SweepRunOut] = Field(description="the last pass of each trigger that has run")


class ObligationPage(BaseModel):
    items: list[ObligationOut]
    next_cursor: UUID | None


@router.get("/obligations", summary="Obligations: your own, or your region's")
async def list_obligations(
    principal: CurrentPrincipal,
    deps: DepsDep,
    status: Annotated[list[Status] | None, Query()] = None,
    occasion_kind: Annotated[OccasionKind | None, Query()] = None,
    member_id: Annotated[UUID | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ObligationPage:
    owner = owner_filter(principal) or member_id
    async with deps.pool.acquire() as conn:
        rows = await views.obligations(
            conn,
            scope=principal.region_code,
            member_id=owner,
            statuses=list(status) if status else None,
            occasion_kind=occasion_kind,
            after=after,
            limit=limit,
        )
    items = [ObligationOut.model_validate(r) for r in rows]
    return ObligationPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.post(
    "/obligations/sweep",
    summary="Run the overdue and escalation sweep now (province and city offices)",
    description="For backfills after an outage or a catch-up of records: the same pass the "
    "schedule runs every few minutes, over every region; safe beside it (row locks).",
)
async def run_sweep(principal: CurrentPrincipal, deps: DepsDep) -> SweepRunOut:
    settings = deps.settings
    cmd = SweepObligations("on_demand", settings.escalate_after_days, settings.sweep_batch_size)
    run = await sweep_obligations(
        cmd,
        principal=principal,
        uow_factory=deps.uow,
        clock=deps.clock,
        timezone=settings.timezone,
    )
    return SweepRunOut.model_validate(run, from_attributes=True)


@router.get("/obligations/sweep", summary="When the sweep last ran, on schedule and on demand")
async def last_sweeps(principal: CurrentPrincipal, deps: DepsDep) -> SweepRuns:
    if principal.role not in SWEEP_OPERATORS:
        raise Forbidden("only the province and city offices see the sweep")
    async with deps.pool.acquire() as conn:
        runs = await views.sweep_runs(conn)
    return SweepRuns(runs=[SweepRunOut.model_validate(r) for r in runs])


@router.get("/obligations/{obligation_id}", summary="One obligation")
async def get_obligation(
    obligation_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> ObligationOut:
    async with deps.pool.acquire() as conn:
        row = await views.obligation(
            conn, obligation_id, scope=principal.region_code, member_id=owner_filter(principal)
        )
    if row is None:
        raise NotFound("obligation not found")
    return ObligationOut.model_validate(row)
