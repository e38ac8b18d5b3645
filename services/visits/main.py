"""Composition root of the visits service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.visits import jobs
from services.visits.api import ROUTERS
from services.visits.api.deps import Deps
from services.visits.consumers import members_events
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.bootstrap import create_platform_app
from shared.kernel import Clock, SystemClock
from shared.runtime import Runtime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: VisitsSettings | None = None,
    *,
    clock: Clock | None = None,
    sweep: bool = True,
    bridge: bool = True,
) -> FastAPI:
    settings = settings or VisitsSettings()
    clock = clock or SystemClock()

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.deps = Deps(runtime.pool, clock, settings)
        uow_factory = lambda: VisitsUnitOfWork(runtime.pool)  # noqa: E731
        if sweep:
            runtime.spawn(jobs.obligation_sweep(uow_factory, clock, settings), name="sweep")
        # No platform URL: the bridge is off and assignments stay pending until it is set.
        if bridge and settings.disposal_platform_url:
            runtime.spawn(jobs.dispatch_forever(uow_factory, settings), name="bridge")

    return create_platform_app(
        settings,
        title="Visits service (走访与履职清单)",
        description="Contact records, must-visit obligations and the duty list.",
        migrations_dir=MIGRATIONS,
        routers=ROUTERS,
        consumers=[members_events(settings)],
        on_start=on_start,
    )
