"""What the notifications endpoints are given (built once in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.notifications.handlers.inbox import inbox_of
from services.notifications.settings import NotificationsSettings
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Principal
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
    return inbox_of(principal)


def get_inbox_owner(principal: CurrentPrincipal) -> Principal:
    """The caller, refused before the body is read if their role has no inbox."""
    inbox_of(principal)
    return principal


DepsDep = Annotated[Deps, Depends(get_deps)]
InboxKey = Annotated[str, Depends(get_inbox_key)]
InboxOwner = Annotated[Principal, Depends(get_inbox_owner)]
__all__ = ["Deps", "DepsDep", "InboxKey", "InboxOwner", "Principal"]
