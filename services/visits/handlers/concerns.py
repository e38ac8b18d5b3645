"""Concern use cases (问题清单 → 履职清单): a concern on a member's duty list moved along its
lifecycle under a row lock.

Checks run in one order: a concern the caller may not see is 404; a step its state does not
allow is 409; a step the caller's role may not take is 403. Every step writes its history row
and its event in the same transaction. Concern bodies and replies are never logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from services.visits import events
from services.visits.adapters import assignment_payload
from services.visits.commands import (
    AcceptConcern,
    AssignConcern,
    MergeConcern,
    RateConcern,
    RejectConcern,
    ReplyToConcern,
    UpgradeConcern,
)
from services.visits.domain import concerns as domain
from services.visits.domain.concerns import Action, Change, Concern
from services.visits.handlers.obligations import local_today
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.kernel import Clock, new_id

C_contra = TypeVar("C_contra", contravariant=True)


class ConcernStep(Protocol[C_contra]):
    """The shape every lifecycle use case has, so an endpoint can run any of them alike."""

    async def __call__(
        self,
        cmd: C_contra,
        *,
        principal: Principal,
        uow: VisitsUnitOfWork,
        clock: Clock,
        timezone: str,
    ) -> Concern: ...


# The lifecycle. Each use case decides under the row lock, then writes rows, history, events.

Decide = Callable[[Concern], Change]
After = Callable[[Change, datetime], Awaitable[None]]  # more rows in the same transaction


async def accept(
    cmd: AcceptConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    return await _move(cmd.concern_id, Action.ACCEPT, domain.accept, principal, uow, clock)


async def reject(
    cmd: RejectConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    def decide(c: Concern) -> Change:
        return domain.reject(c, cmd.reason)

    return await _move(cmd.concern_id, Action.REJECT, decide, principal, uow, clock)


async def assign(
    cmd: AssignConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    """交办: a new round for the department, and its dispatch to the platform, in one go."""
    today = local_today(clock, timezone)

    async def after(change: Change, at: datetime) -> None:
        c = change.concern
        department = await uow.departments.by_code(cmd.department_code)
        domain.require_serving(c, department.region_code if department else None)
        await uow.concerns.open_round(c, at)
        payload = assignment_payload(c, await uow.concerns.liaison(c.liaison_id), at)
        await uow.dispatches.add(
            dispatch_id=new_id(),
            concern_id=c.id,
            round_=c.round,
            region_code=c.region_code,
            department_code=cmd.department_code,
            payload=payload,
        )

    def decide(c: Concern) -> Change:
        return domain.assign(c, cmd.department_code, cmd.due_on, today=today)

    return await _move(cmd.concern_id, Action.ASSIGN, decide, principal, uow, clock, after)


async def reply(
    cmd: ReplyToConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    """办复 by the department itself, through the API."""
    today = local_today(clock, timezone)

    async def after(change: Change, at: datetime) -> None:
        await uow.concerns.record_reply(
            change.concern, reply=cmd.reply.strip(), replied_on=today, via="department", at=at
        )

    def decide(c: Concern) -> Change:
        return domain.reply(c, replied_on=today)

    return await _move(cmd.concern_id, Action.REPLY, decide, principal, uow, clock, after)


async def rate(
    cmd: RateConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    """The submitter's rating closes the concern or reopens it for another round."""

    async def after(change: Change, at: datetime) -> None:
        await uow.concerns.record_rating(
            change.concern, satisfaction=cmd.satisfaction, resolved=cmd.resolved, at=at
        )

    def decide(c: Concern) -> Change:
        return domain.rate(c, satisfaction=cmd.satisfaction, resolved=cmd.resolved)

    return await _move(cmd.concern_id, Action.RATE, decide, principal, uow, clock, after)


async def upgrade(
    cmd: UpgradeConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    def decide(c: Concern) -> Change:
        return domain.upgrade(c, to=cmd.to, reference=cmd.reference.strip())

    return await _move(cmd.concern_id, Action.UPGRADE, decide, principal, uow, clock)


async def merge(
    cmd: MergeConcern,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
) -> Concern:
    """The duplicate ends as merged; the concern it joins carries on. Both rows are locked."""
    async with uow:
        locked = await uow.concerns.lock([cmd.concern_id, cmd.into])
        concern = await _allowed(locked.get(cmd.concern_id), Action.MERGE, principal, uow)
        target = locked.get(cmd.into)
        if target is None or not await _visible(target, principal, uow):
            raise InvalidInput("merge target is not on the same member's duty list")
        change = domain.merge(concern, target)
        await apply_change(uow, change, principal.subject, principal.role.value, clock.now())
        await uow.commit()
    return change.concern


async def _move(
    concern_id: UUID,
    action: Action,
    decide: Decide,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    after: After | None = None,
) -> Concern:
    async with uow:
        locked = await uow.concerns.lock([concern_id])
        concern = await _allowed(locked.get(concern_id), action, principal, uow)
        change, at = decide(concern), clock.now()
        if after is not None:
            await after(change, at)
        await apply_change(uow, change, principal.subject, principal.role.value, at)
        await uow.commit()
    return change.concern


async def _allowed(
    concern: Concern | None, action: Action, principal: Principal, uow: VisitsUnitOfWork
) -> Concern:
    if concern is None or not await _visible(concern, principal, uow):
        raise NotFound("concern not found")
    domain.require_state(concern, action)
    if not domain.may(principal, action, concern):
        raise Forbidden(f"role {principal.role.value} may not {action.value} this concern")
    return concern


async def _visible(concern: Concern, principal: Principal, uow: VisitsUnitOfWork) -> bool:
    departments = (
        await uow.concerns.departments(concern.id) if principal.role is Role.DEPARTMENT else ()
    )
    return domain.visible(principal, concern, departments)


async def apply_change(
    uow: VisitsUnitOfWork, change: Change, actor: str, actor_role: str, at: datetime
) -> None:
    c = change.concern
    if change.steps[0].action is Action.SUBMIT:
        await uow.concerns.add(c, at)
    else:
        await uow.concerns.save(c, at)
    await uow.concerns.add_steps(c.id, change.steps, actor=actor, actor_role=actor_role, at=at)
    uow.record(*events.concern_events(c, change.steps, at))
