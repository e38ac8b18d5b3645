"""Reminders before the due date: a member hears once, a few days ahead, of what is still owed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from services.notifications.handlers.notify import Notifier
from services.notifications.handlers.reminders import remind_once
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.kernel import FixedClock
from tests.unit.notifications import events as e
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork

# 17 Sep 2026, 10:00 in Harbin: the obligations of the builders fall due on the 20th.
SEP_17 = datetime(2026, 9, 17, 2, tzinfo=UTC)


async def remind(uow: NotificationsUnitOfWork, at: datetime) -> int:
    notifier = Notifier(FixedClock(at), timedelta(days=7))
    return await remind_once(lambda: uow, notifier, timezone="Asia/Shanghai", days_before=3)


async def test_a_member_is_reminded_once_three_days_before_the_due_date(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork
) -> None:
    member_id = uuid4()
    async with uow:
        await uow.watch.watch(e.obligation_opened(member_id))

    assert await remind(uow, SEP_17 - timedelta(days=1)) == 0
    assert await remind(uow, SEP_17) == 1
    assert await remind(uow, SEP_17 + timedelta(days=1)) == 0

    (item,) = fake.notifications.of(f"member:{member_id}")
    assert item.kind == "obligation_reminder"
    assert "3" in item.title + item.body  # days left


async def test_a_settled_obligation_is_not_reminded_of(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork
) -> None:
    opened = e.obligation_opened(uuid4())
    async with uow:
        await uow.watch.watch(opened)
        await uow.watch.settle(opened.obligation_id)

    assert await remind(uow, SEP_17) == 0

    assert fake.notifications.items == {}
