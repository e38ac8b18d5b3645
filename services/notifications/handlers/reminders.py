"""Reminders before the due date: a member hears once, `reminder_days_before` days ahead.

Safe in every replica: the watched rows are claimed FOR UPDATE SKIP LOCKED and marked in the
same transaction that writes the notifications, and a reminder's id derives from its
obligation, so even a repeated pass could not notify twice (unique per source and recipient).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.notifications.domain import reactions as react
from services.notifications.handlers.notify import Notifier
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)
_REMINDER_NAMESPACE = uuid.UUID("6c1b1f4e-2f7a-4a53-9a4e-3f0c2f8f6d21")


@dataclass(frozen=True)
class ReminderDue:
    """The source of a reminder notification (stands where an event would)."""

    event_id: uuid.UUID
    occurred_at: datetime
    event_type_name: str = "notifications.obligation.reminder_due"


async def remind_once(
    uow_factory: Callable[[], NotificationsUnitOfWork],
    notifier: Notifier,
    *,
    timezone: str,
    days_before: int,
    batch_size: int = 500,
) -> int:
    """One pass; returns how many obligations were reminded of."""
    now = notifier.clock.now()
    today = now.astimezone(ZoneInfo(timezone)).date()
    reminded = 0
    while True:
        async with uow_factory() as uow:
            due = await uow.watch.due_for_reminder(
                today=today, days_before=days_before, limit=batch_size
            )
            for o in due:
                source = ReminderDue(uuid.uuid5(_REMINDER_NAMESPACE, str(o.obligation_id)), now)
                reactions = react.obligation_reminder(
                    member_id=o.member_id,
                    region_code=o.region_code,
                    occasion_kind=o.occasion_kind,
                    due_on=o.due_on,
                    today=today,
                )
                await notifier.notify(source, reactions, uow)
            await uow.watch.mark_reminded([o.obligation_id for o in due], now)
            await uow.commit()
        reminded += len(due)
        if len(due) < batch_size:
            return reminded
