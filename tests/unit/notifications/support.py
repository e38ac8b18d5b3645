"""Small builders for the notifications use-case tests: inbox items and principals."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from services.notifications.repository.notifications import NewDelivery, NewNotification
from shared.auth import Principal, Role
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork


def member(member_id: UUID | None = None, region: str = "230302") -> Principal:
    member_id = member_id or uuid4()
    return Principal(f"m-{member_id}", Role.MEMBER, region, member_id)


def staff(role: Role = Role.CITY_ADMIN, region: str = "230300") -> Principal:
    return Principal("staff-1", role, region)


async def inbox_item(
    fake: FakeNotificationsUnitOfWork,
    key: str,
    at: datetime,
    *,
    region: str = "230302",
    priority: str = "normal",
    channel: str | None = None,
    status: str = "pending",
) -> tuple[NewNotification, NewDelivery | None]:
    """An item already in `key`'s inbox, with one delivery on `channel` if given."""
    item = NewNotification(
        uuid4(), uuid4(), key, None, region, "policy_issued", priority, "标题", "正文", at
    )
    await fake.notifications.add_many([item])
    if channel is None:
        return item, None
    delivery = NewDelivery(uuid4(), item.id, channel, status, at)
    await fake.notifications.add_deliveries([delivery], at)
    return item, delivery
