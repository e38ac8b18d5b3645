"""What the visits service's endpoints are given (built once in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.kernel import Clock


@dataclass
class Deps:
    pool: asyncpg.Pool
    clock: Clock
    settings: VisitsSettings

    def uow(self) -> VisitsUnitOfWork:
        return VisitsUnitOfWork(self.pool)


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(get_deps)]
