"""Running reporting over a published history and reading its KPIs back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.reporting.consumers import KPI_GROUP, reporting_consumers
from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from tests.support.kafka import group_lag
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

YEAR_2026 = {"from": "2026-01-01", "to": "2026-12-31"}


@asynccontextmanager
async def reporting(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform.settings(ReportingSettings, "reporting"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


async def caught_up(platform: Platform, applied: int, *, timeout: float = 120) -> None:
    """Every distinct event applied, and every delivered message (duplicates too) committed."""
    await eventually(
        lambda: platform.fetchval(
            "reporting", "SELECT count(*) FROM inbox_message WHERE consumer_group = $1", KPI_GROUP
        ),
        lambda n: n == applied,
        timeout=timeout,
        interval=0.2,
        what=f"{applied} events applied",
    )
    [kpi] = [s for s in reporting_consumers(ReportingSettings()) if s.group == KPI_GROUP]
    group = platform.group(KPI_GROUP)
    for topic in kpi.topics:
        await eventually(
            lambda t=topic: group_lag(platform.stack.kafka_bootstrap, group, platform.topic(t)),  # type: ignore[misc]
            lambda lag: lag == 0,
            timeout=timeout,
            interval=0.2,
            what=f"{topic} consumed",
        )


async def summary(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> Any:
    response = await client.get("/v1/kpi/summary", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def rate_triples(row: dict[str, Any]) -> dict[str, tuple[int, int, float | None]]:
    return {
        name: (r["numerator"], r["denominator"], r["value"]) for name, r in row["rates"].items()
    }
