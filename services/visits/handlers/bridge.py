"""The bridge to the government disposal platform (政务联动处置平台): assignments delivered at
least once, signed, with bounded retries; replies (办复) taken in once per round.

Assignments are queued in the assignment's own transaction (`concern_dispatch`); every replica
runs the dispatcher, and `FOR UPDATE SKIP LOCKED` keeps two from sending the same row at once.
A crash after the platform accepted but before the row was marked sent means one more delivery
under the same `Idempotency-Key`, which the platform deduplicates.
"""

from __future__ import annotations

import asyncio

from services.visits.adapters import DispatchFailed, DisposalPlatform
from services.visits.commands import DispatchAssignments, RecordPlatformReply, ReplayDispatch
from services.visits.domain import concerns
from services.visits.handlers.concerns import apply_change
from services.visits.handlers.obligations import local_today
from services.visits.repository.bridge import Dispatch, DispatchRepository, DueDispatch
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, NotFound
from shared.kernel import Clock
from shared.logging import get_logger

log = get_logger(__name__)

PLATFORM_ACTOR = "disposal-platform"


def idempotency_key(d: DueDispatch) -> str:
    return f"{d.concern_id}:{d.round}"


def retry_delay(attempts: int, settings: VisitsSettings) -> float | None:
    """Seconds until the next try after `attempts` failures; None once they are used up."""
    if attempts >= settings.bridge_max_attempts:
        return None
    delay: float = settings.bridge_backoff_base_seconds * 2 ** (attempts - 1)
    return min(settings.bridge_backoff_max_seconds, delay)


async def dispatch_assignments(
    cmd: DispatchAssignments,
    *,
    uow: VisitsUnitOfWork,
    platform: DisposalPlatform,
    settings: VisitsSettings,
) -> int:
    """Send one batch of due assignments (concurrently); returns how many were tried.

    The rows stay locked while they are sent, so no other replica sends them meanwhile.
    """
    async with uow:
        due = await uow.dispatches.lock_due(cmd.limit)
        results = await asyncio.gather(
            *(
                platform.send_assignment(d.payload.encode(), idempotency_key=idempotency_key(d))
                for d in due
            ),
            return_exceptions=True,
        )
        for d, result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                await _failed(uow.dispatches, d, result, settings)
            else:
                await uow.dispatches.mark_sent(d.id)
        await uow.commit()
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


async def replay_dispatch(
    cmd: ReplayDispatch, *, principal: Principal, uow: VisitsUnitOfWork
) -> Dispatch:
    """Staff put a failed (or waiting) dispatch back in the queue, due now."""
    if not concerns.may_manage_bridge(principal):
        raise Forbidden(f"role {principal.role.value} may not manage the bridge")
    async with uow:
        found = await uow.dispatches.lock(cmd.dispatch_id)
        if found is None or not principal.can_see_region(found.region_code):
            raise NotFound("dispatch not found")
        if found.status == "sent":
            raise Conflict("this assignment was already delivered")
        replayed = await uow.dispatches.replay(cmd.dispatch_id)
        await uow.commit()
    log.info("dispatch replayed", dispatch_id=str(cmd.dispatch_id), by=principal.subject)
    return replayed


async def receive_platform_reply(
    cmd: RecordPlatformReply, *, uow: VisitsUnitOfWork, clock: Clock, timezone: str
) -> bool:
    """办复 through the disposal platform. A round has one reply: a repeat delivery (the
    platform retrying, or answering twice) is recognised and changes nothing (False)."""
    today, at = local_today(clock, timezone), clock.now()
    async with uow:
        concern = (await uow.concerns.lock([cmd.concern_id])).get(cmd.concern_id)
        if concern is None:
            raise NotFound("no such concern assignment")
        replied = await uow.concerns.round_replied(concern.id, cmd.round)
        if replied is None:
            raise NotFound("no such concern assignment")
        if replied:
            return False
        if concern.department_code != cmd.department_code:
            raise Conflict("this round is assigned to another department")
        change = concerns.reply(concern, replied_on=today)
        await uow.concerns.record_reply(
            concern, reply=cmd.reply.strip(), replied_on=today, via="disposal_platform", at=at
        )
        await apply_change(uow, change, PLATFORM_ACTOR, "disposal_platform", at)
        await uow.commit()
    return True
