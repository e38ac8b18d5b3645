"""Notifications reached (通知触达): a delivery to a member counts the notification once."""

from __future__ import annotations

from collections.abc import Sequence

from services.reporting.domain import local_day
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts.notifications import NotificationDeliveredV1


async def count_deliveries(
    events: Sequence[NotificationDeliveredV1], uow: ReportingUnitOfWork
) -> None:
    reached = {
        (e.notification_id, e.member_id): (e.region_code, local_day(e.occurred_at))
        for e in events
        if e.member_id is not None
    }
    if reached:
        await uow.notifications.reached(
            [(n, member, region, day) for (n, member), (region, day) in sorted(reached.items())]
        )
