"""Time-driven work of the visits service: the obligation sweep and the disposal-platform bridge.

Both run in every replica until cancelled; row locks (SKIP LOCKED), not being alone, keep two
replicas from doing the same row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from services.visits.adapters import DisposalPlatform
from services.visits.commands import DispatchAssignments, SweepObligations
from services.visits.handlers.bridge import dispatch_assignments
from services.visits.handlers.obligations import sweep_obligations
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.kernel import Clock
from shared.logging import get_logger
from shared.telemetry import job_run

log = get_logger(__name__)

UowFactory = Callable[[], VisitsUnitOfWork]


async def sweep_once(
    uow_factory: UowFactory,
    *,
    clock: Clock,
    timezone: str,
    escalate_after_days: int,
    batch_size: int,
) -> tuple[int, int]:
    """One pass: past-due obligations turn overdue, long-overdue ones climb the ladder.

    Each batch is its own transaction. Returns (overdue, escalated).
    """
    cmd = SweepObligations("schedule", escalate_after_days, batch_size)
    with job_run("visits.obligation_sweep"):  # one trace per pass, every event it records in it
        run = await sweep_obligations(
            cmd, principal=None, uow_factory=uow_factory, clock=clock, timezone=timezone
        )
    return run.overdue, run.escalated


async def obligation_sweep(uow_factory: UowFactory, clock: Clock, settings: VisitsSettings) -> None:
    """Sweeps every `sweep_interval_seconds`; a failed pass is logged and tried again."""
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


async def dispatch_forever(uow_factory: UowFactory, settings: VisitsSettings) -> None:
    """Sends due assignments; rests only when there was nothing due."""
    batch = DispatchAssignments(limit=settings.bridge_batch_size)
    async with httpx.AsyncClient() as http:
        platform = DisposalPlatform(
            http,
            url=settings.disposal_platform_url,
            secret=settings.disposal_platform_secret.get_secret_value(),
            timeout_seconds=settings.disposal_platform_timeout_seconds,
        )
        while True:
            try:
                with job_run("visits.disposal_platform_dispatch"):
                    tried = await dispatch_assignments(
                        batch, uow=uow_factory(), platform=platform, settings=settings
                    )
            except Exception:
                log.exception("disposal platform dispatch pass failed")
                tried = 0
            if tried < settings.bridge_batch_size:
                await asyncio.sleep(settings.bridge_poll_seconds)
