"""GET /v1/kpi/summary/export: a KPI table as CSV, Excel or Parquet; GET /v1/kpi/labels.

The export takes the summary's filters and scope rules, and returns every row at once (no
cursor) up to MAX_ROWS. It carries what the summary shows and nothing more: codes, counts,
rates, and member names only where the summary names members.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.reporting.api import kpi
from services.reporting.api.deps import DepsDep
from services.reporting.api.scope import KpiScope
from services.reporting.domain import RATES
from services.reporting.views import exports as files
from services.reporting.views import kpi as views
from services.reporting.views import labels
from services.reporting.views import names as names_of
from shared.contracts.members import CommitteeCode, SectorCode
from shared.regions import RegionCode
from shared.web.params import Day
from shared.web.problems import Problem
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/kpi", tags=["kpi"])

# A province's members (~25k) fit; anything larger should come from the data-platform feed.
MAX_ROWS = 100_000


@router.get(
    "/summary/export",
    summary="Every row of a KPI summary as a file (CSV and Excel in Chinese, or Parquet)",
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for _, media, _ in files.WRITERS.values()},
            "description": "the table as an attachment",
        }
    },
)
async def export_summary(
    principal: CurrentPrincipal,
    deps: DepsDep,
    format: Annotated[Literal["csv", "xlsx", "parquet"], Query()],
    region_code: Annotated[RegionCode | None, Query()] = None,
    sector_code: Annotated[SectorCode | None, Query()] = None,
    special_committee_code: Annotated[CommitteeCode | None, Query()] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Annotated[Day | None, Query()] = None,
    group_by: Annotated[views.GroupBy | None, Query()] = None,
) -> Response:
    scope, flt = kpi.kpi_filter(
        principal, region_code, sector_code, special_committee_code, from_, to, deps.today()
    )
    async with deps.pool.acquire() as conn:
        counts = await views.kpi_counts(conn, flt, group_by)
        if len(counts) > MAX_ROWS:
            raise Problem(422, "Too Many Rows", f"more than {MAX_ROWS} rows: narrow the filters")
        keys = sorted(counts)
        # The names the summary shows, decided in one place (members only to those who may).
        names = await names_of.row_labels(conn, group_by, keys)
    rows = [
        kpi.kpi_row(k, counts[k], names.get(k) or labels.key_label(group_by, k), group_by)
        for k in keys
    ]
    # Every count and rate the summary carries, including any added after the label tables.
    count_names = labels.ordered(labels.COUNTS, {c for r in rows for c in r.counts})
    rate_names = labels.ordered((r for r in labels.RATES if r in RATES), RATES)
    table = files.KpiTable(
        files.columns(group_by, count_names, rate_names),
        [files.table_row(r.model_dump(), count_names, rate_names) for r in rows],
        _filters(scope, sector_code, special_committee_code, from_, to, group_by),
    )
    write, media_type, extension = files.WRITERS[format]
    name = f"kpi-{scope.region_code}-{group_by or 'total'}-{from_ or 'start'}-{to or 'now'}"
    return Response(
        write(table),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


def _filters(
    scope: KpiScope,
    sector_code: str | None,
    special_committee_code: str | None,
    from_: date | None,
    to: date | None,
    group_by: str | None,
) -> list[tuple[str, str]]:
    region = labels.REGIONS.get(scope.region_code, scope.region_code)
    return [
        ("地区", f"{region}（{scope.region_code}）"),
        ("界别", labels.SECTORS.get(sector_code, sector_code) if sector_code else "全部"),
        ("专委会", special_committee_code or "全部"),
        ("起始日期", from_.isoformat() if from_ else "不限"),
        ("截止日期", to.isoformat() if to else "不限"),
        ("分组", labels.GROUP_KEYS.get(group_by, "分组")),
    ]


@router.get("/labels", summary="Chinese names of the region and sector codes and of the KPIs")
async def kpi_labels(principal: CurrentPrincipal) -> dict[str, dict[str, str]]:
    del principal  # any signed-in caller: these are public reference names
    return {
        "regions": labels.REGIONS,
        "sectors": labels.SECTORS,
        "counts": labels.COUNTS,
        "rates": labels.RATES,
    }
