"""The dashboard (履职统计看板): KPI cards, charts drawn as SVG, drill-down and dossiers.

Static files under the shared strict CSP; the page calls this service's JSON API with the
token it takes from the URL fragment, through the page kit every service serves (`/app/kit/`).
"""

from __future__ import annotations

from pathlib import Path

from shared.web.pages import pages_router

router = pages_router(
    Path(__file__).resolve().parent / "static",
    pages=("dashboard",),
    assets=("dashboard.css", "dashboard.js", "charts.js", "icon.svg"),
)
