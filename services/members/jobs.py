"""Time-driven work of the members service: the festival calendar (八必访 no. 8).

Runs in every replica (started with `Runtime.spawn` in main.py); the unique festival key, not a
leader, makes each festival-year declared and published once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from services.members.handlers.occasions import DeclareDueFestivals, declare_due_festivals
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.kernel import Clock
from shared.logging import get_logger

log = get_logger(__name__)


async def festival_schedule(
    uow: Callable[[], MembersUnitOfWork], clock: Clock, settings: MembersSettings
) -> None:
    """Every `festival_schedule_interval_seconds`, declare the festivals that fall due.

    `uow` makes a platform-wide unit of work per pass. A failed pass (database away, say) is
    logged and retried at the next tick; the loop itself ends only when the service stops it.
    """
    due = DeclareDueFestivals(settings.festival_lead_days, settings.deployment_region)
    while True:
        try:
            for occasion in await declare_due_festivals(due, uow=uow(), clock=clock):
                log.info(
                    "festival declared",
                    occasion_id=str(occasion.id),
                    festival_key=occasion.festival_key,
                )
        except Exception:
            log.exception("festival schedule pass failed")
        await asyncio.sleep(settings.festival_schedule_interval_seconds)
