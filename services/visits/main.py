"""Composition root of the visits service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.visits.consumers import member_roster
from services.visits.settings import VisitsSettings
from shared.bootstrap import service_lifespan, token_verifier
from shared.web.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: VisitsSettings | None = None) -> FastAPI:
    settings = settings or VisitsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(
            app, settings, migrations_dir=MIGRATIONS, consumers=[member_roster]
        ) as runtime:
            app.state.pool = runtime.pool
            yield

    return create_service_app(
        title="Visits service (走访与履职清单)",
        description="Contact records, must-visit obligations and the duty list.",
        service=settings.service_name,
        lifespan=lifespan,
        routers=[],
        token_verifier=token_verifier(settings),
        max_body_bytes=settings.max_body_bytes,
    )
