"""Composition root of the reporting service."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting import web
from services.reporting.api import dossier, exports, feed, kpi, member_counts
from services.reporting.api.deps import Deps
from services.reporting.consumers import reporting_consumers
from services.reporting.settings import ReportingSettings
from services.reporting.unit_of_work import MIGRATIONS
from shared.bootstrap import create_platform_app
from shared.kernel import Clock, SystemClock
from shared.runtime import Runtime
from shared.web.asyncapi import data_platform_asyncapi


def create_app(settings: ReportingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """`clock` decides what "today" is for the figures (tests move it; default: the wall)."""
    settings = settings or ReportingSettings()

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.deps = Deps(runtime.pool, clock or SystemClock())

    return create_platform_app(
        settings,
        title="Reporting service (履职统计)",
        description="KPIs from member to province, built only from events.",
        migrations_dir=MIGRATIONS,
        routers=[
            member_counts.router,
            exports.router,
            kpi.router,
            dossier.router,
            feed.router,
            data_platform_asyncapi(settings),
            web.router,
        ],
        consumers=reporting_consumers(settings),
        on_start=on_start,
    )
