"""Time-driven work of the members service: the festival calendar (八必访 no. 8), and the
account sync that keeps members' Keycloak accounts following the directory.

Both run in every replica (started with `Runtime.spawn` in main.py); the unique festival key and
the account rows' `SKIP LOCKED` leases, not a leader, keep each piece of work done once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from prometheus_client import Gauge

from services.members.handlers.accounts import SyncAccounts, sync_accounts
from services.members.handlers.occasions import DeclareDueFestivals, declare_due_festivals
from services.members.identity import AccountDirectory
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.kernel import Clock
from shared.logging import get_logger
from shared.telemetry import job_run

log = get_logger(__name__)
ACCOUNT_BACKLOG = Gauge(
    "members_account_sync_backlog",
    "Members' sign-in accounts not yet in step with the directory (failing: tried and failed)",
    ["state"],
)


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
            with job_run("members.festival_schedule"):
                declared = await declare_due_festivals(due, uow=uow(), clock=clock)
            for occasion in declared:
                log.info(
                    "festival declared",
                    occasion_id=str(occasion.id),
                    festival_key=occasion.festival_key,
                )
        except Exception:
            log.exception("festival schedule pass failed")
        await asyncio.sleep(settings.festival_schedule_interval_seconds)


async def account_sync(
    uow: Callable[[], MembersUnitOfWork],
    directory: AccountDirectory,
    clock: Clock,
    settings: MembersSettings,
) -> None:
    """Sync due accounts in batches; idle, look again every `accounts_sync_interval_seconds`.

    Keycloak being away fails the rows (each backed off on its own), never the directory.
    """
    cmd = SyncAccounts(batch=settings.accounts_sync_batch)
    try:
        await _sync_forever(cmd, uow, directory, clock, settings.accounts_sync_interval_seconds)
    finally:
        await directory.aclose()


async def _sync_forever(
    cmd: SyncAccounts,
    uow: Callable[[], MembersUnitOfWork],
    directory: AccountDirectory,
    clock: Clock,
    interval: float,
) -> None:
    while True:
        busy = False
        try:
            outcome = await sync_accounts(cmd, uow=uow, directory=directory, clock=clock)
            busy = outcome.synced + len(outcome.failed) == cmd.batch
            async with uow() as u:
                due, failing = await u.accounts.backlog()
            ACCOUNT_BACKLOG.labels("due").set(due)
            ACCOUNT_BACKLOG.labels("failing").set(failing)
        except Exception:
            log.exception("account sync pass failed")
        if not busy:
            await asyncio.sleep(interval)
