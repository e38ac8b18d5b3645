"""Staff views of deliveries: what failed for good in their region, and retrying it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.notifications import views
from services.notifications.api.deps import DepsDep
from services.notifications.handlers import retry as commands
from shared.web.security import CurrentPrincipal

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


@router.get("", summary="Deliveries in your region by status (e.g. failed)")
async def list_deliveries(
    principal: CurrentPrincipal,
    deps: DepsDep,
    status: Status = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryPage:
    pattern = commands.staff_region_pattern(principal)
    async with deps.pool.acquire() as conn:
        rows = await views.deliveries(conn, status=status, region_pattern=pattern, limit=limit)
    return DeliveryPage(items=[DeliveryOut(**r.__dict__) for r in rows])


@router.post("/{delivery_id}/retry", summary="Send a failed delivery again", status_code=202)
async def retry_delivery(delivery_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> None:
    cmd = commands.RetryDelivery(delivery_id)
    await commands.retry_delivery(cmd, principal=principal, uow=deps.uow(), clock=deps.clock)
