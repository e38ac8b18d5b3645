"""Staff views of deliveries: what failed for good in their region, and retrying it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.notifications.api.deps import DepsDep
from shared.auth import STAFF_ROLES, Principal
from shared.errors import NotFound
from shared.regions import scope_prefix
from shared.web.security import CurrentPrincipal, require_role

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"])
Status = Literal["pending", "sent", "failed", "cancelled"]


class DeliveryOut(BaseModel):
    """No message text and no address: the recipient appears by its pseudonymous key."""

    id: UUID
    notification_id: UUID
    channel: str
    status: str
    attempts: int
    kind: str
    recipient_key: str
    region_code: str
    last_error: str | None
    updated_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]


def _scope(principal: Principal) -> str:
    require_role(principal, STAFF_ROLES)
    return scope_prefix(principal.region_code) + "%"


@router.get("", summary="Deliveries in your region by status (e.g. failed)")
async def list_deliveries(
    principal: CurrentPrincipal,
    deps: DepsDep,
    status: Status = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryPage:
    pattern = _scope(principal)
    async with deps.uow() as uow:
        rows = await uow.deliveries.by_status(status, pattern, limit)
    return DeliveryPage(items=[DeliveryOut(**r.__dict__) for r in rows])


@router.post("/{delivery_id}/retry", summary="Send a failed delivery again", status_code=202)
async def retry_delivery(delivery_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> None:
    pattern = _scope(principal)
    async with deps.uow() as uow:
        if not await uow.deliveries.retry(delivery_id, pattern, deps.clock.now()):
            raise NotFound("no failed delivery with this id in your region")
        await uow.commit()
