"""Composition root of the members service: create_app(settings) wires everything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from services.members.api import router
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.bootstrap import service_lifespan, token_verifier
from shared.kernel import Clock, SystemClock
from shared.web.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Deps:
    pool: asyncpg.Pool
    clock: Clock

    def uow(self) -> MembersUnitOfWork:
        return MembersUnitOfWork(self.pool)


def create_app(settings: MembersSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or MembersSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(app, settings, migrations_dir=MIGRATIONS) as runtime:
            app.state.deps = Deps(runtime.pool, clock or SystemClock())
            yield

    return create_service_app(
        title="Members service (委员与联系人)",
        description="The province's directory: members, their units and liaisons, occasions.",
        service=settings.service_name,
        lifespan=lifespan,
        routers=[router],
        token_verifier=token_verifier(settings),
        max_body_bytes=settings.max_body_bytes,
    )
