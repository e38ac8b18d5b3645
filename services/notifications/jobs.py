"""Time-driven work of the notifications service: delivery, the daily digest, reminders.

Each loop runs in every replica until the service stops; row locks (SKIP LOCKED) keep replicas
from doing a row twice. A pass that fails is logged and tried again on the next round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from services.notifications.handlers.delivery import DeliveryWorker
from services.notifications.handlers.digest import DigestWorker
from services.notifications.handlers.notify import Notifier
from services.notifications.handlers.reminders import remind_once
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.logging import get_logger
from shared.telemetry import job_run

log = get_logger(__name__)


async def deliver_forever(worker: DeliveryWorker, channel: str) -> None:
    while True:
        try:
            with job_run(f"notifications.deliver.{channel}"):
                sent = await worker.run_once(channel)
        except Exception:
            log.exception("delivery loop failed", channel=channel)
            sent = 0
        # A full batch means more may be due: go again at once.
        if sent < worker.settings.delivery_batch_size:
            await asyncio.sleep(worker.settings.delivery_poll_seconds)


async def digest_forever(worker: DigestWorker) -> None:
    while True:
        try:
            with job_run("notifications.digest"):
                await worker.run_once()
        except Exception:
            log.exception("digest loop failed")
        await asyncio.sleep(worker.settings.digest_poll_seconds)


async def remind_forever(
    uow_factory: Callable[[], NotificationsUnitOfWork],
    notifier: Notifier,
    *,
    timezone: str,
    days_before: int,
    interval_seconds: float,
) -> None:
    while True:
        try:
            with job_run("notifications.reminders"):
                await remind_once(uow_factory, notifier, timezone=timezone, days_before=days_before)
        except Exception:
            log.exception("reminder pass failed")
        await asyncio.sleep(interval_seconds)


async def close_when_stopped(client: httpx.AsyncClient) -> None:
    """Holds the gateway's HTTP client open while the service runs; the service cancels its
    background work when it stops, and the client's connections are closed then."""
    try:
        await asyncio.Event().wait()
    finally:
        await client.aclose()
