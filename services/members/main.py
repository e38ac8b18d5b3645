"""Composition root of the members service: create_app(settings) wires everything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from services.members.api import router
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.bootstrap import create_platform_app
from shared.kernel import Clock, SystemClock
from shared.runtime import Runtime

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Deps:
    pool: asyncpg.Pool
    clock: Clock

    def uow(self) -> MembersUnitOfWork:
        return MembersUnitOfWork(self.pool)


def create_app(settings: MembersSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.deps = Deps(runtime.pool, clock or SystemClock())

    return create_platform_app(
        settings or MembersSettings(),
        title="Members service (委员与联系人)",
        description="The province's directory: members, their units and liaisons, occasions.",
        migrations_dir=MIGRATIONS,
        routers=[router],
        on_start=on_start,
    )
