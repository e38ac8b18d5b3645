"""Notifications use cases."""

from __future__ import annotations

from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts.members import MemberRegisteredV1


async def remember_recipient(event: MemberRegisteredV1, uow: NotificationsUnitOfWork) -> None:
    await uow.recipients.upsert(event)
