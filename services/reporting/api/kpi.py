"""GET /v1/kpi/summary: every KPI with its numerator and denominator, drill-down by level."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.reporting.api.deps import DepsDep
from services.reporting.api.scope import KpiScope, kpi_scope
from services.reporting.domain import rates
from services.reporting.views import kpi as views
from services.reporting.views import names as names_of
from shared.auth import Principal
from shared.contracts.members import CommitteeCode, SectorCode
from shared.errors import InvalidInput
from shared.regions import RegionCode
from shared.web.params import Day
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/kpi", tags=["kpi"])
_MAX_DAYS_IN_SERIES = 366
_NEXT_LEVEL: dict[str, str] = {"province": "city", "city": "county", "county": "member"}


class RateOut(BaseModel):
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator ÷ denominator; null when nothing is due")


class DrillDown(BaseModel):
    region_code: str
    group_by: views.GroupBy


class KpiRow(BaseModel):
    key: str = Field(
        description="the group: region, sector, committee, workstation or member id; 'all'; "
        "for day/month/year the period as 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'"
    )
    label: str | None = None
    counts: dict[str, int]
    rates: dict[str, RateOut]
    average_days_to_reply: float | None
    drill_down: DrillDown | None = None


class KpiSummary(BaseModel):
    region_code: str
    group_by: views.GroupBy | None
    from_: date | None = Field(alias="from")
    to: date | None
    rows: list[KpiRow]
    next_cursor: str | None


@router.get("/summary", summary="KPIs within your scope, optionally grouped (drill-down)")
async def summary(
    principal: CurrentPrincipal,
    deps: DepsDep,
    region_code: Annotated[RegionCode | None, Query()] = None,
    sector_code: Annotated[SectorCode | None, Query()] = None,
    special_committee_code: Annotated[CommitteeCode | None, Query()] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Annotated[Day | None, Query()] = None,
    group_by: Annotated[views.GroupBy | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> KpiSummary:
    scope, flt = kpi_filter(
        principal, region_code, sector_code, special_committee_code, from_, to, deps.today()
    )
    if group_by == "day" and not (from_ and to and (to - from_).days < _MAX_DAYS_IN_SERIES):
        # One row per day is a chart's series, not an export of years of rows.
        raise InvalidInput(
            f"group_by=day needs `from` and `to` at most {_MAX_DAYS_IN_SERIES} days apart"
        )
    async with deps.pool.acquire() as conn:
        counts = await views.kpi_counts(conn, flt, group_by)
        keys = sorted(k for k in counts if cursor is None or k > cursor)[: limit + 1]
        names = await names_of.row_labels(conn, group_by, keys[:limit])
    rows = [kpi_row(k, counts[k], names.get(k), group_by) for k in keys[:limit]]
    return KpiSummary.model_validate(
        {
            "region_code": scope.region_code,
            "group_by": group_by,
            "from": from_,
            "to": to,
            "rows": rows,
            "next_cursor": keys[limit - 1] if len(keys) > limit else None,
        }
    )


def kpi_filter(
    principal: Principal,
    region_code: str | None,
    sector_code: str | None,
    special_committee_code: str | None,
    from_: date | None,
    to: date | None,
    as_of: date,
) -> tuple[KpiScope, views.KpiFilter]:
    """The caller's scope and the filter every KPI read (summary, export) applies."""
    scope = kpi_scope(principal, region_code)
    if from_ and to and from_ > to:
        raise InvalidInput("`from` is after `to`")
    flt = views.KpiFilter(
        scope.region_prefix, sector_code, scope.member_id, special_committee_code, from_, to, as_of
    )
    return scope, flt


def kpi_row(key: str, counts: dict[str, int], label: str | None, group_by: str | None) -> KpiRow:
    replied = counts.get("concerns_replied", 0)
    next_level = _NEXT_LEVEL.get(group_by or "")
    drill = (
        DrillDown.model_validate({"region_code": key, "group_by": next_level})
        if next_level
        else None
    )
    return KpiRow(
        key=key,
        label=label,
        counts={k: v for k, v in counts.items() if k != "days_to_reply_total"},
        rates={
            name: RateOut(numerator=r.numerator, denominator=r.denominator, value=r.value)
            for name, r in rates(counts).items()
        },
        average_days_to_reply=(
            round(counts.get("days_to_reply_total", 0) / replied, 2) if replied else None
        ),
        drill_down=drill,
    )
