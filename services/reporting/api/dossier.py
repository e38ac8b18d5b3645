"""GET /v1/members/{id}/dossier: a member's 履职档案, as JSON or a CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from services.reporting.api.deps import DepsDep
from services.reporting.api.kpi import KpiRow, kpi_row
from services.reporting.api.scope import may_read_dossier, require_dossier_reader
from services.reporting.domain import LOCAL_TZ
from services.reporting.views import dossier as views
from services.reporting.views import kpi
from shared.db.pool import DbConnection
from shared.errors import NotFound
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/members", tags=["dossier"])


class TimelineEntry(BaseModel):
    event_id: UUID
    occurred_at: datetime
    event_type: str
    subject_id: UUID | None
    facts: dict[str, Any]


class YearSummary(BaseModel):
    year: int
    kpis: KpiRow


class Dossier(BaseModel):
    member: dict[str, Any]
    years: list[YearSummary]
    timeline: list[TimelineEntry]


@router.get("/{member_id}/dossier", summary="A member's dossier: timeline and yearly summary")
async def dossier(
    member_id: UUID,
    principal: CurrentPrincipal,
    deps: DepsDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    require_dossier_reader(principal)  # before the lookup: a 403 must not confirm the id
    async with deps.pool.acquire() as conn:
        profile = await views.member_profile(conn, member_id)
        region = profile["region_code"] if profile else None
        if profile is None or not may_read_dossier(principal, member_id, region):
            raise NotFound("member not found")
        years = [year] if year else await views.years(conn, member_id)
        summaries = [await _year(conn, member_id, y, deps.today()) for y in years]
        start, end = _bounds(year)
        entries = await views.timeline(conn, member_id, start=start, end=end)
    if format == "csv":
        return _csv(member_id, entries)
    return Dossier(member=profile, years=summaries, timeline=entries)  # type: ignore[arg-type]


async def _year(conn: DbConnection, member_id: UUID, year: int, as_of: date) -> YearSummary:
    # Access was decided on the member; their facts count wherever they were recorded.
    first, last = date(year, 1, 1), date(year, 12, 31)
    flt = kpi.KpiFilter("", None, member_id, None, first, last, as_of)
    counts = (await kpi.kpi_counts(conn, flt, None)).get("all", {})
    return YearSummary(year=year, kpis=kpi_row(str(year), counts, None, None))


def _bounds(year: int | None) -> tuple[datetime, datetime]:
    if year is None:
        return datetime(1970, 1, 1, tzinfo=LOCAL_TZ), datetime(9999, 1, 1, tzinfo=LOCAL_TZ)
    return datetime(year, 1, 1, tzinfo=LOCAL_TZ), datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)


def _csv(member_id: UUID, entries: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["occurred_at", "event_type", "subject_id", "facts"])
    for e in entries:
        facts = json.dumps(e["facts"], ensure_ascii=False, sort_keys=True)
        writer.writerow([e["occurred_at"].isoformat(), e["event_type"], e["subject_id"], facts])
    return Response(
        content=out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dossier-{member_id}.csv"'},
    )
