"""Composition root of the reporting service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from services.reporting import pages
from services.reporting.api import dossier, exports, feed, kpi, member_counts
from services.reporting.consumers import kpi_projections, member_directory
from services.reporting.deidentify import Pseudonymizer
from services.reporting.settings import ReportingSettings
from shared.bootstrap import create_platform_app
from shared.runtime import Runtime

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Deps:
    pool: asyncpg.Pool


def pseudonymizer(settings: ReportingSettings) -> Pseudonymizer:
    return Pseudonymizer(settings.pseudonym_key.get_secret_value().encode())


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.deps = Deps(runtime.pool)

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
            pages.router,
        ],
        consumers=[member_directory, kpi_projections(pseudonymizer(settings))],
        on_start=on_start,
    )
