"""What the reporting endpoints are given (built once in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.reporting.domain import LOCAL_TZ
from shared.kernel import Clock, SystemClock


@dataclass
class Deps:
    pool: asyncpg.Pool
    # Where "today" comes from (whether an obligation is due yet): the wall clock, or a test's.
    clock: Clock = field(default_factory=SystemClock)

    def today(self) -> date:
        """The deployment's calendar day (China keeps one zone), not UTC's."""
        return self.clock.now().astimezone(LOCAL_TZ).date()


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(get_deps)]
