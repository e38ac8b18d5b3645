"""Composition root of the reporting service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from services.reporting.api import router
from services.reporting.consumers import member_directory
from services.reporting.settings import ReportingSettings
from shared.bootstrap import service_lifespan, token_verifier
from shared.web.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Deps:
    pool: asyncpg.Pool


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(
            app, settings, migrations_dir=MIGRATIONS, consumers=[member_directory]
        ) as runtime:
            app.state.deps = Deps(runtime.pool)
            yield

    return create_service_app(
        title="Reporting service (履职统计)",
        description="KPIs from member to province, built only from events.",
        service=settings.service_name,
        lifespan=lifespan,
        routers=[router],
        token_verifier=token_verifier(settings),
        max_body_bytes=settings.max_body_bytes,
    )
