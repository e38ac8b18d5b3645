"""The bridge to the government disposal platform (政务联动处置平台): what an assignment says,
and a dispatcher that delivers it at least once, signed, with bounded retries.

Assignments are queued in the assignment's own transaction (`concern_dispatch`); every replica
runs the dispatcher, and `FOR UPDATE SKIP LOCKED` keeps two from sending the same row at once.
A crash after the platform accepted but before the row was marked sent means one more delivery
under the same `Idempotency-Key`, which the platform deduplicates.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from datetime import datetime
from uuid import UUID

import asyncpg
import httpx

from services.visits.adapters import DispatchFailed, DisposalPlatform
from services.visits.domain.concerns import Concern, Liaison, submitter
from services.visits.repository import bridge as dispatch_views
from services.visits.repository.bridge import Dispatch, DispatchRepository, DueDispatch
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import STAFF_ROLES, Principal
from shared.db.pool import DbConnection
from shared.errors import Conflict, Forbidden, NotFound
from shared.logging import get_logger

log = get_logger(__name__)


def assignment_payload(c: Concern, liaison: Liaison | None, at: datetime) -> str:
    """The JSON the platform receives. Who raised it goes out only with their consent."""
    assert c.department_code is not None
    assert c.due_on is not None
    who = submitter(c, liaison, for_department=True)
    body = {
        "concern_id": str(c.id),
        "round": c.round,
        "department_code": c.department_code,
        "due_on": c.due_on.isoformat(),
        "assigned_at": at.isoformat(),
        "region_code": c.region_code,
        "sector_code": c.sector_code,
        "member_id": str(c.member_id),
        "kind": c.kind,
        "title": c.title,
        "body": c.body,
        "submitter": {k: str(v) for k, v in asdict(who).items() if v is not None} if who else None,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def idempotency_key(d: DueDispatch) -> str:
    return f"{d.concern_id}:{d.round}"


def retry_delay(attempts: int, settings: VisitsSettings) -> float | None:
    """Seconds until the next try after `attempts` failures; None once they are used up."""
    if attempts >= settings.bridge_max_attempts:
        return None
    delay: float = settings.bridge_backoff_base_seconds * 2 ** (attempts - 1)
    return min(settings.bridge_backoff_max_seconds, delay)


async def dispatch_once(
    pool: asyncpg.Pool, platform: DisposalPlatform, settings: VisitsSettings
) -> int:
    """Send one batch of due assignments (concurrently); returns how many were tried.

    Plain pool and transaction contexts (no events to record): both give the connection back
    even when the service stops mid-pass.
    """
    async with pool.acquire() as conn, conn.transaction():
        dispatches = DispatchRepository(conn)
        due = await dispatches.lock_due(settings.bridge_batch_size)
        results = await asyncio.gather(
            *(
                platform.send_assignment(d.payload.encode(), idempotency_key=idempotency_key(d))
                for d in due
            ),
            return_exceptions=True,
        )
        for d, result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                await _failed(dispatches, d, result, settings)
            else:
                await dispatches.mark_sent(d.id)
    return len(due)


async def _failed(
    dispatches: DispatchRepository,
    d: DueDispatch,
    error: BaseException,
    settings: VisitsSettings,
) -> None:
    if not isinstance(error, DispatchFailed):
        log.error("dispatch raised unexpectedly", dispatch_id=str(d.id), error=repr(error))
    reason = str(error) if isinstance(error, DispatchFailed) else error.__class__.__name__
    retry_in = retry_delay(d.attempts + 1, settings)
    await dispatches.mark_failed(d.id, error=reason, retry_in=retry_in)
    log.warning(
        "dispatch to the disposal platform failed",
        dispatch_id=str(d.id),
        concern_id=str(d.concern_id),
        round=d.round,
        attempts=d.attempts + 1,
        error=reason,
        retry_in=retry_in,
    )


async def dispatch_forever(pool: asyncpg.Pool, settings: VisitsSettings) -> None:
    """Runs in every replica until cancelled; rests only when there was nothing due."""
    async with httpx.AsyncClient() as http:
        platform = DisposalPlatform(
            http,
            url=settings.disposal_platform_url,
            secret=settings.disposal_platform_secret.get_secret_value(),
            timeout_seconds=settings.disposal_platform_timeout_seconds,
        )
        while True:
            try:
                tried = await dispatch_once(pool, platform, settings)
            except Exception:
                log.exception("disposal platform dispatch pass failed")
                tried = 0
            if tried < settings.bridge_batch_size:
                await asyncio.sleep(settings.bridge_poll_seconds)


def _staff_only(principal: Principal) -> None:
    if principal.role not in STAFF_ROLES:
        raise Forbidden(f"role {principal.role.value} may not manage the bridge")


async def dispatches(
    conn: DbConnection,
    principal: Principal,
    *,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[Dispatch]:
    _staff_only(principal)
    return await dispatch_views.page(
        conn, scope=principal.region_code, status=status, after=after, limit=limit
    )


async def replay(dispatch_id: UUID, *, principal: Principal, uow: VisitsUnitOfWork) -> Dispatch:
    """Staff put a failed (or waiting) dispatch back in the queue, due now."""
    _staff_only(principal)
    async with uow:
        found = await uow.dispatches.lock(dispatch_id)
        if found is None or not principal.can_see_region(found.region_code):
            raise NotFound("dispatch not found")
        if found.status == "sent":
            raise Conflict("this assignment was already delivered")
        replayed = await uow.dispatches.replay(dispatch_id)
        await uow.commit()
    log.info("dispatch replayed", dispatch_id=str(dispatch_id), by=principal.subject)
    return replayed
