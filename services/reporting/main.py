"""Composition root of the reporting service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from services.reporting.api import router
from services.reporting.consumers import member_directory
from services.reporting.settings import ReportingSettings
from shared.bootstrap import create_platform_app
from shared.runtime import Runtime

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Deps:
    pool: asyncpg.Pool


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.deps = Deps(runtime.pool)

    return create_platform_app(
        settings or ReportingSettings(),
        title="Reporting service (履职统计)",
        description="KPIs from member to province, built only from events.",
        migrations_dir=MIGRATIONS,
        routers=[router],
        consumers=[member_directory],
        on_start=on_start,
    )
