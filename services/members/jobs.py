"""Time-driven work of the members service: the festival calendar (八必访 no. 8).

Runs in every replica (started with `Runtime.spawn` in main.py); the unique festival key, not a
leader, makes each festival-year declared and published once.
"""

from __future__ import annotations

import asyncio

from services.members.deps import Deps
from services.members.handlers.occasions import declare_due_festivals
from shared.logging import get_logger

log = get_logger(__name__)


async def festival_schedule(deps: Deps) -> None:
    """Every `festival_schedule_interval_seconds`, declare the festivals that fall due.

    A failed pass (database away, say) is logged and retried at the next tick; the loop itself
    ends only when the service stops it.
    """
    settings = deps.settings
    while True:
        try:
            declared = await declare_due_festivals(
                deps.uow, deps.clock, settings.festival_lead_days
            )
            for occasion in declared:
                log.info(
                    "festival declared",
                    occasion_id=str(occasion.id),
                    festival_key=occasion.festival_key,
                )
        except Exception:
            log.exception("festival schedule pass failed")
        await asyncio.sleep(settings.festival_schedule_interval_seconds)
