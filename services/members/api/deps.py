"""What the members service's endpoints are given (built once in the lifespan, in main.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.members.domain.members import LiaisonQuota
from services.members.identity import AccountDirectory
from services.members.pii import PiiCipher
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.kernel import Clock


@dataclass
class Deps:
    pool: asyncpg.Pool
    clock: Clock
    settings: MembersSettings
    cipher: PiiCipher
    # Keycloak's admin API, when sign-in accounts are provisioned (MEMBERS_OIDC_ISSUER set).
    directory: AccountDirectory | None = None

    def uow(self, principal: Principal | None = None) -> MembersUnitOfWork:
        """A unit of work scoped to the caller's region (None: platform-wide work)."""
        return MembersUnitOfWork(self.pool, scope=principal.region_code if principal else None)

    @property
    def quota(self) -> LiaisonQuota:
        s = self.settings
        return LiaisonQuota(s.liaison_quota_min, s.liaison_quota_target, s.liaison_quota_max)


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(get_deps)]
