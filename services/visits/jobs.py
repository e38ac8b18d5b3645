"""Time-driven work of the visits service: the overdue and escalation sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from services.visits.handlers.obligations import sweep_once
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.kernel import Clock
from shared.logging import get_logger

log = get_logger(__name__)


async def obligation_sweep(
    uow_factory: Callable[[], VisitsUnitOfWork], clock: Clock, settings: VisitsSettings
) -> None:
    """Runs in every replica; row locks (SKIP LOCKED) keep them from doing a row twice."""
    while True:
        try:
            overdue, escalated = await sweep_once(
                uow_factory,
                clock=clock,
                timezone=settings.timezone,
                escalate_after_days=settings.escalate_after_days,
                batch_size=settings.sweep_batch_size,
            )
            if overdue or escalated:
                log.info("obligation sweep", overdue=overdue, escalated=escalated)
        except Exception:
            log.exception("obligation sweep failed")
        await asyncio.sleep(settings.sweep_interval_seconds)
