"""The caller's own inbox (站内信): whose it is, and marking an item read."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.notifications.domain.recipients import inbox_key
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.kernel import Clock


@dataclass(frozen=True)
class MarkRead:
    notification_id: UUID


def inbox_of(principal: Principal) -> str:
    """The one inbox the token names; roles without one (data platform, auditor) are refused."""
    key = inbox_key(principal)
    if key is None:
        raise Forbidden(f"role {principal.role.value} has no inbox")
    return key


async def mark_read(
    cmd: MarkRead, *, principal: Principal, uow: NotificationsUnitOfWork, clock: Clock
) -> None:
    """Read once, read for good: marking it again keeps the first time."""
    key = inbox_of(principal)
    async with uow:
        if not await uow.notifications.mark_read(key, cmd.notification_id, clock.now()):
            # Someone else's item answers as a missing one: ids are never confirmed.
            raise NotFound("no such notification in your inbox")
        await uow.commit()
