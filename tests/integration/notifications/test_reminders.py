"""Reminders before the due date (八必访): a member hears once, two days ahead, about what is
still owed; a fulfilled obligation, or one far off, is left alone; replicas do not double up."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.notifications.handlers.notify import Notifier
from services.notifications.handlers.reminders import remind_once
from services.notifications.main import create_app
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts import visits as v
from shared.db.pool import create_pool
from shared.kernel import FixedClock
from tests.integration.notifications import harness as h
from tests.support.builders import member_registered, publish
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

REMINDERS = "SELECT member_id, title FROM notification WHERE kind = 'obligation_reminder'"


async def test_owed_obligations_are_reminded_once_two_days_before_they_are_due(
    platform: Platform,
) -> None:
    soon, later, done = (member_registered(region_code="230302") for _ in range(3))
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()  # due dates are local days
    clock = FixedClock(now)
    due_soon = h.obligation_opened(soon.member_id).model_copy(
        update={"due_on": today + timedelta(days=2)}
    )
    due_later = h.obligation_opened(later.member_id).model_copy(
        update={"due_on": today + timedelta(days=10)}
    )
    fulfilled = h.obligation_opened(done.member_id).model_copy(
        update={"due_on": today + timedelta(days=1)}
    )
    settings = h.notification_settings(platform, 2525, "", **h.NEVER_QUIET)
    app = create_app(settings, clock=clock, deliver=False)
    pool = await create_pool(platform.database_urls["notifications"])
    notifier = Notifier(clock, timedelta(days=7))
    try:
        async with serving(app):
            for e in (soon, later, done, due_soon, due_later, fulfilled):
                await publish(platform, e)
            await publish(
                platform,
                v.ObligationFulfilledV1(
                    occurred_at=now,
                    region_code=fulfilled.region_code,
                    obligation_id=fulfilled.obligation_id,
                    member_id=done.member_id,
                    occasion_kind=fulfilled.occasion_kind,
                    sector_code=fulfilled.sector_code,
                    due_on=fulfilled.due_on,
                    visit_id=fulfilled.source_id,
                    fulfilled_on=now.date(),
                    on_time=True,
                ),
            )
            await eventually(
                lambda: platform.fetchval(
                    "notifications",
                    "SELECT count(*) FILTER (WHERE owed) || '/' || count(*) FROM obligation_watch",
                ),
                lambda counts: counts == "2/3",
                what="three obligations watched, one settled",
            )

            def replica() -> Coroutine[Any, Any, int]:
                return remind_once(
                    lambda: NotificationsUnitOfWork(pool),
                    notifier,
                    timezone="Asia/Shanghai",
                    days_before=2,
                )

            first = await asyncio.gather(replica(), replica())
            again = await replica()
            reminders = await pool.fetch(REMINDERS)
    finally:
        await pool.close()
    assert sum(first) == 1
    assert again == 0
    assert [r["member_id"] for r in reminders] == [soon.member_id]
    assert "还有 2 天到期" in reminders[0]["title"]
