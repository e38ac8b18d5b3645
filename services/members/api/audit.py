"""Members HTTP endpoints: the personal-data audit log, read-only, for the security auditor.

There is deliberately no route that changes or deletes an audit row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.members.api.deps import DepsDep
from services.members.views import audit as views
from services.members.views.audit import AuditRecord
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["audit"])


class AuditRecordOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    liaison_id: UUID | None
    fields: list[str]
    reason: str

    @classmethod
    def of(cls, r: AuditRecord) -> AuditRecordOut:
        return cls(**r.__dict__)


class AuditPage(BaseModel):
    items: list[AuditRecordOut]
    next_cursor: int | None = Field(description="pass as `after` to get the next page")


@router.get("/audit/pii", summary="Who read or changed liaisons' personal data (auditors only)")
async def search_pii_audit(
    principal: CurrentPrincipal,
    deps: DepsDep,
    liaison_id: Annotated[UUID | None, Query()] = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    after: Annotated[
        int | None, Query(ge=0, description="the last id of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    records = await views.search_pii_audit(
        principal=principal,
        uow=deps.uow(principal),
        liaison_id=liaison_id,
        actor=actor,
        after=after,
        limit=limit,
    )
    next_cursor = records[-1].id if len(records) == limit else None
    return AuditPage(items=[AuditRecordOut.of(r) for r in records], next_cursor=next_cursor)
