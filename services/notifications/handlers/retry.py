"""Staff sending a delivery that failed for good round again (from the first attempt)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import STAFF_ROLES, Principal
from shared.errors import Forbidden, NotFound
from shared.kernel import Clock
from shared.regions import scope_prefix


@dataclass(frozen=True)
class RetryDelivery:
    delivery_id: UUID


def staff_region_pattern(principal: Principal) -> str:
    """Staff see deliveries of their own region and below (a LIKE pattern)."""
    if principal.role not in STAFF_ROLES:
        raise Forbidden(f"role {principal.role.value} may not do this")
    return scope_prefix(principal.region_code) + "%"


async def retry_delivery(
    cmd: RetryDelivery, *, principal: Principal, uow: NotificationsUnitOfWork, clock: Clock
) -> None:
    pattern = staff_region_pattern(principal)
    async with uow:
        if not await uow.deliveries.retry(cmd.delivery_id, pattern, clock.now()):
            # Not failed, or outside the caller's region: the same answer either way.
            raise NotFound("no failed delivery with this id in your region")
        await uow.commit()
