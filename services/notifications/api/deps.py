"""What the notifications endpoints are given (built once in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.notifications.domain.recipients import inbox_key
from services.notifications.settings import NotificationsSettings
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Principal
from shared.errors import Forbidden
from shared.kernel import Clock
from shared.web.security import CurrentPrincipal


@dataclass
class Deps:
    pool: asyncpg.Pool
    clock: Clock
    settings: NotificationsSettings

    def uow(self) -> NotificationsUnitOfWork:
        return NotificationsUnitOfWork(self.pool)


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


def get_inbox_key(principal: CurrentPrincipal) -> str:
    key = inbox_key(principal)
    if key is None:
        raise Forbidden(f"role {principal.role.value} has no inbox")
    return key


DepsDep = Annotated[Deps, Depends(get_deps)]
InboxKey = Annotated[str, Depends(get_inbox_key)]
__all__ = ["Deps", "DepsDep", "InboxKey", "Principal"]
